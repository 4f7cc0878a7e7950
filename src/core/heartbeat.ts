/**
 * A dead-man's switch: while the bot is healthy it GETs a push URL (healthchecks.io, Uptime Kuma
 * "push" monitor) every interval, so the household hears from the monitor when the bot itself
 * dies or turns unhealthy. Each ping is bounded and runs on its own; it never blocks anything,
 * and the URL (its path is the secret) never appears in a log line.
 */
import type { Dispatcher } from 'undici';
import type { Logger } from './logger.ts';
import { loadUndici, type Undici } from './undici.ts';

/** As many redirects as fetch follows. */
const MAX_REDIRECTS = 20;

/** Where and how often to ping the external heartbeat, and while which condition holds. */
export interface HeartbeatOptions {
  readonly url: string;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  /** Pinged only while this says so: silence is the alarm. */
  readonly healthy: () => boolean;
  readonly log: Logger;
}

/** Pings the push URL on a timer; `stop()` cancels the timer and any ping in flight. */
export class Heartbeat {
  private timer: NodeJS.Timeout | undefined;
  private inflight: AbortController | undefined;
  private failing = false;
  private pool: Promise<{ request: Undici['request']; dispatcher: Dispatcher }> | undefined;
  /** Settles when the current ping ends (tests wait on it). */
  lastPing: Promise<void> = Promise.resolve();

  constructor(private readonly o: HeartbeatOptions) {}

  /** First ping now, then every interval. */
  start(): void {
    this.tick();
    this.timer = setInterval(() => this.tick(), this.o.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.inflight?.abort();
  }

  /**
   * The bot's undici (Node's fetch would load Node's own copy, 10–16 MB that stays), following
   * redirects as fetch did; TLS verification is undici's default (on).
   */
  private dispatcher(): Promise<{ request: Undici['request']; dispatcher: Dispatcher }> {
    this.pool ??= loadUndici().then((u) => ({
      request: u.request,
      dispatcher: u.getGlobalDispatcher().compose(u.interceptors.redirect({ maxRedirections: MAX_REDIRECTS })),
    }));
    return this.pool;
  }

  private tick(): void {
    // A ping still out means the monitor or the line is slow: never pile them up.
    if (this.inflight || !this.o.healthy()) return;
    const abort = (this.inflight = new AbortController());
    const timer = setTimeout(() => abort.abort(new Error(`no answer in ${this.o.timeoutMs} ms`)), this.o.timeoutMs);
    this.lastPing = this.dispatcher()
      .then(async ({ request, dispatcher }) => {
        const res = await request(this.o.url, { signal: abort.signal, dispatcher });
        await res.body.dump();
        if (res.statusCode < 200 || res.statusCode > 299) throw new Error(`HTTP ${res.statusCode}`);
        if (this.failing) this.o.log.info('heartbeat ping answered again');
        this.failing = false;
      })
      .catch((e: unknown) => {
        if (!this.failing) this.o.log.warn({ reason: failureOf(e) }, 'heartbeat ping failed; will keep trying');
        this.failing = true;
      })
      .finally(() => {
        clearTimeout(timer);
        this.inflight = undefined;
      });
  }
}

/** A short reason without the URL (an error could quote it). */
function failureOf(e: unknown): string {
  const err = e as { name?: string; message?: string; code?: string };
  if (err.name === 'AbortError' || /no answer/.test(err.message ?? '')) return 'timeout';
  if (err.code) return err.code;
  return /^HTTP \d+$/.test(err.message ?? '') ? err.message! : (err.name ?? 'error');
}
