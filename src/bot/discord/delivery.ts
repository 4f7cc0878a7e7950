/**
 * Proactive delivery to a Discord channel (alerts, notifications) with the outbox's contract:
 * edits in place through the stored message ids, a nonce from the outbox dedup key so a retry
 * after a lost answer does not post twice, and channel permissions checked first — no Send
 * Messages is a clear warning and a retry later, no Embed Links falls back to plain text.
 */
import { createHash } from 'node:crypto';
import { DiscordAPIError, PermissionFlagsBits, type Client, type SendableChannels } from 'discord.js';
import type { Logger } from '../../core/logger.ts';
import type { OutMessage } from '../../core/outmessage.ts';
import type { DeliveryOutcome } from '../../core/delivery.ts';
import { asEdit } from './interaction-sink.ts';
import { renderDiscord } from './render.ts';

/** Channel permissions the bot needs, by the names Discord's UI shows. */
export type NeededPermission = 'View Channel' | 'Send Messages' | 'Embed Links' | 'Attach Files';

/** A missing permission noticed in a channel. */
export interface PermissionWarning {
  readonly channelId: string;
  readonly channelName: string;
  readonly permission: NeededPermission;
}

/** Missing channel permissions: logged once when noticed, once when fixed, listed in health and /status. */
export class PermissionWarnings {
  private readonly active = new Map<string, PermissionWarning>();
  constructor(private readonly log: Logger) {}

  raise(w: PermissionWarning): void {
    const key = `${w.channelId}|${w.permission}`;
    if (this.active.has(key)) return;
    this.active.set(key, w);
    this.log.warn(
      { channel: w.channelId, channelName: w.channelName, permission: w.permission },
      `discord: missing permission "${w.permission}" in #${w.channelName}`,
    );
  }

  clear(channelId: string, permissions: readonly NeededPermission[]): void {
    for (const p of permissions) {
      const w = this.active.get(`${channelId}|${p}`);
      if (!w) continue;
      this.active.delete(`${channelId}|${p}`);
      this.log.info({ channel: channelId, permission: p }, `discord: permission "${p}" in #${w.channelName} is back`);
    }
  }

  list(): PermissionWarning[] {
    return [...this.active.values()];
  }
}

/** A Discord nonce (≤ 25 characters) derived from the outbox dedup key. */
export const nonceFor = (dedupKey: string): string => createHash('sha256').update(dedupKey).digest('base64url').slice(0, 25);

/** `channelId:messageId,messageId…` — what the outbox stores to edit later. */
const refOf = (channelId: string, ids: readonly string[]): string => `${channelId}:${ids.join(',')}`;

async function resolveChannel(client: Client, id: string): Promise<SendableChannels | undefined> {
  // A user we have met (interactions cache them) is addressed privately without asking for a channel first.
  const known = client.users.cache.get(id);
  if (known && !client.channels.cache.has(id)) return (await known.createDM().catch(() => null)) ?? undefined;
  const channel = client.channels.cache.get(id) ?? (await client.channels.fetch(id).catch(() => null));
  if (channel?.isSendable()) return channel;
  // A person's identity (discord:<userId>) is not a channel: write to them privately.
  const user = await client.users.fetch(id).catch(() => null);
  return (await user?.createDM().catch(() => null)) ?? undefined;
}

/** Sends (or edits, with editRef) a message in a channel or a user's DMs. */
export async function deliverToChannel(
  client: Client,
  warnings: PermissionWarnings,
  log: Logger,
  chatId: string,
  message: OutMessage,
  editRef?: string,
  meta?: { readonly dedupKey: string },
): Promise<DeliveryOutcome> {
  let channelName = chatId;
  const missing = (permission: NeededPermission): DeliveryOutcome => {
    warnings.raise({ channelId: chatId, channelName, permission });
    return { ok: false, error: `missing permission "${permission}" in Discord channel #${channelName}` };
  };
  try {
    const channel = await resolveChannel(client, chatId);
    if (!channel) return { ok: false, permanent: true, error: `unknown Discord channel or user ${chatId}` };
    channelName = 'name' in channel && channel.name ? channel.name : chatId;
    const perms = 'guild' in channel && client.user ? channel.permissionsFor(client.user) : null;
    if (perms && !perms.has(PermissionFlagsBits.ViewChannel)) return missing('View Channel');
    if (perms && !perms.has(PermissionFlagsBits.SendMessages)) return missing('Send Messages');
    const embeds = !perms || perms.has(PermissionFlagsBits.EmbedLinks);
    const files = !perms || perms.has(PermissionFlagsBits.AttachFiles);
    if (!embeds) warnings.raise({ channelId: chatId, channelName, permission: 'Embed Links' });
    if (!files && message.image) warnings.raise({ channelId: chatId, channelName, permission: 'Attach Files' });
    const pages = renderDiscord(message, { embeds, files });
    const old = editRef?.split(':')[1]?.split(',').filter(Boolean) ?? [];
    const ids: string[] = [];
    for (const [i, page] of pages.entries()) {
      const previous = old[i];
      const edited = previous ? await channel.messages.edit(previous, asEdit(page)).catch((e: unknown) => gone(e)) : undefined;
      if (edited) {
        ids.push(edited.id);
        continue;
      }
      const nonce = i === 0 && meta && !editRef ? { nonce: nonceFor(meta.dedupKey), enforceNonce: true } : {};
      ids.push((await channel.send({ ...page, ...nonce })).id);
    }
    // An update with fewer pages than before removes the surplus.
    for (const id of old.slice(pages.length)) await channel.messages.delete(id).catch(() => undefined);
    warnings.clear(chatId, [
      'View Channel',
      'Send Messages',
      ...(embeds ? (['Embed Links'] as const) : []),
      ...(files ? (['Attach Files'] as const) : []),
    ]);
    return { ok: true, ref: refOf(channel.id, ids) };
  } catch (e) {
    return outcomeOf(e, log, missing);
  }
}

/** An edit target that no longer exists yields undefined (send anew); other errors propagate. */
function gone(e: unknown): undefined {
  if (e instanceof DiscordAPIError && e.code === 10008) return undefined;
  throw e;
}

function outcomeOf(e: unknown, log: Logger, missing: (p: NeededPermission) => DeliveryOutcome): DeliveryOutcome {
  if (e instanceof DiscordAPIError) {
    if (e.code === 50013) return missing('Send Messages');
    if (e.code === 50001) return missing('View Channel');
    if (e.status === 429) return { ok: false, error: e.message, retryAfterMs: 5000 };
    if (e.status >= 500) return { ok: false, error: `Discord answered ${e.status}`, unreachable: true };
    // 400 (invalid body) and 404 (unknown channel) will not fix themselves.
    log.error({ err: e, code: e.code }, 'discord rejected a delivery');
    return { ok: false, permanent: true, error: `Discord rejected the message: ${e.message}` };
  }
  // Anything else is the network (reset, refused, timed out): the line is down, not the message.
  return { ok: false, error: (e as Error).message || 'network error talking to Discord', unreachable: true };
}
