import type { Clock } from '../core/clock.ts';
import type { Db } from '../core/db.ts';
import type { Logger } from '../core/logger.ts';
import type { OutMessage } from '../core/outmessage.ts';
import { fromRaw, Outbox, type OutboxRow } from './outbox.ts';
import type { OutboxPayload, Render } from './payload.ts';
import type { AlertEvent } from './types.ts';

/** What a chat adapter reports for one send or edit. */
export type DeliveryOutcome =
  | { readonly ok: true; readonly ref: string }
  | { readonly ok: false; readonly retryAfterMs?: number; readonly permanent?: boolean; readonly error: string };

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

export interface OutboxWorkerOptions {
  readonly db: Db;
  readonly clock: Clock;
  readonly log: Logger;
  readonly deliver: Deliver;
  readonly render: Render;
  /** Dead-letter after this many attempts (default 12). */
  readonly maxAttempts?: number;
  /** Exponential backoff: base * 2^(attempt-1), capped (defaults 5 s, 1 h). */
  readonly backoff?: { readonly baseMs: number; readonly maxMs: number };
  /** A fresh alert waits this long for siblings so a storm goes out as one message (default 1000 ms). */
  readonly groupWindowMs?: number;
  /** This many alert messages ready together for one chat are sent as one (default 3). */
  readonly stormThreshold?: number;
  /** At most this many alerts in one grouped message (default 20). */
  readonly maxGroup?: number;
  /** Idle wake-up interval of the background loop (default 1000 ms). */
  readonly idleMs?: number;
}

const groupable = (r: OutboxRow): boolean => !r.edit && r.payload.type === 'alert';

/**
 * Delivers outbox rows: per destination strictly in order (a row that waits for a retry blocks
 * the ones after it), destinations in parallel. At-least-once: a row is marked sent only after
 * the platform accepted it, and its attempt is counted before sending, so a crash loop still
 * ends in a dead letter rather than an endless resend.
 */
export class OutboxWorker {
  private readonly outbox: Outbox;
  private readonly maxAttempts: number;
  private readonly backoff: { baseMs: number; maxMs: number };
  private readonly groupWindowMs: number;
  private readonly stormThreshold: number;
  private readonly maxGroup: number;
  private running: Promise<number> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private started = false;

  constructor(private readonly o: OutboxWorkerOptions) {
    this.outbox = new Outbox(o.db);
    this.maxAttempts = o.maxAttempts ?? 12;
    this.backoff = o.backoff ?? { baseMs: 5000, maxMs: 3_600_000 };
    this.groupWindowMs = o.groupWindowMs ?? 1000;
    this.stormThreshold = o.stormThreshold ?? 3;
    this.maxGroup = o.maxGroup ?? 20;
  }

  /** Delay before retry number `attempt` (1-based). */
  backoffMs(attempt: number): number {
    return Math.min(this.backoff.maxMs, this.backoff.baseMs * 2 ** Math.max(0, attempt - 1));
  }

  /** Delivers everything due now; resolves with the number of delivery attempts made. Concurrent calls share one pass. */
  tick(): Promise<number> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.pass().finally(() => {
      this.running = undefined;
    });
    return this.running;
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

  /** Stops the loop; an in-flight delivery completes. */
  async stop(): Promise<void> {
    this.started = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private schedule(ms: number): void {
    if (!this.started) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.tick()
        .catch((e: unknown) => this.o.log.error({ err: e }, 'outbox pass failed'))
        .finally(() => this.schedule(this.again ? 0 : this.nextWakeMs()));
      this.again = false;
    }, ms);
  }

  /** Time until the earliest pending row or held release is due, capped by the idle interval. */
  private nextWakeMs(): number {
    const now = this.o.clock.now();
    const idle = this.o.idleMs ?? 1000;
    const next = this.o.db
      .prepare(
        `SELECT MIN(t) FROM (
           SELECT MAX(next_attempt_at, created_at + ?) AS t FROM alert_outbox WHERE status = 'pending'
           UNION ALL SELECT release_at FROM alert_outbox WHERE status = 'held')`,
      )
      .pluck()
      .get(this.groupWindowMs) as number | null;
    return next === null ? idle : Math.max(0, Math.min(idle, next - now));
  }

  private async pass(): Promise<number> {
    let attempts = 0;
    do {
      this.again = false;
      this.outbox.releaseHeld(this.o.clock.now());
      const dests = this.o.db.prepare("SELECT DISTINCT destination FROM alert_outbox WHERE status = 'pending'").pluck().all() as string[];
      const counts = await Promise.all(dests.map((d) => this.drain(d)));
      attempts += counts.reduce((a, b) => a + b, 0);
    } while (this.again);
    return attempts;
  }

  /** Delivers one destination's due rows in order until one has to wait. */
  private async drain(destination: string): Promise<number> {
    let attempts = 0;
    for (let guard = 0; guard < 1000; guard++) {
      const now = this.o.clock.now();
      const rows = (
        this.o.db
          .prepare("SELECT * FROM alert_outbox WHERE destination = ? AND status = 'pending' ORDER BY id LIMIT ?")
          .all(destination, this.maxGroup) as Parameters<typeof fromRaw>[0][]
      ).map(fromRaw);
      const head = rows[0];
      if (!head || head.nextAttemptAt > now) return attempts;
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
    const inList = ids.map(() => '?').join(',');
    // Count the attempt before sending: a crash mid-send must not retry forever.
    this.o.db.prepare(`UPDATE alert_outbox SET attempts = attempts + 1 WHERE id IN (${inList})`).run(...ids);
    const attempt = head.attempts + 1;
    const payload: OutboxPayload =
      batch.length > 1 ? { type: 'group', items: batch.map((r) => (r.payload as { event: AlertEvent }).event) } : head.payload;
    const editRef = head.edit ? this.editTarget(head) : undefined;
    let outcome: DeliveryOutcome;
    try {
      const message = await this.o.render(payload, head.destination);
      outcome = await this.o.deliver(head.destination, message, editRef, { dedupKey: head.dedupKey, attempt });
    } catch (e) {
      outcome = { ok: false, error: (e as Error).message || 'delivery threw' };
    }
    const done = this.o.clock.now();
    if (outcome.ok) {
      this.o.db
        .prepare(`UPDATE alert_outbox SET status = 'sent', ref = ?, grouped = ?, sent_at = ?, last_error = NULL WHERE id IN (${inList})`)
        .run(outcome.ref, batch.length > 1 ? 1 : 0, done, ...ids);
      return;
    }
    const error = outcome.error.slice(0, 500);
    if (outcome.permanent && editRef !== undefined) {
      // The message to edit is gone (deleted by a user): send the new state as a fresh message.
      this.o.db.prepare('UPDATE alert_outbox SET edit = 0, attempts = attempts - 1, last_error = ? WHERE id = ?').run(error, head.id);
      return;
    }
    if (outcome.permanent || attempt >= this.maxAttempts) {
      this.o.log.warn({ destination: head.destination, ids, error, attempt }, 'outbox message dead-lettered');
      this.o.db.prepare(`UPDATE alert_outbox SET status = 'dead', last_error = ? WHERE id IN (${inList})`).run(error, ...ids);
      return;
    }
    const delay = outcome.retryAfterMs !== undefined ? Math.max(outcome.retryAfterMs, 0) : this.backoffMs(attempt);
    this.o.db
      .prepare(`UPDATE alert_outbox SET next_attempt_at = ?, last_error = ? WHERE id IN (${inList})`)
      .run(done + delay, error, ...ids);
  }

  /** The platform ref of the thread's last message in this chat, unless that message was a group (editing it would lose the others). */
  private editTarget(row: OutboxRow): string | undefined {
    if (!row.thread) return undefined;
    const last = this.o.db
      .prepare(
        "SELECT ref, grouped FROM alert_outbox WHERE destination = ? AND thread = ? AND status = 'sent' AND ref IS NOT NULL AND id < ? ORDER BY id DESC LIMIT 1",
      )
      .get(row.destination, row.thread, row.id) as { ref: string; grouped: number } | undefined;
    return last && last.grouped === 0 ? last.ref : undefined;
  }
}
