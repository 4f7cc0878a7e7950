/** Per-identity sliding-window rate limit, in memory (a restart forgiving everyone is fine). */
import type { Clock } from '../core/clock.ts';

const WINDOW_MS = 60_000;

/** Counts commands per identity over the last minute. */
export class RateLimiter {
  private readonly hits = new Map<string, number[]>();

  constructor(
    private readonly clock: Clock,
    private readonly perMinute: number,
  ) {
    if (!Number.isInteger(perMinute) || perMinute < 1) throw new Error('rate limit must be a positive integer');
  }

  /** Records one command; false when the identity is over the limit (the command is not counted). */
  consume(identity: string): boolean {
    const now = this.clock.now();
    const recent = (this.hits.get(identity) ?? []).filter((t) => now - t < WINDOW_MS);
    if (recent.length >= this.perMinute) {
      this.hits.set(identity, recent);
      return false;
    }
    recent.push(now);
    this.hits.set(identity, recent);
    if (this.hits.size > 10_000) this.prune(now);
    return true;
  }

  /** Drops identities with nothing in the window, so memory follows active users only. */
  private prune(now: number): void {
    for (const [k, v] of this.hits) if (v.every((t) => now - t >= WINDOW_MS)) this.hits.delete(k);
  }
}
