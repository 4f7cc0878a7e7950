/**
 * The audit log: every state-changing command, button press, grant change, invite, approval
 * and denial, with time, identity, chat, command, arguments (secrets redacted) and result.
 */
import type { Db } from '../core/db.ts';
import { chatAddress, type ChatRef } from '../core/chat-address.ts';
import { STRANGER_FORGET_AFTER_MS } from './people.ts';

/** Argument keys whose values never reach the log. */
export const SECRET_KEY = /pass|secret|token|key/i;
const REDACTED = '[redacted]';
const MAX_ARGS_CHARS = 2_000;
/**
 * Result of the one row per stranger per hour that counts their attempts: only `tallyStranger`
 * writes it, and these are the only rows that are ever deleted (nobody changed anything in them).
 */
export const STRANGER_RESULT = 'stranger';
const STRANGER_ROW_MS = 3_600_000;
/**
 * Stranger rows kept at most. A household writes a few a month; a bot farm at the all-strangers
 * limit (60 new a minute, one row each per hour) writes 3,600 an hour, so this holds the last
 * 14 hours of such a flood, about 10 MB, while every change anyone made is kept for good.
 */
export const STRANGER_ROWS_KEPT_MAX = 50_000;
/** A prune over the cap goes down to this: a flood prunes once per 5,000 new rows (about 80 minutes), not on each. */
export const STRANGER_ROWS_KEPT_AFTER_PRUNE = 45_000;
/** Stranger rows older than this go: the same half year after which the stranger themselves is forgotten. */
export const STRANGER_ROWS_FORGET_AFTER_MS = STRANGER_FORGET_AFTER_MS;
/** Who the audit names for the bot's own housekeeping. */
export const HOUSEKEEPING = 'system:housekeeping';
/** The housekeeping row's command for a prune of stranger rows. */
export const FORGET_STRANGER_ROWS = 'forget-stranger-rows';

/** What one prune of stranger rows forgot: those older than the horizon, and the oldest over the cap. */
export interface ForgottenStrangerRows {
  readonly old: number;
  readonly overCap: number;
}

/** One thing that happened. */
export interface AuditEntry {
  at: number;
  identity: string;
  /** A chat, or its `platform:id` text (identity for a DM without a chat, such as /start). */
  chat: ChatRef | string;
  command: string;
  args?: Readonly<Record<string, unknown>>;
  /** 'ok' | 'denied' | 'error' | 'confirmed' | 'cancelled' | anything more specific. */
  result: string;
  detail?: string;
  /** Backend area (`pihole`); derived from the command when omitted. */
  service?: string;
}

/** A stored entry. */
export interface AuditRecord {
  id: number;
  at: number;
  identity: string;
  /** Display name of the person behind the identity, when known. */
  person?: string;
  chat: string;
  command: string;
  service?: string;
  args: Record<string, unknown>;
  result: string;
  detail?: string;
}

/** Filters for /audit. `identity` matches every identity linked to the same person. */
export interface AuditQuery {
  identity?: string;
  personId?: number;
  service?: string;
  /** With `service`: commands of that service whose entries were stored without one. */
  serviceCommands?: readonly string[];
  command?: string;
  result?: string;
  /** Leaves strangers' attempts out (plain /audit and /audit service: a flood of them would hide every change). */
  withoutStrangers?: boolean;
  /** Only entries strictly older (paging). */
  before?: number;
  limit?: number;
}

/** Entries filed under `service`: theirs, or stored without one by a command of that service. */
function serviceFilter(service: string, commands: readonly string[] = []): { where: string; params: string[] } {
  return commands.length
    ? {
        where: `(a.service = ? OR (a.service IS NULL AND a.command IN (${commands.map(() => '?').join(',')})))`,
        params: [service, ...commands],
      }
    : { where: 'a.service = ?', params: [service] };
}

/** Replaces values under secret-looking keys, at any depth. */
export function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET_KEY.test(k) ? REDACTED : redact(v)]));
  }
  return value;
}

interface Row {
  id: number;
  at: number;
  identity: string;
  person: string | null;
  chat: string;
  command: string;
  service: string | null;
  args: string;
  result: string;
  detail: string | null;
}

/** Refuses the stranger rows' result to anything but `tallyStranger`: a row written with it could be pruned. */
function notStrangerResult(result: string): void {
  if (result === STRANGER_RESULT) throw new Error(`audit result '${STRANGER_RESULT}' is written by tallyStranger only`);
}

/** Audit log in SQLite: append-only, but for the stranger rows, which are kept bounded (`forgetStrangerRows`). */
export class AuditLog {
  /** At least the stranger rows (counted once, then +1 per row written): a prune over the cap runs only past it. */
  private strangerRows: number | undefined;

  constructor(
    private readonly db: Db,
    private readonly opts: { serviceOf?: (command: string) => string | undefined } = {},
  ) {}

  /** Writes one entry and returns its id. */
  record(e: AuditEntry): number {
    notStrangerResult(e.result);
    return this.insert(e);
  }

  private insert(e: AuditEntry): number {
    let args = JSON.stringify(redact(e.args ?? {}));
    if (args.length > MAX_ARGS_CHARS) args = JSON.stringify({ truncated: args.slice(0, MAX_ARGS_CHARS) });
    const service = e.service ?? this.opts.serviceOf?.(e.command) ?? null;
    const chat = typeof e.chat === 'string' ? e.chat : chatAddress(e.chat);
    const r = this.db
      .prepare('INSERT INTO audit_log (at, identity, chat, command, service, args, result, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(e.at, e.identity, chat, e.command, service, args, e.result, e.detail?.slice(0, 500) ?? null);
    return Number(r.lastInsertRowid);
  }

  /**
   * Counts one attempt by a stranger into that stranger's row of the last hour (result
   * `stranger`, args `{ attempts }`), inserting it when there is none: a flood is one row per
   * stranger per hour, so it never pushes real entries out of /audit.
   */
  tallyStranger(e: { at: number; identity: string; chat: string; command: string }): void {
    const open = this.db
      .prepare(`SELECT id, args FROM audit_log WHERE identity = ? AND result = '${STRANGER_RESULT}' AND at > ? ORDER BY at DESC LIMIT 1`)
      .get(e.identity, e.at - STRANGER_ROW_MS) as { id: number; args: string } | undefined;
    if (!open) {
      this.insert({ ...e, args: { attempts: 1 }, result: STRANGER_RESULT, service: 'permissions' });
      this.strangerRowAdded(e.at);
      return;
    }
    const attempts = Number((JSON.parse(open.args) as { attempts?: unknown }).attempts) || 1;
    this.db.prepare('UPDATE audit_log SET args = ? WHERE id = ?').run(JSON.stringify({ attempts: attempts + 1 }), open.id);
  }

  /** Counts a new stranger row; past the cap, prunes (the row just written is the newest: never the one pruned). */
  private strangerRowAdded(now: number): void {
    this.strangerRows =
      this.strangerRows === undefined
        ? (this.db.prepare(`SELECT count(*) FROM audit_log WHERE result = '${STRANGER_RESULT}'`).pluck().get() as number)
        : this.strangerRows + 1;
    if (this.strangerRows > STRANGER_ROWS_KEPT_MAX) this.forgetStrangerRows(now);
  }

  /**
   * Forgets stranger rows older than the horizon, then, past the cap, the oldest down to
   * STRANGER_ROWS_KEPT_AFTER_PRUNE, and writes one housekeeping row with the counts when it forgot
   * any: all in one transaction, so a crash mid-prune leaves the log as it was. No other row is
   * ever deleted: every statement here names the stranger rows' result.
   */
  forgetStrangerRows(now: number): ForgottenStrangerRows {
    const forgotten = this.db.transaction((): ForgottenStrangerRows => {
      const old = this.db
        .prepare(`DELETE FROM audit_log WHERE result = '${STRANGER_RESULT}' AND at < ?`)
        .run(now - STRANGER_ROWS_FORGET_AFTER_MS).changes;
      const rows = this.db.prepare(`SELECT count(*) FROM audit_log WHERE result = '${STRANGER_RESULT}'`).pluck().get() as number;
      const excess = rows > STRANGER_ROWS_KEPT_MAX ? rows - STRANGER_ROWS_KEPT_AFTER_PRUNE : 0;
      const overCap =
        excess === 0
          ? 0
          : this.db
              .prepare(
                `DELETE FROM audit_log WHERE result = '${STRANGER_RESULT}' AND id IN
                 (SELECT id FROM audit_log WHERE result = '${STRANGER_RESULT}' ORDER BY at, id LIMIT ?)`,
              )
              .run(excess).changes;
      if (old + overCap > 0) {
        this.insert({
          at: now,
          identity: HOUSEKEEPING,
          chat: HOUSEKEEPING,
          command: FORGET_STRANGER_ROWS,
          service: 'permissions',
          args: { old, overCap },
          result: 'ok',
        });
      }
      return { old, overCap };
    })();
    this.strangerRows = undefined; // counted again at the next new stranger row
    return forgotten;
  }

  /** Sets the result of an entry written as 'started' before its action ran. */
  complete(id: number, result: string, detail?: string): void {
    notStrangerResult(result);
    this.db.prepare('UPDATE audit_log SET result = ?, detail = ? WHERE id = ?').run(result, detail?.slice(0, 500) ?? null, id);
  }

  /**
   * Strangers' attempts counted in their rows written at or after `since` (all of them without it),
   * only those filed under `service` when one is given (as `query` files them).
   */
  strangerAttempts(since = Number.MIN_SAFE_INTEGER, service?: Pick<AuditQuery, 'service' | 'serviceCommands'>): number {
    const filed = service?.service !== undefined ? serviceFilter(service.service, service.serviceCommands) : undefined;
    return this.db
      .prepare(
        `SELECT coalesce(sum(coalesce(json_extract(args, '$.attempts'), 1)), 0) FROM audit_log a
         WHERE a.result = '${STRANGER_RESULT}' AND a.at >= ?${filed ? ` AND ${filed.where}` : ''}`,
      )
      .pluck()
      .get(since, ...(filed?.params ?? [])) as number;
  }

  /** Newest entries first, filtered. */
  query(q: AuditQuery = {}): AuditRecord[] {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (q.identity !== undefined) {
      where.push(
        `(a.identity = ? OR a.identity IN (SELECT identity FROM identities WHERE person_id = (SELECT person_id FROM identities WHERE identity = ?)))`,
      );
      params.push(q.identity, q.identity);
    }
    if (q.personId !== undefined) {
      where.push('a.identity IN (SELECT identity FROM identities WHERE person_id = ?)');
      params.push(q.personId);
    }
    if (q.service !== undefined) {
      const filed = serviceFilter(q.service, q.serviceCommands);
      where.push(filed.where);
      params.push(...filed.params);
    }
    if (q.command !== undefined) {
      where.push('a.command = ?');
      params.push(q.command);
    }
    if (q.result !== undefined) {
      where.push('a.result = ?');
      params.push(q.result);
    }
    if (q.withoutStrangers) where.push(`a.result != '${STRANGER_RESULT}'`);
    if (q.before !== undefined) {
      where.push('a.at < ?');
      params.push(q.before);
    }
    const limit = Math.max(1, Math.min(q.limit ?? 20, 200));
    const rows = this.db
      .prepare(
        `SELECT a.id, a.at, a.identity, p.display_name AS person, a.chat, a.command, a.service, a.args, a.result, a.detail
       FROM audit_log a LEFT JOIN identities i ON i.identity = a.identity LEFT JOIN persons p ON p.id = i.person_id
       ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY a.at DESC, a.id DESC LIMIT ?`,
      )
      .all(...params, limit) as Row[];
    return rows.map((r) => ({
      id: r.id,
      at: r.at,
      identity: r.identity,
      chat: r.chat,
      command: r.command,
      args: JSON.parse(r.args) as Record<string, unknown>,
      result: r.result,
      ...(r.person !== null ? { person: r.person } : {}),
      ...(r.service !== null ? { service: r.service } : {}),
      ...(r.detail !== null ? { detail: r.detail } : {}),
    }));
  }
}
