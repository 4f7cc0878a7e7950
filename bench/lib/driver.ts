/**
 * Closed-loop command driver against the fake Telegram Bot API: each chat sends a command,
 * waits for the bot's answer (the fake's sendMessage event for that chat, no sleeps), then
 * sends the next. Chats run concurrently. Bounded in count and in time.
 */
import { performance } from 'node:perf_hooks';
import type { FakeTelegram, RecordedCall } from '../../test/fakes/telegram-api.ts';
import { within } from './stats.ts';

/** Latencies (ms) of answered commands, wall time and failures of one run. */
export interface LoopResult {
  readonly latencies: number[];
  readonly wallMs: number;
  readonly sent: number;
  readonly answered: number;
  readonly timeouts: number;
}

/** The first line of a reply: later replies to the same command start with it (pages 2+ do not). */
const firstLine = (text: string): string => text.split('\n')[0] ?? '';

/**
 * Sends `text` once from `chat` and returns the first line of the answer, which identifies
 * an answer's first page (so a long reply's later pages never count as the next answer).
 */
export async function learnAnswer(fake: FakeTelegram, chat: number, text: string, timeoutMs = 10_000): Promise<string> {
  const mark = fake.mark();
  fake.sendText(chat, chat, text);
  const c = await fake.waitForCall('sendMessage', (x) => x.status === 200 && Number(x.params.chat_id) === chat, timeoutMs, mark);
  return firstLine(String(c.params.text ?? ''));
}

/** Runs `perChat` commands in each chat concurrently; stops early after `budgetMs`. */
export async function closedLoop(
  fake: FakeTelegram,
  chats: readonly number[],
  text: string,
  answerStarts: string,
  perChat: number,
  budgetMs = 60_000,
  replyTimeoutMs = 10_000,
): Promise<LoopResult> {
  const waiting = new Map<number, (at: number) => void>();
  const off = fake.onCall((c: RecordedCall) => {
    if (c.status !== 200 || c.method.toLowerCase() !== 'sendmessage') return;
    const chat = Number(c.params.chat_id);
    const resolve = waiting.get(chat);
    if (resolve && String(c.params.text ?? '').startsWith(answerStarts)) {
      waiting.delete(chat);
      resolve(performance.now());
    }
  });
  const latencies: number[] = [];
  let sent = 0;
  let timeouts = 0;
  const start = performance.now();
  const deadline = start + budgetMs;
  const loop = async (chat: number): Promise<void> => {
    for (let i = 0; i < perChat && performance.now() < deadline; i++) {
      const answered = new Promise<number>((r) => waiting.set(chat, r));
      const t0 = performance.now();
      fake.sendText(chat, chat, text);
      sent++;
      try {
        latencies.push((await within(answered, replyTimeoutMs, `answer in chat ${chat}`)) - t0);
      } catch {
        waiting.delete(chat);
        timeouts++;
        return; // a lost answer ends this chat's loop; the report shows it
      }
    }
  };
  try {
    await Promise.all(chats.map(loop));
  } finally {
    off();
  }
  return { latencies, wallMs: performance.now() - start, sent, answered: latencies.length, timeouts };
}
