/**
 * The baseline: a bare grammY bot that echoes every text message, polled through the same
 * runner as ours. Used in-process for latency, and as a child process (bench/baseline-main.ts,
 * bundled like the bot) for memory and start-up.
 */
import { run, type RunnerHandle } from '@grammyjs/runner';
import { Bot } from 'grammy';
import type { InlineKeyboardMarkup } from 'grammy/types';

/** A running echo bot. */
export interface EchoBot {
  /** Updates whose handling failed (a bare bot has no retry: a failed reply is lost). */
  errors(): number;
  /** What the first failed update failed with (undefined while none has). */
  firstError(): string | undefined;
  stop(): Promise<void>;
}

/** A fixed reply: HTML text and, when ours had buttons, the same inline keyboard. */
export interface FixedReply {
  readonly html: string;
  readonly replyMarkup?: InlineKeyboardMarkup;
}

/**
 * Starts the echo bot against a Bot API root (a fake on 127.0.0.1). With `fixed` it answers
 * every message with that reply instead (a bare bot sending the same payload as ours).
 */
export async function startEchoBot(token: string, apiRoot: string, fixed?: FixedReply): Promise<EchoBot> {
  const bot = new Bot(token, { client: { apiRoot } });
  bot.on('message:text', (ctx) =>
    fixed === undefined
      ? ctx.reply(ctx.message.text)
      : ctx.reply(fixed.html, {
          parse_mode: 'HTML',
          link_preview_options: { is_disabled: true },
          ...(fixed.replyMarkup ? { reply_markup: fixed.replyMarkup } : {}),
        }),
  );
  let errors = 0;
  let firstError: string | undefined;
  bot.catch((e) => {
    errors++;
    firstError ??= e.error instanceof Error ? e.error.message : String(e.error);
  });
  await bot.init();
  const runner: RunnerHandle = run(bot, { runner: { fetch: { allowed_updates: ['message', 'callback_query'] } } });
  return {
    errors: () => errors,
    firstError: () => firstError,
    async stop() {
      if (runner.isRunning()) await runner.stop();
    },
  };
}
