/**
 * A dead-man's switch: while the bot is healthy it GETs a push URL (healthchecks.io, Uptime Kuma
 * "push" monitor) every interval, so the household hears from the monitor when the bot itself
 * dies or turns unhealthy. Each ping is bounded and runs on its own; it never blocks anything,
 * and the URL (its path is the secret) never appears in a log line.
 */
import type { Logger } from './logger.ts';

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

  private tick(): void {
    // A ping still out means the monitor or the line is slow: never pile them up.
    if (this.inflight || !this.o.healthy()) return;
    const abort = (this.inflight = new AbortController());
    const timer = setTimeout(() => abort.abort(new Error(`no answer in ${this.o.timeoutMs} ms`)), this.o.timeoutMs);
    this.lastPing = fetch(this.o.url, { signal: abort.signal, redirect: 'follow' })
      .then(async (res) => {
        await res.body?.cancel();
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
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

/** A short reason without the URL (fetch errors quote it). */
function failureOf(e: unknown): string {
  const err = e as { name?: string; message?: string; cause?: { code?: string } };
  if (err.cause?.code) return err.cause.code;
  if (err.name === 'AbortError' || /no answer/.test(err.message ?? '')) return 'timeout';
  return /^HTTP \d+$/.test(err.message ?? '') ? err.message! : (err.name ?? 'error');
}
