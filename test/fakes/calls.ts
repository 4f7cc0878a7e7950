/**
 * The recorded-call log shared by the fake chat platforms: every request is appended with a
 * sequence number, listeners hear each one as it lands, and waits resolve on that event
 * (bounded by a timeout) rather than on sleeps. Also a per-key queue of injected faults.
 */

/** Fields every recorded call has. */
export interface CallBase {
  /** Position in the log, from 1; use it with `since` to wait only for later calls. */
  readonly seq: number;
  /** HTTP status the fake answered with. */
  readonly status: number;
  /** performance.now() when the request arrived. */
  readonly at: number;
  /** performance.now() when the answer was sent. */
  readonly doneAt: number;
}

type Listener<C> = (c: C) => void;

/** An append-only (optionally bounded) call log with event-based waits. */
export class CallLog<C extends CallBase> {
  private readonly list: C[] = [];
  private readonly listeners = new Set<Listener<C>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private seq = 0;
  private readonly byStatus = new Map<number, number>();

  constructor(private readonly maxLog = Number.POSITIVE_INFINITY) {}

  /** The recorded calls, oldest first. */
  get calls(): readonly C[] {
    return this.list;
  }

  /** The seq the next call will get. */
  get nextSeq(): number {
    return this.seq + 1;
  }

  /** Appends a call and tells the listeners. */
  add(c: Omit<C, 'seq'>): C {
    const full = { ...c, seq: ++this.seq } as C;
    this.list.push(full);
    if (this.list.length > this.maxLog) this.list.shift();
    this.byStatus.set(full.status, (this.byStatus.get(full.status) ?? 0) + 1);
    for (const l of [...this.listeners]) l(full);
    return full;
  }

  /** Subscribes to new calls; returns the unsubscribe function. */
  onCall(fn: Listener<C>): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Resolves with the first call (already logged or arriving) that `match` accepts. */
  waitForMatch(match: (c: C) => boolean, timeoutMs: number, what: string): Promise<C> {
    const found = this.list.find(match);
    if (found) return Promise.resolve(found);
    return this.waitFor<C>(() => undefined, timeoutMs, what, match);
  }

  /**
   * Resolves with the first truthy `probe()` result, probing now and after every new call;
   * `match` short-circuits with the call itself. Rejects after `timeoutMs` naming `what`.
   */
  waitFor<T>(probe: () => T | undefined, timeoutMs: number, what: string, match?: (c: C) => boolean): Promise<T> {
    const first = probe();
    if (first !== undefined) return Promise.resolve(first);
    return new Promise<T>((resolve, reject) => {
      const done = (): void => {
        off();
        clearTimeout(timer);
        this.timers.delete(timer);
      };
      const off = this.onCall((c) => {
        try {
          if (match?.(c)) {
            done();
            resolve(c as unknown as T);
            return;
          }
          const v = probe();
          if (v !== undefined) {
            done();
            resolve(v);
          }
        } catch (e) {
          done();
          reject(e as Error);
        }
      });
      const timer = setTimeout(() => {
        done();
        const recent = this.list
          .slice(-8)
          .map((c) => summary(c))
          .join('; ');
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last calls: ${recent || 'none'}`));
      }, timeoutMs);
      this.timers.add(timer);
    });
  }

  /** Counts of answers by HTTP status. */
  stats(): { total: number; byStatus: Record<number, number> } {
    return { total: this.seq, byStatus: Object.fromEntries(this.byStatus) };
  }

  /** Cancels pending waits' timers (they reject no more) and listeners. */
  close(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.listeners.clear();
  }
}

function summary(c: CallBase): string {
  const o = c as unknown as Record<string, unknown>;
  return `${String(o.method ?? '')} ${String(o.route ?? '')} → ${c.status}`.replace(/\s+/g, ' ');
}

/** Faults queued per key (a method or a route), consumed one per matching request. */
export class FaultQueue<F> {
  private readonly queued = new Map<string, F[]>();

  /** Queues `fault` for the next `times` requests of `key`. */
  add(key: string, fault: F, times = 1): void {
    const list = this.queued.get(key) ?? [];
    for (let i = 0; i < times; i++) list.push(fault);
    this.queued.set(key, list);
  }

  /** Takes the next fault for `key`, if any. */
  take(key: string): F | undefined {
    const list = this.queued.get(key);
    const f = list?.shift();
    if (list && list.length === 0) this.queued.delete(key);
    return f;
  }

  /** Drops every queued fault. */
  clear(): void {
    this.queued.clear();
  }
}
