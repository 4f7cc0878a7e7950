import type { Db } from '../core/db.ts';
import { parseAlertRecord } from './record-codec.ts';
import type { AlertRecord, OriginRecord, RaisedRecord } from './types.ts';

/** A stored row as a record, or nothing when it is not one (a damaged row is skipped, then overwritten by the next evaluation). */
const parsed = (data: string): AlertRecord[] => {
  const r = parseAlertRecord(data);
  return r ? [r] : [];
};

/** An active mute of a source or backend. */
export interface Mute {
  readonly target: string;
  readonly until: number;
  readonly by: string;
}

/** SQLite persistence of engine records, origins and mutes (no logic; the service owns transactions). */
export class AlertStore {
  constructor(private readonly db: Db) {}

  /** Every record of one origin. */
  recordsOf(origin: string): AlertRecord[] {
    const rows = this.db.prepare('SELECT data FROM alert_records WHERE origin = ? ORDER BY key').pluck().all(origin) as string[];
    return rows.flatMap(parsed);
  }

  /** One record by key. */
  record(key: string): AlertRecord | undefined {
    const d = this.db.prepare('SELECT data FROM alert_records WHERE key = ?').pluck().get(key) as string | undefined;
    return d === undefined ? undefined : parsed(d)[0];
  }

  /** Raised records, oldest first. */
  raised(): RaisedRecord[] {
    const rows = this.db.prepare("SELECT data FROM alert_records WHERE state = 'raised'").pluck().all() as string[];
    return rows
      .flatMap(parsed)
      .filter((r): r is RaisedRecord => r.state === 'raised')
      .sort((a, b) => a.raisedAt - b.raisedAt);
  }

  /** Pending records a cause holds, oldest first. */
  held(): AlertRecord[] {
    const rows = this.db
      .prepare("SELECT data FROM alert_records WHERE state = 'pending' AND json_extract(data, '$.heldBy') IS NOT NULL")
      .pluck()
      .all() as string[];
    return rows.flatMap(parsed).sort((a, b) => a.firstSeenAt - b.firstSeenAt || a.key.localeCompare(b.key));
  }

  /** Inserts or replaces a record. */
  save(r: AlertRecord, now: number): void {
    this.db
      .prepare(
        `INSERT INTO alert_records (key, origin, state, data, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(key) DO UPDATE SET origin = excluded.origin, state = excluded.state, data = excluded.data, updated_at = excluded.updated_at`,
      )
      .run(r.key, r.origin, r.state, JSON.stringify(r), now);
  }

  delete(key: string): void {
    this.db.prepare('DELETE FROM alert_records WHERE key = ?').run(key);
  }

  origin(origin: string): OriginRecord | undefined {
    const row = this.db.prepare('SELECT * FROM alert_origins WHERE origin = ?').get(origin) as
      { origin: string; reachable: number; since: number; last_eval_at: number; detail: string | null } | undefined;
    if (!row) return undefined;
    return {
      origin: row.origin,
      reachable: row.reachable === 1,
      since: row.since,
      lastEvalAt: row.last_eval_at,
      ...(row.detail ? { detail: row.detail } : {}),
    };
  }

  saveOrigin(o: OriginRecord): void {
    this.db
      .prepare(
        `INSERT INTO alert_origins (origin, reachable, since, last_eval_at, detail) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(origin) DO UPDATE SET reachable = excluded.reachable, since = excluded.since,
           last_eval_at = excluded.last_eval_at, detail = excluded.detail`,
      )
      .run(o.origin, o.reachable ? 1 : 0, o.since, o.lastEvalAt, o.detail ?? null);
  }

  /** Origins whose last evaluation said unreachable. */
  unreachableOrigins(): Set<string> {
    return new Set(this.db.prepare('SELECT origin FROM alert_origins WHERE reachable = 0').pluck().all() as string[]);
  }

  /** Mutes still in force at `now`. */
  mutes(now: number): Mute[] {
    return this.db.prepare('SELECT target, until, by FROM alert_mutes WHERE until > ? ORDER BY until').all(now) as Mute[];
  }

  mute(m: Mute, now: number): void {
    this.db
      .prepare(
        `INSERT INTO alert_mutes (target, until, by, created_at) VALUES (?, ?, ?, ?)
         ON CONFLICT(target) DO UPDATE SET until = excluded.until, by = excluded.by, created_at = excluded.created_at`,
      )
      .run(m.target, m.until, m.by, now);
  }

  /** Removes a mute; true when there was one. */
  unmute(target: string): boolean {
    return this.db.prepare('DELETE FROM alert_mutes WHERE target = ?').run(target).changes > 0;
  }
}
