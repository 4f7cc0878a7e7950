/**
 * Connects one chat adapter in the background with bounded, visible retries, so nothing else
 * waits for a chat platform. One warn line when it is down (reason and next attempt time) and
 * one info line when it is back; a rejected token is fatal at once, never a retry loop.
 */
import type { Logger } from '../core/logger.ts';
import type { ChatAdapter } from './adapter.ts';

/** True for an error that retrying cannot fix: the platform rejected the bot's credentials. */
export function isCredentialError(e: unknown): boolean {
  const err = e as { error_code?: number; method?: string; code?: string } | undefined;
  return err?.error_code === 401 || (err?.error_code === 404 && err.method === 'getMe') || err?.code === 'TokenInvalid';
}

const DELAYS_MS = [1000, 2000, 5000, 10_000, 30_000];
// A cut line can leave a request hanging with no error at all: each attempt is bounded.
const ATTEMPT_TIMEOUT_MS = 5000;

/** One adapter's connection supervisor. */
export class AdapterLink {
  private timer: NodeJS.Timeout | undefined;
  private abort: AbortController | undefined;
  private failures = 0;
  private stopped = false;
  private settleFirst!: (fatal?: unknown) => void;
  /** Settles after the first attempt: rejects with a credential error, resolves otherwise (connected or retrying). */
  readonly first: Promise<void>;

  constructor(
    readonly adapter: ChatAdapter,
    private readonly log: Logger,
  ) {
    this.first = new Promise<void>((resolve, reject) => {
      this.settleFirst = (fatal) => (fatal === undefined ? resolve() : reject(fatal));
    });
  }

  /** Starts connecting (returns at once). */
  connect(): void {
    void this.attempt();
  }

  /** Cancels any pending or in-flight attempt, then stops the adapter. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.abort?.abort();
    await this.adapter.stop();
  }

  private async attempt(): Promise<void> {
    const abort = (this.abort = new AbortController());
    const timeout = setTimeout(() => abort.abort(new Error(`no answer in ${ATTEMPT_TIMEOUT_MS / 1000} s`)), ATTEMPT_TIMEOUT_MS);
    const aborted = new Promise<never>((_, reject) => abort.signal.addEventListener('abort', () => reject(abort.signal.reason)));
    aborted.catch(() => undefined);
    try {
      await Promise.race([this.adapter.start(abort.signal), aborted]);
      clearTimeout(timeout);
      // Stopped while connecting: the adapter came up after all, so take it down again.
      if (this.stopped) return void (await this.adapter.stop().catch(() => undefined));
      if (this.failures > 0) this.log.info({ platform: this.adapter.platform }, 'chat platform reachable again');
      this.failures = 0;
      this.settleFirst();
    } catch (e) {
      clearTimeout(timeout);
      abort.abort();
      if (this.stopped) return;
      if (isCredentialError(e)) return this.settleFirst(e);
      const delay = DELAYS_MS[Math.min(this.failures, DELAYS_MS.length - 1)]!;
      if (this.failures === 0) {
        const reason = ((e as Error | undefined)?.message ?? String(e)).split('\n')[0];
        const nextAttemptAt = new Date(Date.now() + delay).toISOString();
        this.log.warn({ platform: this.adapter.platform, reason, nextAttemptAt }, 'chat platform unreachable; retrying in the background');
      }
      this.failures++;
      this.settleFirst();
      this.timer = setTimeout(() => this.connect(), delay);
    }
  }
}
