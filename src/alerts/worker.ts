import type { Clock } from '../core/clock.ts';
import type { Db } from '../core/db.ts';
import type { DeliveryOutcome } from '../core/delivery.ts';
import type { Logger } from '../core/logger.ts';
import type { OutMessage } from '../core/outmessage.ts';
import { Outbox, type OutboxRow } from './outbox.ts';
import type { OutboxPayload, Render } from './payload.ts';
import type { AlertEvent } from './types.ts';

/**
 * Sends (or, with `editRef`, edits) one message. `meta.dedupKey` is stable across retries and
 * restarts, so a platform with idempotency support (Discord's nonce) can drop duplicates.
 */
export type Deliver = (
  destination: string,
  message: OutMessage,
  editRef?: string,
  meta?: { readonly dedupKey: string; readonly attempt: number },
) => Promise<DeliveryOutcome>;

/** What the outbox worker needs (database, time, log, how to render and deliver a row) and its retry, grouping and stop bounds. */
export interface OutboxWorkerOptions {
  readonly db: Db;
  readonly clock: Clock;
  readonly log: Logger;
  readonly deliver: Deliver;
  readonly render: Render;
  /** Dead-letter after this many per-message failures (default 12); an unreachable platform never counts. */
  readonly maxAttempts?: number;
  /** Dead-letter a message still undelivered this long after it was queued (default 24 h). */
  readonly maxAgeMs?: number;
  /** Exponential backoff for per-message failures: base * 2^(attempt-1), capped (defaults 5 s, 60 s). */
  readonly backoff?: { readonly baseMs: number; readonly maxMs: number };
  /** Wait between tries while a platform is unreachable (default 2 s): recovery is quick whatever the outage length. */
  readonly unreachableRetryMs?: number;
  /** A send that has not answered after this long counts as unreachable (default 30 s). */
  readonly deliveryTimeoutMs?: number;
  /**
   * Alerts queued at least this long behind a failing send become one "while you were offline"
   * summary (default 60 s). A backlog with stale news (an alert with more than one queued event,
   * a raise later resolved) folds whatever its age.
   */
  readonly offlineAfterMs?: number;
  /** A fresh alert waits this long for siblings so a storm goes out as one message (default 1000 ms). */
  readonly groupWindowMs?: number;
  /** This many alert messages ready together for one chat are sent as one (default 3). */
  readonly stormThreshold?: number;
  /** At most this many alerts in one grouped message (default 20). */
  readonly maxGroup?: number;
  /** Idle wake-up interval of the background loop (default 1000 ms). */
  readonly idleMs?: number;
  /** Longest wait for sends in flight on stop (default 5 s); they stay pending for the next start. */
  readonly stopTimeoutMs?: number;
}

const groupable = (r: OutboxRow): boolean => !r.edit && r.payload.type === 'alert';
const DAY_MS = 86_400_000;

/** The alert events a queued row would tell (an earlier summary tells what it found still active). */
const eventsOf = (p: OutboxPayload): readonly AlertEvent[] =>
  p.type === 'alert' ? [p.event] : p.type === 'group' ? p.items : p.type === 'offline' ? p.active : [];

/** Some alert has more than one queued event: the earlier ones are stale (a raise since resolved, say). */
function hasStaleNews(rows: readonly OutboxRow[]): boolean {
  const threads = new Set<string>();
  for (const e of rows.flatMap((r) => eventsOf(r.payload))) {
    if (threads.has(e.thread)) return true;
    threads.add(e.thread);
  }
  return false;
}

/**
 * Delivers outbox rows: per destination strictly in order (a row that waits for a retry blocks
 * the ones after it), each destination drained on its own so a hung or unreachable platform
 * never delays another. At-least-once: a row is marked sent only after the platform accepted
 * it, and its attempt is counted before sending, so a crash loop still ends in a dead letter;
 * an unreachable platform gives the attempt back, so an outage of any length burns none.
 */
export class OutboxWorker {
  private readonly outbox: Outbox;
  private readonly maxAttempts: number;
  private readonly maxAgeMs: number;
  private readonly backoff: { baseMs: number; maxMs: number };
  private readonly groupWindowMs: number;
  private readonly stormThreshold: number;
  private readonly maxGroup: number;
  private readonly draining = new Map<string, Promise<number>>();
  private timer: NodeJS.Timeout | undefined;
  private started = false;
  private closed = false;

  constructor(private readonly o: OutboxWorkerOptions) {
    this.outbox = new Outbox(o.db);
    this.maxAttempts = o.maxAttempts ?? 12;
    this.maxAgeMs = o.maxAgeMs ?? DAY_MS;
    this.backoff = o.backoff ?? { baseMs: 5000, maxMs: 60_000 };
    this.groupWindowMs = o.groupWindowMs ?? 1000;
    this.stormThreshold = o.stormThreshold ?? 3;
    this.maxGroup = o.maxGroup ?? 20;
  }

  /** Delay before retry number `attempt` (1-based). */
  backoffMs(attempt: number): number {
    return Math.min(this.backoff.maxMs, this.backoff.baseMs * 2 ** Math.max(0, attempt - 1));
  }

  /**
   * Starts draining every destination with due rows and resolves with the number of delivery
   * attempts once all drains (also ones already running) end.
   */
  async tick(): Promise<number> {
    this.startDrains();
    let attempts = 0;
    while (this.draining.size > 0) {
      const counts = await Promise.all([...this.draining.values()]);
      attempts += counts.reduce((a, b) => a + b, 0);
    }
    return attempts;
  }

  /** Starts the background loop. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.schedule(0);
  }

  /** Wakes the loop now (called after enqueueing). */
  kick(): void {
    if (this.started) this.schedule(0);
  }

  /** Stops the loop; waits a bounded time for sends in flight (unfinished rows stay pending). */
  async stop(): Promise<void> {
    this.started = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.draining.values()]),
      new Promise<void>((r) => {
        timer = setTimeout(r, this.o.stopTimeoutMs ?? 5000);
        timer.unref();
      }),
    ]);
    clearTimeout(timer);
    this.closed = true; // a send still hanging must not touch the database after this
  }

  /** The background loop never awaits a drain: a hung destination cannot stall the others. */
  private schedule(ms: number): void {
    if (!this.started) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      try {
        this.startDrains();
        this.schedule(this.nextWakeMs());
      } catch (e) {
        this.o.log.error({ err: e }, 'outbox pass failed');
        this.schedule(this.o.idleMs ?? 1000);
      }
    }, ms);
  }

  private startDrains(): void {
    if (this.closed) return;
    this.outbox.releaseHeld(this.o.clock.now());
    for (const d of this.outbox.pendingDestinations()) {
      if (this.draining.has(d)) continue;
      const p = this.drain(d)
        .catch((e: unknown) => {
          if (!this.closed) this.o.log.error({ err: e, destination: d }, 'outbox drain failed');
          return 0;
        })
        .finally(() => {
          this.draining.delete(d);
          if (!this.closed) this.kick(); // rows may have become due meanwhile
        });
      this.draining.set(d, p);
    }
  }

  /** Time until the earliest pending row or held release is due, capped by the idle interval. */
  private nextWakeMs(): number {
    const idle = this.o.idleMs ?? 1000;
    const next = this.outbox.nextDueAt(this.groupWindowMs);
    return next === null ? idle : Math.max(0, Math.min(idle, next - this.o.clock.now()));
  }

  /** Delivers one destination's due rows in order until one has to wait. */
  private async drain(destination: string): Promise<number> {
    let attempts = 0;
    for (let guard = 0; guard < 1000 && !this.closed; guard++) {
      const now = this.o.clock.now();
      const rows = this.outbox.pendingFor(destination, this.maxGroup);
      const head = rows[0];
      if (!head || head.nextAttemptAt > now) return attempts;
      if (now - head.createdAt >= this.maxAgeMs) {
        this.o.log.warn({ destination, id: head.id, ageMs: now - head.createdAt }, 'outbox message too old: dead-lettered');
        this.outbox.markDead([head.id], `undelivered for ${Math.round((now - head.createdAt) / 60_000)} min`);
        continue;
      }
      // Back from an outage with a backlog: one summary instead of a burst of stale raises and resolves.
      if (
        head.lastError !== null &&
        (now - head.createdAt >= (this.o.offlineAfterMs ?? 60_000) || hasStaleNews(rows)) &&
        this.outbox.foldOffline(destination, now) > 0
      )
        continue;
      let batch = [head];
      if (groupable(head)) {
        if (head.attempts === 0 && now - head.createdAt < this.groupWindowMs) return attempts;
        const run: OutboxRow[] = [];
        for (const r of rows) {
          if (!groupable(r) || r.nextAttemptAt > now) break;
          run.push(r);
        }
        if (run.length >= this.stormThreshold) batch = run;
      }
      attempts++;
      await this.deliverBatch(batch);
    }
    return attempts;
  }

  private async deliverBatch(batch: readonly OutboxRow[]): Promise<void> {
    const head = batch[0]!;
    const ids = batch.map((r) => r.id);
    this.outbox.countAttempt(ids);
    const attempt = head.attempts + 1;
    const payload: OutboxPayload =
      batch.length > 1
        ? { type: 'group', items: batch.map((r) => (r.payload as { event: AlertEvent }).event) }
        : head.payload.type === 'offline'
          ? { ...head.payload, until: this.o.clock.now() } // the outage lasted until this send
          : head.payload;
    const editRef = head.edit ? this.outbox.editTarget(head) : undefined;
    let outcome: DeliveryOutcome;
    try {
      const message = await this.o.render(payload, head.destination);
      outcome = await this.withTimeout(this.o.deliver(head.destination, message, editRef, { dedupKey: head.dedupKey, attempt }));
    } catch (e) {
      outcome = { ok: false, error: (e as Error).message || 'delivery threw' };
    }
    if (this.closed) return; // stopped while the send hung: the row stays pending for the next start
    const done = this.o.clock.now();
    if (outcome.ok) {
      this.outbox.markSent(ids, outcome.ref, batch.length > 1, done);
      return;
    }
    const error = outcome.error.slice(0, 500);
    if (outcome.unreachable) {
      // The line is down, not the message: no attempt burned, and a quick retry once it is back.
      this.outbox.reschedule(ids, done + (this.o.unreachableRetryMs ?? 2000), error, true);
      return;
    }
    if (outcome.permanent && editRef !== undefined) {
      this.outbox.sendInsteadOfEdit(head.id, error);
      return;
    }
    if (outcome.permanent || attempt >= this.maxAttempts) {
      this.o.log.warn({ destination: head.destination, ids, error, attempt }, 'outbox message dead-lettered');
      this.outbox.markDead(ids, error);
      return;
    }
    const delay = outcome.retryAfterMs !== undefined ? Math.max(outcome.retryAfterMs, 0) : this.backoffMs(attempt);
    this.outbox.reschedule(ids, done + delay, error, false);
  }

  /** Bounds one send: a platform that never answers counts as unreachable. */
  private withTimeout(p: Promise<DeliveryOutcome>): Promise<DeliveryOutcome> {
    const ms = this.o.deliveryTimeoutMs ?? 30_000;
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([
      p,
      new Promise<DeliveryOutcome>((resolve) => {
        timer = setTimeout(() => resolve({ ok: false, unreachable: true, error: `no answer in ${ms} ms` }), ms);
      }),
    ]).finally(() => clearTimeout(timer));
  }
}
