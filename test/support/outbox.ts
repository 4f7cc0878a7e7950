/** Reading what the outbox queued for a chat, as a test checks a push before it is delivered. */
import type { TestApp } from './app-harness.ts';

/**
 * The text of the newest queued message to `destination` whose stored payload matches `like`
 * (SQL LIKE); undefined while there is none (alert rows keep message keys, not text: use it for
 * notices rendered when queued).
 */
export function queuedText(h: TestApp, destination: string, like: string): string | undefined {
  const payload = h.app.db
    .prepare('SELECT payload FROM alert_outbox WHERE destination = ? AND payload LIKE ? ORDER BY id DESC')
    .pluck()
    .get(destination, like) as string | undefined;
  if (payload === undefined) return undefined;
  const blocks = (JSON.parse(payload) as { message: { blocks: { text?: string }[] } }).message.blocks;
  return blocks.map((b) => b.text ?? '').join('\n');
}
