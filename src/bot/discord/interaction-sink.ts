/**
 * Replies to one Discord interaction. A slash command was deferred at once (Discord's
 * 3-second deadline), so the first reply edits the "thinking…" message and later ones are
 * follow-ups; a button press was acknowledged with a deferred update, so the pipeline's
 * "close the confirmation" edits the pressed message and replies are follow-ups. Ephemeral
 * replies stay ephemeral; a reply nobody sent removes the "thinking…" message.
 */
import { MessageFlags, type ButtonInteraction, type ChatInputCommandInteraction } from 'discord.js';
import type { OutMessage } from '../../core/outmessage.ts';
import type { MessageHandle } from '../../handlers/command.ts';
import type { ReplySink } from '../../handlers/pipeline.ts';
import type { DiscordPayload } from './render.ts';

type Answerable = ChatInputCommandInteraction | ButtonInteraction;

/** Fields an edit must set so nothing of the previous version survives. */
export function asEdit(
  p: DiscordPayload,
): Required<Pick<DiscordPayload, 'content' | 'embeds' | 'components' | 'files' | 'allowedMentions'>> & { attachments: [] } {
  return {
    content: p.content ?? '',
    embeds: p.embeds ?? [],
    components: p.components ?? [],
    files: p.files ?? [],
    attachments: [],
    allowedMentions: { parse: [] },
  };
}

/** ReplySink over an interaction's webhook (valid 15 minutes after the interaction). */
export class InteractionSink implements ReplySink {
  private originalUsed = false;
  readonly updateOrigin?: (message: OutMessage) => Promise<void>;

  constructor(
    private readonly i: Answerable,
    private readonly o: {
      /** The deferral was ephemeral (slash) or the pressed message is (button). */
      readonly ephemeral: boolean;
      readonly render: (m: OutMessage) => DiscordPayload[];
    },
  ) {
    if (i.isButton()) this.updateOrigin = async (m) => void (await i.editReply(asEdit(this.o.render(m)[0] ?? {})));
  }

  async send(message: OutMessage): Promise<MessageHandle> {
    const pages = this.o.render(message);
    const ephemeral = this.o.ephemeral || Boolean(message.ephemeral);
    const flags = ephemeral ? MessageFlags.Ephemeral : undefined;
    let target: string;
    const [first = {}, ...rest] = pages;
    // The deferred original can only be used when its visibility matches.
    if (this.i.isChatInputCommand() && !this.originalUsed && ephemeral === this.o.ephemeral) {
      await this.i.editReply(asEdit(first));
      this.originalUsed = true;
      target = '@original';
    } else {
      target = (await this.i.followUp({ ...first, ...(flags ? { flags } : {}) })).id;
    }
    for (const p of rest) await this.i.followUp({ ...p, ...(flags ? { flags } : {}) });
    return {
      edit: async (m: OutMessage) => {
        await this.i.editReply({ ...asEdit(this.o.render(m)[0] ?? {}), message: target });
      },
    };
  }

  /** After the pipeline: a deferred slash command that got no reply loses its "thinking…" message. */
  async finish(): Promise<void> {
    if (this.i.isChatInputCommand() && !this.originalUsed) await this.i.deleteReply().catch(() => undefined);
  }
}
