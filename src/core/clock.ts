/** Source of time, injected so tests and the alert engine can control it. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

/** Runs a callback later; injected beside the clock so tests fire timers by moving a ManualClock. */
export interface Scheduler {
  /** Calls `fn` once, `ms` from now; returns the cancel (a no-op once fired). */
  after(ms: number, fn: () => void): () => void;
}

/** The wall clock. */
export const systemClock: Clock = { now: () => Date.now() };

/** Real timers; unref'd, so a pending one never keeps the process alive. */
export const systemScheduler: Scheduler = {
  after(ms, fn) {
    const timer = setTimeout(fn, ms);
    timer.unref();
    return () => clearTimeout(timer);
  },
};

/** A clock tests move by hand; its timers fire, in time order, when it is moved past them. */
export class ManualClock implements Clock, Scheduler {
  private readonly timers = new Set<{ at: number; fn: () => void }>();

  constructor(private t = Date.UTC(2026, 10, 25, 12, 0, 0)) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.set(this.t + ms);
  }
  set(ms: number): void {
    // One at a time, each seeing the clock at its own time: a timer may cancel or add others
    // (one added now that falls due before `ms` fires in this move too).
    for (;;) {
      let next: { at: number; fn: () => void } | undefined;
      for (const timer of this.timers) if (timer.at <= ms && (!next || timer.at < next.at)) next = timer;
      if (!next) break;
      this.timers.delete(next);
      this.t = Math.max(this.t, next.at);
      next.fn();
    }
    this.t = ms;
  }
  after(ms: number, fn: () => void): () => void {
    const timer = { at: this.t + ms, fn };
    this.timers.add(timer);
    return () => void this.timers.delete(timer);
  }
  /** Timers not fired nor cancelled yet. */
  get pendingTimers(): number {
    return this.timers.size;
  }
}
