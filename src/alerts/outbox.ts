import type { Db } from '../core/db.ts';
import { severityRank as rank, type Severity } from './condition.ts';
import type { OutboxPayload } from './payload.ts';
import type { AlertEvent } from './types.ts';

export type { DeliveryOutcome } from '../core/delivery.ts';

/** Delivery state of a row. `held`: quiet hours; `merged`: folded into a summary; `superseded`: a newer edit replaced it. */
export type OutboxStatus = 'pending' | 'sent' | 'dead' | 'held' | 'merged' | 'superseded';

/** A message to deliver, as enqueued. */
export interface OutboxItem {
  readonly destination: string;
  /** Unique per destination and event: enqueueing the same key twice stores it once. */
  readonly dedupKey: string;
  readonly payload: OutboxPayload;
  readonly severity: Severity;
  /** Conversation thread (alert episode): edits go to the thread's last message. */
  readonly thread?: string;
  /** Edit the thread's last message instead of sending a new one. */
  readonly edit?: boolean;
  /** Held by quiet hours until then. */
  readonly holdUntil?: number;
}

/** One stored row. */
export interface OutboxRow {
  readonly id: number;
  readonly destination: string;
  readonly dedupKey: string;
  readonly payload: OutboxPayload;
  readonly severity: Severity;
  readonly thread: string | null;
  readonly edit: boolean;
  readonly status: OutboxStatus;
  readonly attempts: number;
  readonly nextAttemptAt: number;
  readonly releaseAt: number | null;
  readonly lastError: string | null;
  readonly ref: string | null;
  readonly grouped: boolean;
  readonly createdAt: number;
  readonly sentAt: number | null;
}

interface RawRow {
  id: number;
  destination: string;
  dedup_key: string;
  payload: string;
  severity: Severity;
  thread: string | null;
  edit: number;
  status: OutboxStatus;
  attempts: number;
  next_attempt_at: number;
  release_at: number | null;
  last_error: string | null;
  ref: string | null;
  grouped: number;
  created_at: number;
  sent_at: number | null;
}

/** Converts a database row. */
export function fromRaw(r: RawRow): OutboxRow {
  return {
    id: r.id,
    destination: r.destination,
    dedupKey: r.dedup_key,
    payload: JSON.parse(r.payload) as OutboxPayload,
    severity: r.severity,
    thread: r.thread,
    edit: r.edit === 1,
    status: r.status,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    releaseAt: r.release_at,
    lastError: r.last_error,
    ref: r.ref,
    grouped: r.grouped === 1,
    createdAt: r.created_at,
    sentAt: r.sent_at,
  };
}

const marks = (ids: readonly unknown[]): string => ids.map(() => '?').join(',');

/**
 * The SQLite outbox. Writes happen inside the caller's transaction (the engine's state change
 * and its messages commit together); the OutboxWorker delivers.
 */
export class Outbox {
  constructor(private readonly db: Db) {}

  /** Stores a message; false when its dedup key was already stored (duplicate suppressed). */
  enqueue(item: OutboxItem, now: number): boolean {
    let status: OutboxStatus = item.holdUntil !== undefined ? 'held' : 'pending';
    let releaseAt = item.holdUntil ?? null;
    if (item.edit && item.thread) {
      // Only the newest edit of a thread matters; and an edit of a held message waits with it.
      this.db
        .prepare(
          "UPDATE alert_outbox SET status = 'superseded' WHERE destination = ? AND thread = ? AND edit = 1 AND status IN ('pending', 'held')",
        )
        .run(item.destination, item.thread);
      const held = this.db
        .prepare("SELECT release_at FROM alert_outbox WHERE destination = ? AND thread = ? AND status = 'held' ORDER BY id DESC LIMIT 1")
        .pluck()
        .get(item.destination, item.thread) as number | undefined;
      if (held !== undefined) {
        status = 'held';
        releaseAt = held;
      } else if (status === 'held') {
        // Edits are silent on every platform: no need to hold them for quiet hours.
        status = 'pending';
        releaseAt = null;
      }
    }
    const res = this.db
      .prepare(
        `INSERT OR IGNORE INTO alert_outbox (destination, dedup_key, payload, severity, thread, edit, status, attempts, next_attempt_at, release_at, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)`,
      )
      .run(
        item.destination,
        item.dedupKey,
        JSON.stringify(item.payload),
        item.severity,
        item.thread ?? null,
        item.edit ? 1 : 0,
        status,
        now,
        releaseAt,
        now,
      );
    return res.changes > 0;
  }

  /** Releases messages whose quiet hours ended: one summary per destination (or the lone message itself). */
  releaseHeld(now: number): number {
    const rows = (
      this.db.prepare("SELECT * FROM alert_outbox WHERE status = 'held' AND release_at <= ? ORDER BY id").all(now) as RawRow[]
    ).map(fromRaw);
    if (rows.length === 0) return 0;
    const byDest = new Map<string, OutboxRow[]>();
    for (const r of rows) byDest.set(r.destination, [...(byDest.get(r.destination) ?? []), r]);
    this.db.transaction(() => {
      for (const [dest, list] of byDest) {
        const news = list.filter((r) => !r.edit);
        if (news.length <= 1) {
          this.db
            .prepare(`UPDATE alert_outbox SET status = 'pending', next_attempt_at = ? WHERE id IN (${list.map(() => '?').join(',')})`)
            .run(now, ...list.map((r) => r.id));
          continue;
        }
        const severity = news.reduce<Severity>((s, r) => (rank(r.severity) > rank(s) ? r.severity : s), 'info');
        const payload: OutboxPayload = { type: 'summary', items: news.map((r) => r.payload), since: list[0]!.createdAt };
        const ins = this.db
          .prepare(
            `INSERT OR IGNORE INTO alert_outbox (destination, dedup_key, payload, severity, thread, edit, status, attempts, next_attempt_at, created_at)
             VALUES (?, ?, ?, ?, NULL, 0, 'pending', 0, ?, ?)`,
          )
          .run(dest, `summary:${dest}:${list[0]!.id}`, JSON.stringify(payload), severity, now, now);
        this.db
          .prepare(`UPDATE alert_outbox SET status = 'merged', merged_into = ? WHERE id IN (${list.map(() => '?').join(',')})`)
          .run(Number(ins.lastInsertRowid), ...list.map((r) => r.id));
      }
    })();
    return rows.length;
  }

  /** How many rows whose dedup key starts with `prefix` still wait to be delivered. */
  undelivered(prefix: string): number {
    return this.db
      .prepare("SELECT COUNT(*) FROM alert_outbox WHERE substr(dedup_key, 1, length(?)) = ? AND status IN ('pending', 'held')")
      .pluck()
      .get(prefix, prefix) as number;
  }

  /** Destinations with pending rows. */
  pendingDestinations(): string[] {
    return this.db.prepare("SELECT DISTINCT destination FROM alert_outbox WHERE status = 'pending'").pluck().all() as string[];
  }

  /** The first `limit` pending rows of one destination, in order. */
  pendingFor(destination: string, limit: number): OutboxRow[] {
    return (
      this.db
        .prepare("SELECT * FROM alert_outbox WHERE destination = ? AND status = 'pending' ORDER BY id LIMIT ?")
        .all(destination, limit) as RawRow[]
    ).map(fromRaw);
  }

  /** When the next pending row (after its grouping window) or held release is due; null when none. */
  nextDueAt(groupWindowMs: number): number | null {
    return this.db
      .prepare(
        `SELECT MIN(t) FROM (
           SELECT MAX(next_attempt_at, created_at + ?) AS t FROM alert_outbox WHERE status = 'pending'
           UNION ALL SELECT release_at FROM alert_outbox WHERE status = 'held')`,
      )
      .pluck()
      .get(groupWindowMs) as number | null;
  }

  /** Counts an attempt before sending: a crash mid-send must not retry forever. */
  countAttempt(ids: readonly number[]): void {
    this.db.prepare(`UPDATE alert_outbox SET attempts = attempts + 1 WHERE id IN (${marks(ids)})`).run(...ids);
  }

  /** The platform accepted the rows. */
  markSent(ids: readonly number[], ref: string, grouped: boolean, at: number): void {
    this.db
      .prepare(`UPDATE alert_outbox SET status = 'sent', ref = ?, grouped = ?, sent_at = ?, last_error = NULL WHERE id IN (${marks(ids)})`)
      .run(ref, grouped ? 1 : 0, at, ...ids);
  }

  /** The rows will never go (a permanent error, or too old). */
  markDead(ids: readonly number[], error: string): void {
    this.db.prepare(`UPDATE alert_outbox SET status = 'dead', last_error = ? WHERE id IN (${marks(ids)})`).run(error, ...ids);
  }

  /** Tries again at `at`; `refund` gives the attempt back (the platform was unreachable, the message is fine). */
  reschedule(ids: readonly number[], at: number, error: string, refund: boolean): void {
    this.db
      .prepare(`UPDATE alert_outbox SET next_attempt_at = ?, last_error = ?, attempts = attempts - ? WHERE id IN (${marks(ids)})`)
      .run(at, error, refund ? 1 : 0, ...ids);
  }

  /** The message to edit is gone (deleted by a user): send the new state as a fresh message. */
  sendInsteadOfEdit(id: number, error: string): void {
    this.db.prepare('UPDATE alert_outbox SET edit = 0, attempts = attempts - 1, last_error = ? WHERE id = ?').run(error, id);
  }

  /** The platform ref of the thread's last message in this chat, unless that message was a group (editing it would lose the others). */
  editTarget(row: OutboxRow): string | undefined {
    if (!row.thread) return undefined;
    const last = this.db
      .prepare(
        "SELECT ref, grouped FROM alert_outbox WHERE destination = ? AND thread = ? AND status = 'sent' AND ref IS NOT NULL AND id < ? ORDER BY id DESC LIMIT 1",
      )
      .get(row.destination, row.thread, row.id) as { ref: string; grouped: number } | undefined;
    return last && last.grouped === 0 ? last.ref : undefined;
  }

  /**
   * After an outage: the destination's queued alert rows become one "while you were offline"
   * summary in the place of the first (order kept), listing what is still active. Returns the
   * number of rows folded (0 when fewer than two were queued).
   */
  foldOffline(destination: string, now: number): number {
    const rows = (
      this.db.prepare("SELECT * FROM alert_outbox WHERE destination = ? AND status = 'pending' ORDER BY id").all(destination) as RawRow[]
    )
      .map(fromRaw)
      .filter((r) => r.payload.type === 'alert' || r.payload.type === 'group' || r.payload.type === 'offline');
    if (rows.length < 2) return 0;
    // An earlier summary of the same outage takes in what arrived since.
    const events = rows.flatMap((r): AlertEvent[] =>
      r.payload.type === 'alert'
        ? [r.payload.event]
        : r.payload.type === 'group'
          ? [...r.payload.items]
          : r.payload.type === 'offline'
            ? [...r.payload.active]
            : [],
    );
    const counted = rows.reduce(
      (n, r) => n + (r.payload.type === 'offline' ? r.payload.events - r.payload.active.length : 0),
      events.length,
    );
    const last = new Map<string, AlertEvent>();
    for (const e of events) last.set(e.thread, e);
    const active = [...last.values()].filter((e) => e.kind !== 'resolve');
    const head = rows[0]!;
    const payload: OutboxPayload = { type: 'offline', since: head.createdAt, until: now, active, events: counted };
    const severity = rows.reduce<Severity>((s, r) => (rank(r.severity) > rank(s) ? r.severity : s), 'info');
    const rest = rows.slice(1).map((r) => r.id);
    this.db.transaction(() => {
      this.db
        .prepare(
          'UPDATE alert_outbox SET payload = ?, severity = ?, thread = NULL, edit = 0, attempts = 0, next_attempt_at = ? WHERE id = ?',
        )
        .run(JSON.stringify(payload), severity, now, head.id);
      this.db.prepare(`UPDATE alert_outbox SET status = 'merged', merged_into = ? WHERE id IN (${marks(rest)})`).run(head.id, ...rest);
    })();
    return rows.length;
  }

  /** Pending rows and the age of the oldest (for /healthz). */
  depth(now: number): { readonly pending: number; readonly oldestMs: number | null } {
    const r = this.db.prepare("SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM alert_outbox WHERE status = 'pending'").get() as {
      n: number;
      oldest: number | null;
    };
    return { pending: r.n, oldestMs: r.oldest === null ? null : now - r.oldest };
  }

  /** Rows in given states, oldest first (for /alerts and tests). */
  list(statuses: readonly OutboxStatus[] = ['pending', 'sent', 'dead', 'held'], limit = 1000): OutboxRow[] {
    return (
      this.db
        .prepare(`SELECT * FROM alert_outbox WHERE status IN (${statuses.map(() => '?').join(',')}) ORDER BY id LIMIT ?`)
        .all(...statuses, limit) as RawRow[]
    ).map(fromRaw);
  }

  /** The newest row id (0 when empty), to find what a change enqueued afterwards. */
  lastId(): number {
    return this.db.prepare('SELECT COALESCE(MAX(id), 0) FROM alert_outbox').pluck().get() as number;
  }

  /** Rows with an id above `id`, oldest first. */
  since(id: number): OutboxRow[] {
    return (this.db.prepare('SELECT * FROM alert_outbox WHERE id > ? ORDER BY id').all(id) as RawRow[]).map(fromRaw);
  }

  /** Counts by status. */
  counts(): Record<OutboxStatus, number> {
    const out: Record<OutboxStatus, number> = { pending: 0, sent: 0, dead: 0, held: 0, merged: 0, superseded: 0 };
    for (const r of this.db.prepare('SELECT status, COUNT(*) AS n FROM alert_outbox GROUP BY status').all() as {
      status: OutboxStatus;
      n: number;
    }[]) {
      out[r.status] = r.n;
    }
    return out;
  }

  /** Puts a dead row back in the queue (after fixing the chat, say). */
  retry(id: number, now: number): boolean {
    return (
      this.db
        .prepare("UPDATE alert_outbox SET status = 'pending', attempts = 0, next_attempt_at = ? WHERE id = ? AND status = 'dead'")
        .run(now, id).changes > 0
    );
  }

  /** Deletes delivered rows older than `before` (housekeeping; dead rows stay until retried or purged by hand). */
  prune(before: number): number {
    return this.db.prepare("DELETE FROM alert_outbox WHERE status IN ('sent', 'merged', 'superseded') AND created_at < ?").run(before)
      .changes;
  }
}
