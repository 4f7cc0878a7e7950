/**
 * Bot API 5xx answers (Telegram's front or a reverse proxy during an outage) get the same
 * bounded, fixed-interval treatment as a cut connection. @grammyjs/auto-retry would retry them
 * inside the call with a delay doubling from 3 s up to an hour, so after a long outage one
 * call (a getUpdates included) could sleep for many minutes past the line's return.
 */
import type { Transformer } from 'grammy';

/** How a call answered 5xx is retried. */
export interface ServerErrorRetry {
  /** Further tries of one call after a 5xx (getUpdates gets none: the runner polls again every second). */
  readonly retries: number;
  /** Fixed wait before each retry. */
  readonly delayMs: number;
}

/** Default: one quick retry, so a lone 502 does not fail a reply, and an outage reaches the caller within a second. */
export const SERVER_ERROR_RETRY: ServerErrorRetry = { retries: 1, delayMs: 1000 };

/** A transformer retrying a call answered 5xx `retries` times, `delayMs` apart, then returning that answer. */
export function serverErrorRetry(o: ServerErrorRetry = SERVER_ERROR_RETRY): Transformer {
  return async (prev, method, payload, signal) => {
    let res = await prev(method, payload, signal);
    const tries = method === 'getUpdates' ? 0 : o.retries;
    for (let i = 0; i < tries && isServerError(res); i++) {
      await pause(o.delayMs, signal);
      res = await prev(method, payload, signal);
    }
    return res;
  };
}

/** True for a Bot API answer that says the server side failed, not the request. */
export function isServerError(res: { ok: boolean; error_code?: number }): boolean {
  return !res.ok && (res.error_code ?? 0) >= 500;
}

/** Waits `ms`, or rejects at once when the call is aborted (grammY types its signal with a polyfill). */
function pause(ms: number, signal: Parameters<Transformer>[3]): Promise<void> {
  return new Promise((resolve, reject) => {
    const aborted = (): Error => new Error('Request aborted while waiting to retry');
    if (signal?.aborted) return reject(aborted());
    const abort = (): void => {
      clearTimeout(timer);
      reject(aborted());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', abort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', abort);
  });
}
