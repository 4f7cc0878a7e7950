/**
 * Private by construction: a reply marked for one person (codes, passwords, QR, audit,
 * identity) never lands in a group. When the platform can write to the person directly
 * (Telegram), it goes to their private chat and the group gets a short note; when it cannot
 * (the person never started the bot), the group is told how to start it and nothing else.
 * Platforms with native per-person replies (Discord ephemeral) handle the flag themselves.
 */
import type { Translate } from '../core/i18n.ts';
import { textMessage, type OutMessage } from '../core/outmessage.ts';
import type { ChatRef } from '../permissions/access.ts';
import type { MessageHandle } from './command.ts';

/** Outcome of writing to the asker's private chat. */
export type PrivateDelivery =
  | { readonly ok: true; readonly handle: MessageHandle }
  /** The bot may not write first; `startLink` opens the private chat (e.g. https://t.me/bot). */
  | { readonly ok: false; readonly startLink?: string };

/** The part of a reply sink this wrapper needs. */
export interface PrivateCapableSink {
  send(message: OutMessage): Promise<MessageHandle>;
  /** Sends to the asker's private chat instead of the current one (absent: the platform keeps `ephemeral` private itself). */
  sendPrivately?(message: OutMessage): Promise<PrivateDelivery>;
}

const NOTHING: MessageHandle = { edit: async () => undefined };

/** Wraps a group chat's sink so ephemeral messages go to the asker privately. */
export function privateReplies<S extends PrivateCapableSink>(sink: S, chat: ChatRef, t: Translate): S {
  if (chat.kind !== 'group' || !sink.sendPrivately) return sink;
  const direct = sink.sendPrivately.bind(sink);
  let noted = false;
  const send = async (message: OutMessage): Promise<MessageHandle> => {
    if (!message.ephemeral) return sink.send(message);
    const r = await direct(message);
    if (r.ok) {
      // One note per invocation is enough, however many private messages follow.
      if (!noted) await sink.send(textMessage(t('pipeline.sentPrivately')));
      noted = true;
      return r.handle;
    }
    await sink.send(
      textMessage(r.startLink ? t('pipeline.startPrivately', { link: r.startLink }) : t('pipeline.cannotWritePrivately'), {
        severity: 'warning',
      }),
    );
    return NOTHING;
  };
  // Sinks that can write privately are plain objects (the Telegram adapter's), so a spread keeps the rest.
  return { ...sink, send };
}
