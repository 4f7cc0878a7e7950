/** Per-identity sliding-window rate limit, in memory (a restart forgiving everyone is fine). */
import type { Clock } from '../core/clock.ts';

const WINDOW_MS = 60_000;

/** One identity's commands in the window, oldest first; those before `head` have left it. */
interface Window {
  times: number[];
  head: number;
}

/** Counts commands per identity over the last minute. */
export class RateLimiter {
  private readonly hits = new Map<string, Window>();
  /** When each identity was last told it is over the limit. */
  private readonly told = new Map<string, number>();

  constructor(
    private readonly clock: Clock,
    private readonly perMinute: number,
  ) {
    if (!Number.isInteger(perMinute) || perMinute < 1) throw new Error('rate limit must be a positive integer');
  }

  /**
   * Records one command; false when the identity is over the limit (the command is not counted).
   * Times arrive in order, so the ones leaving the window are at the front: each call costs the
   * same however high the limit (a filter over every hit cost a high limit a copy per message).
   */
  consume(identity: string): boolean {
    const now = this.clock.now();
    let w = this.hits.get(identity);
    if (!w) this.hits.set(identity, (w = { times: [], head: 0 }));
    while (w.head < w.times.length && now - w.times[w.head]! >= WINDOW_MS) w.head++;
    // Compact once the departed half dominates, so the array follows the window, not the history.
    if (w.head > 32 && w.head * 2 > w.times.length) {
      w.times = w.times.slice(w.head);
      w.head = 0;
    }
    if (w.times.length - w.head >= this.perMinute) return false;
    w.times.push(now);
    if (this.hits.size > 10_000) this.prune(now);
    return true;
  }

  /**
   * After a refusal: true when the identity should be told (the first refusal in a window), false
   * while it was already told within the last minute, so a flood gets one note, not one per message.
   */
  tellRefusal(identity: string): boolean {
    const now = this.clock.now();
    const last = this.told.get(identity);
    if (last !== undefined && now - last < WINDOW_MS) return false;
    this.told.set(identity, now);
    if (this.told.size > 10_000) for (const [k, at] of this.told) if (now - at >= WINDOW_MS) this.told.delete(k);
    return true;
  }

  /** Drops identities with nothing in the window, so memory follows active users only. */
  private prune(now: number): void {
    for (const [k, w] of this.hits) if (w.times.length === 0 || now - w.times[w.times.length - 1]! >= WINDOW_MS) this.hits.delete(k);
  }
}
