/** Reading an HTTP reply's body with a size cap (backends' replies, files downloaded from a chat platform). */
import type { Dispatcher } from 'undici';

/**
 * Reads a body chunk by chunk and stops (destroying the stream, so the connection is not
 * reused) as soon as it passes `max` bytes: an endless or huge reply never sits in memory.
 */
export async function readCapped(
  body: Dispatcher.ResponseData['body'],
  max: number,
  contentLength: string | string[] | undefined,
): Promise<Buffer | 'too-large'> {
  // undici reports its own abort as an error event; it is expected here, not a crash.
  const stop = (): 'too-large' => {
    body.on('error', () => undefined);
    body.destroy();
    return 'too-large';
  };
  const declared = Number(Array.isArray(contentLength) ? contentLength[0] : contentLength);
  if (Number.isFinite(declared) && declared > max) return stop();
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > max) return stop();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
}
