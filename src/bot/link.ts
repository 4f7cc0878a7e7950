/**
 * Supervises one chat adapter's connection, at start and for as long as the bot runs, so nothing
 * else waits for a chat platform and an outage of any length heals by itself: connects in the
 * background with bounded retries, and when an established session is lost (polling failing,
 * gateway gone) reconnects the same way. One warn line when it goes down (reason and next
 * attempt time), one info line when it is back; a rejected token is fatal, never a retry loop.
 */
import { systemClock, type Clock } from '../core/clock.ts';
import type { LinkFacts, LinkState } from '../core/health.ts';
import type { Logger } from '../core/logger.ts';
import type { ChatAdapter, LinkEvents } from './adapter.ts';

/** True for an error that retrying cannot fix: the platform rejected the bot's credentials. */
export function isCredentialError(e: unknown): boolean {
  const err = e as { error_code?: number; method?: string; code?: string } | undefined;
  return err?.error_code === 401 || (err?.error_code === 404 && err.method === 'getMe') || err?.code === 'TokenInvalid';
}

/** How hard a link tries; adapters may tighten or loosen it (see ChatAdapter.linkPolicy). */
export interface LinkPolicy {
  /** One connection attempt is abandoned after this long: a cut line can hang with no error. */
  readonly attemptTimeoutMs: number;
  /** Waits between attempts, the last repeated: bounded, so recovery never waits hours. */
  readonly delaysMs: readonly number[];
}

/** Default: a few seconds between attempts, so the bot hears again soon after the line returns. */
export const DEFAULT_LINK_POLICY: LinkPolicy = { attemptTimeoutMs: 5000, delaysMs: [1000, 2000, 5000] };

const reasonOf = (e: unknown): string => ((e as Error | undefined)?.message ?? String(e)).split('\n')[0]!;

/** One adapter's connection supervisor. */
export class AdapterLink {
  private timer: NodeJS.Timeout | undefined;
  private abort: AbortController | undefined;
  private failures = 0;
  private stopped = false;
  private attempting = false;
  private current: LinkState;
  private lastOkAt: number | undefined;
  private readonly policy: LinkPolicy;
  private settleFirst!: (fatal?: unknown) => void;
  /** Settles after the first attempt: rejects with a credential error, resolves otherwise (connected or retrying). */
  readonly first: Promise<void>;

  constructor(
    readonly adapter: ChatAdapter,
    private readonly log: Logger,
    private readonly clock: Clock = systemClock,
  ) {
    this.policy = adapter.linkPolicy ?? DEFAULT_LINK_POLICY;
    this.current = { kind: 'connecting', since: clock.now() };
    this.first = new Promise<void>((resolve, reject) => {
      this.settleFirst = (fatal) => (fatal === undefined ? resolve() : reject(fatal));
    });
    const events: LinkEvents = {
      ok: () => {
        this.lastOkAt = this.clock.now();
      },
      trouble: (reason) => this.down(reason, 'chat platform not answering; the adapter keeps trying'),
      lost: (reason) => {
        if (this.stopped || this.current.kind === 'failed') return;
        this.down(reason, 'chat platform connection lost; reconnecting');
        if (!this.attempting) this.schedule(0);
      },
      back: () => this.up(),
    };
    adapter.supervise?.(events);
  }

  /** The state and last good call, for /healthz. */
  facts(): LinkFacts {
    return { state: this.current, lastOkAt: this.lastOkAt };
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

  /** Enters "reconnecting" (once per outage, with one warn line). */
  private down(reason: string, line: string, nextAttemptAt?: number): void {
    if (this.stopped || this.current.kind === 'reconnecting' || this.current.kind === 'failed') return;
    this.current = { kind: 'reconnecting', since: this.clock.now(), reason };
    const next = nextAttemptAt === undefined ? {} : { nextAttemptAt: new Date(nextAttemptAt).toISOString() };
    this.log.warn({ platform: this.adapter.platform, reason, ...next }, line);
  }

  private up(): void {
    if (this.stopped || this.current.kind === 'connected') return;
    if (this.current.kind === 'reconnecting') this.log.info({ platform: this.adapter.platform }, 'chat platform reachable again');
    this.current = { kind: 'connected', since: this.clock.now() };
    this.lastOkAt = this.clock.now();
    this.failures = 0;
  }

  private schedule(delay: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.connect(), delay);
  }

  private async attempt(): Promise<void> {
    if (this.stopped) return;
    this.attempting = true;
    const abort = (this.abort = new AbortController());
    const ms = this.policy.attemptTimeoutMs;
    const timeout = setTimeout(() => abort.abort(new Error(`no answer in ${ms / 1000} s`)), ms);
    const aborted = new Promise<never>((_, reject) => abort.signal.addEventListener('abort', () => reject(abort.signal.reason)));
    aborted.catch(() => undefined);
    try {
      await Promise.race([this.adapter.start(abort.signal), aborted]);
      clearTimeout(timeout);
      this.attempting = false;
      // Stopped while connecting: the adapter came up after all, so take it down again.
      if (this.stopped) return void (await this.adapter.stop().catch(() => undefined));
      this.up();
      this.settleFirst();
    } catch (e) {
      clearTimeout(timeout);
      this.attempting = false;
      abort.abort();
      if (this.stopped) return;
      if (isCredentialError(e)) {
        this.current = { kind: 'failed', since: this.clock.now(), reason: 'the platform rejected the bot token' };
        return this.settleFirst(e);
      }
      const delays = this.policy.delaysMs;
      const delay = delays[Math.min(this.failures, delays.length - 1)]!;
      this.failures++;
      this.down(reasonOf(e), 'chat platform unreachable; retrying in the background', this.clock.now() + delay);
      this.settleFirst();
      this.schedule(delay);
    }
  }
}
