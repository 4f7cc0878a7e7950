/**
 * Downloading a file a user sent (a .torrent) from the Bot API's file endpoint, through the bot's
 * own undici: Node's fetch would load Node's internal copy of undici on first use, 10–16 MB that
 * stays for the process's life. TLS verification is undici's default (on); the body is capped and
 * every wait is bounded, so a cut or hung line fails instead of holding the command.
 */
import { readCapped } from '../../core/capped-body.ts';
import { loadUndici } from '../../core/undici.ts';

/** The Bot API serves bots files of up to 20 MB (getFile, core.telegram.org/bots/api#getfile). */
export const TELEGRAM_FILE_MAX_BYTES = 20 * 1024 * 1024;
/** Longest silence while connecting, waiting for the headers or between body chunks. */
const IDLE_TIMEOUT_MS = 10_000;
/** Longest whole download (20 MB at a slow 400 kB/s). */
const TOTAL_TIMEOUT_MS = 60_000;

/** Bounds of one download (tests shorten them). */
export interface FileDownloadLimits {
  /** More bytes than this fail the download (the size Telegram declared for the file, at most 20 MB). */
  readonly maxBytes: number;
  readonly idleTimeoutMs?: number;
  readonly totalTimeoutMs?: number;
}

/**
 * GETs `url` (it holds the bot token: it never appears in an error) and returns the body.
 * Throws an Error naming the HTTP status, the size cap or the transport code on failure.
 */
export async function downloadTelegramFile(url: string, limits: FileDownloadLimits): Promise<Buffer> {
  const { request } = await loadUndici();
  const idle = limits.idleTimeoutMs ?? IDLE_TIMEOUT_MS;
  let res: Awaited<ReturnType<typeof request>>;
  try {
    res = await request(url, {
      headersTimeout: idle,
      bodyTimeout: idle,
      signal: AbortSignal.timeout(limits.totalTimeoutMs ?? TOTAL_TIMEOUT_MS),
    });
  } catch (e) {
    throw transportFailure(e);
  }
  if (res.statusCode !== 200) {
    res.body.on('error', () => undefined);
    res.body.destroy();
    throw new Error(`file download failed with HTTP ${res.statusCode}`);
  }
  let bytes: Buffer | 'too-large';
  try {
    bytes = await readCapped(res.body, limits.maxBytes, res.headers['content-length']);
  } catch (e) {
    throw transportFailure(e);
  }
  if (bytes === 'too-large') throw new Error(`file download failed: the file is larger than ${limits.maxBytes} bytes`);
  return bytes;
}

/** An error without the URL (undici's messages carry none, but the cause could): its code only. */
function transportFailure(e: unknown): Error {
  const err = e as { code?: unknown; name?: unknown };
  const code = typeof err.code === 'string' ? err.code : typeof err.name === 'string' ? err.name : 'error';
  return new Error(`file download failed (${code})`);
}
