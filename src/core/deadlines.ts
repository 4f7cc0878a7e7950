/**
 * Deadlines: backend changes the bot must undo at a time (a temporary Pi-hole allow, the guest
 * WiFi auto-off, …), one table and one worker for every kind.
 *
 * Intent before action: a command records its deadline as an `intent` row *before* it changes
 * the backend, then confirms it (`active`) or takes it back after. A database that cannot be
 * written stops the command before the backend is touched. A crash in between leaves an intent
 * row, and start-up reconciliation asks the kind whether the change happened: the deadline is
 * kept (and undone on time) or dropped. So a backend change never exists without its undo.
 */
import type { Clock } from './clock.ts';
import { tableCache, type Db, type Migration, type TableCache } from './db.ts';
import type { Result } from './errors.ts';
import type { Logger } from './logger.ts';
import { PeriodicCheck } from './periodic.ts';

/** Schema: every deadline of every kind. `phase` is 'intent' until the backend change is known to have happened. */
export const deadlineMigrations: Migration[] = [
  {
    id: 'deadlines-0001-table',
    up: `CREATE TABLE deadlines (
      kind TEXT NOT NULL,
      target TEXT NOT NULL,
      due_at INTEGER NOT NULL,
      phase TEXT NOT NULL CHECK (phase IN ('intent', 'active')),
      chat TEXT NOT NULL,
      requested_by TEXT NOT NULL,
      data TEXT NOT NULL DEFAULT '{}',
      created_at INTEGER NOT NULL,
      PRIMARY KEY (kind, target)
    );
    CREATE INDEX deadlines_due ON deadlines (due_at)`,
  },
];

/** Whether the backend change behind a deadline is known to have happened. */
export type DeadlinePhase = 'intent' | 'active';

/** A deadline as the caller describes it. */
export interface DeadlineSpec {
  /** What is undone: 'pihole-allow', 'guest-wifi-off', … (one registered DeadlineKind each). */
  readonly kind: string;
  /** What it applies to within the kind (a domain, 'guest'); one deadline per kind and target. */
  readonly target: string;
  readonly dueAt: number;
  /** `platform:chatId` told when it ends. */
  readonly chat: string;
  readonly requestedBy: string;
  /** Kind-specific extras (display names…). */
  readonly data?: Readonly<Record<string, string>>;
}

/** A stored deadline. */
export interface Deadline extends DeadlineSpec {
  readonly phase: DeadlinePhase;
  readonly data: Readonly<Record<string, string>>;
}

/** What one kind of deadline does; registered once with the worker. */
export type DeadlineKind = DeadlineKindActions &
  (
    | {
        /** The area whose change it undoes (`pihole`, `router`): its audit rows carry it, so /audit for that service lists them. */
        readonly service: string;
        readonly bookkeeping?: undefined;
      }
    | {
        /** Bookkeeping only (its expiry changes no backend and nothing anyone sees): not audited. */
        readonly bookkeeping: true;
        readonly service?: undefined;
      }
  );

/** What every kind does, audited or not. */
interface DeadlineKindActions {
  readonly kind: string;
  /** Undoes the change (remove the allow, turn the WiFi off). Already undone counts as success. */
  expire(d: Deadline): Promise<Result<unknown>>;
  /**
   * Start-up, for an intent a crash left behind: did the change happen? 'applied' keeps the
   * deadline, 'absent' drops it. Without it the deadline is kept (undoing is always safe).
   */
  reconcile?(d: Deadline): Promise<Result<'applied' | 'absent'>>;
  /** The deadline was extended while `expire` ran: put the change back. */
  reapply?(d: Deadline): Promise<Result<unknown>>;
  /** Told once after a successful expiry (tell the chat, refresh a poller). */
  expired?(d: Deadline): void;
}

interface Row {
  kind: string;
  target: string;
  due_at: number;
  phase: DeadlinePhase;
  chat: string;
  requested_by: string;
  data: string;
}

const toDeadline = (r: Row): Deadline => ({
  kind: r.kind,
  target: r.target,
  dueAt: r.due_at,
  phase: r.phase,
  chat: r.chat,
  requestedBy: r.requested_by,
  data: JSON.parse(r.data) as Record<string, string>,
});

const COLUMNS = 'kind, target, due_at, phase, chat, requested_by, data';
const key = (kind: string, target: string): string => `${kind}\u0000${target}`;

/** An intent recorded before a backend change: confirm it after success, take it back after failure. */
export interface DeadlineIntent {
  readonly deadline: Deadline;
  /** The deadline it replaced (an extension), restored by `abandon`. */
  readonly previous: Deadline | undefined;
  /** The change happened: the deadline stands. */
  confirm(): void;
  /** The change did not happen (or needs no undo): back to what was there before. */
  abandon(): void;
}

/**
 * An intent to end deadlines early because their change becomes permanent (a temporary allow
 * made for good): the rows go back to 'intent' before the backend is changed, so a crash leaves
 * them to start-up reconciliation, which keeps them while the change is still temporary.
 */
export interface DeadlineEnding {
  /** The deadlines being ended, as they stood. */
  readonly ending: readonly Deadline[];
  /** The change is permanent now: the deadlines go. */
  confirm(): void;
  /** The backend was not changed: the deadlines stand again. */
  abandon(): void;
}

/** Deadlines in SQLite: they outlive restarts, so nothing the bot opened stays open for good. */
export class DeadlineStore {
  /** Intents of this process whose command is still running (reconciliation leaves them alone). */
  private readonly inFlight = new Set<string>();

  /** `list` by kind, dropped on every write below (every write to the table goes through this class). */
  private readonly lists: TableCache;

  constructor(private readonly db: Db) {
    this.lists = tableCache(db, 'deadlines');
  }

  /** The deadline of one target, if any. */
  get(kind: string, target: string): Deadline | undefined {
    const r = this.db.prepare(`SELECT ${COLUMNS} FROM deadlines WHERE kind = ? AND target = ?`).get(kind, target) as Row | undefined;
    return r ? toDeadline(r) : undefined;
  }

  /** Every deadline of a kind, soonest first. */
  list(kind: string): Deadline[] {
    // /status lists the pauses on every call: from memory until a deadline changes.
    const all = this.lists.read(kind, () =>
      (this.db.prepare(`SELECT ${COLUMNS} FROM deadlines WHERE kind = ? ORDER BY due_at`).all(kind) as Row[]).map((r) =>
        Object.freeze(toDeadline(r)),
      ),
    );
    return [...all];
  }

  /** Confirmed deadlines whose time is up, soonest first. */
  due(now: number): Deadline[] {
    return (
      this.db.prepare(`SELECT ${COLUMNS} FROM deadlines WHERE phase = 'active' AND due_at <= ? ORDER BY due_at`).all(now) as Row[]
    ).map(toDeadline);
  }

  /** Intents no running command owns: a crash interrupted them. */
  orphanIntents(): Deadline[] {
    return (this.db.prepare(`SELECT ${COLUMNS} FROM deadlines WHERE phase = 'intent' ORDER BY due_at`).all() as Row[])
      .map(toDeadline)
      .filter((d) => !this.inFlight.has(key(d.kind, d.target)));
  }

  /** Records (or replaces) a confirmed deadline directly (no backend change depends on it). */
  put(d: DeadlineSpec, now: number): void {
    this.write({ ...d, phase: 'active', data: d.data ?? {} }, now);
  }

  /**
   * Records the intent before the backend is changed. Throws when the database cannot be
   * written: the caller then changes nothing.
   */
  intend(spec: DeadlineSpec, now: number): DeadlineIntent {
    const deadline: Deadline = { ...spec, phase: 'intent', data: spec.data ?? {} };
    const k = key(spec.kind, spec.target);
    const previous = this.db.transaction(() => {
      const before = this.get(spec.kind, spec.target);
      this.write(deadline, now);
      return before;
    })();
    const settle = this.track([k]);
    return {
      deadline,
      previous,
      confirm: () =>
        settle(() => {
          this.db
            .prepare("UPDATE deadlines SET phase = 'active' WHERE kind = ? AND target = ? AND due_at = ?")
            .run(spec.kind, spec.target, spec.dueAt);
          this.lists.invalidate();
        }),
      abandon: () =>
        settle(() => {
          if (previous) this.write(previous, now);
          else this.remove(spec.kind, spec.target, spec.dueAt);
        }),
    };
  }

  /**
   * Records, in one transaction, that these deadlines are about to end because their change
   * becomes permanent (throws when the database cannot be written: the caller changes nothing).
   * Deadlines that no longer exist are left out.
   */
  intendEnd(targets: readonly Pick<DeadlineSpec, 'kind' | 'target'>[], now: number): DeadlineEnding {
    const ending = this.db.transaction(() => {
      const found = targets.map((t) => this.get(t.kind, t.target)).filter((d): d is Deadline => d !== undefined);
      for (const d of found) this.write({ ...d, phase: 'intent' }, now);
      return found;
    })();
    const settle = this.track(ending.map((d) => key(d.kind, d.target)));
    return {
      ending,
      confirm: () => settle(() => this.db.transaction(() => ending.forEach((d) => this.remove(d.kind, d.target, d.dueAt)))()),
      abandon: () => settle(() => this.db.transaction(() => ending.forEach((d) => this.write(d, now)))()),
    };
  }

  /** Marks intents as owned by a running command until settled (once); reconciliation leaves them alone meanwhile. */
  private track(keys: readonly string[]): (f: () => void) => void {
    keys.forEach((k) => this.inFlight.add(k));
    let settled = false;
    return (f) => {
      if (settled) return;
      settled = true;
      keys.forEach((k) => this.inFlight.delete(k));
      f();
    };
  }

  /** Marks an intent as applied (reconciliation). */
  activate(kind: string, target: string): void {
    this.db.prepare("UPDATE deadlines SET phase = 'active' WHERE kind = ? AND target = ?").run(kind, target);
    this.lists.invalidate();
  }

  /** Forgets a deadline; only when it still ends at `dueAt`, if given (someone may have extended it meanwhile). */
  remove(kind: string, target: string, dueAt?: number): boolean {
    const r =
      dueAt === undefined
        ? this.db.prepare('DELETE FROM deadlines WHERE kind = ? AND target = ?').run(kind, target)
        : this.db.prepare('DELETE FROM deadlines WHERE kind = ? AND target = ? AND due_at = ?').run(kind, target, dueAt);
    this.lists.invalidate();
    return r.changes > 0;
  }

  /**
   * Forgets a deadline if it still ends at `dueAt` and, in the same transaction, calls `also` with
   * whether it did (the undo's audit row): both are kept, or neither. Returns whether it was removed.
   */
  removeWith(kind: string, target: string, dueAt: number, also: (removed: boolean) => void): boolean {
    return this.db.transaction(() => {
      const removed = this.remove(kind, target, dueAt);
      also(removed);
      return removed;
    })();
  }

  private write(d: Deadline, now: number): void {
    this.db
      .prepare(
        `INSERT INTO deadlines (kind, target, due_at, phase, chat, requested_by, data, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (kind, target) DO UPDATE SET due_at = excluded.due_at, phase = excluded.phase, chat = excluded.chat,
           requested_by = excluded.requested_by, data = excluded.data`,
      )
      .run(d.kind, d.target, d.dueAt, d.phase, d.chat, d.requestedBy, JSON.stringify(d.data), now);
    this.lists.invalidate();
  }
}

/** How a backend change guarded by an intent ended. */
export type GuardedChange<T, E> =
  /** The intent could not be written: the backend was not touched. */
  | { readonly status: 'not-recorded'; readonly error: string }
  /** The backend refused or was unreachable: the intent was taken back. */
  | { readonly status: 'failed'; readonly error: E }
  /** The backend changed; `kept` says whether the deadline stands (false: `keep` said no undo is needed). */
  | { readonly status: 'done'; readonly value: T; readonly kept: boolean; readonly previous: Deadline | undefined };

/**
 * Intent, action, then confirm or compensate. `keep` decides from the backend's answer whether
 * the deadline is needed (a domain that was already allowed for good needs no removal). With a
 * DeadlineEnding, confirming ends the deadlines (the change is now permanent).
 */
export async function changeWithDeadline<T, E>(
  intend: () => DeadlineIntent | DeadlineEnding,
  action: () => Promise<Result<T, E>>,
  keep: (value: T, previous: Deadline | undefined) => boolean = () => true,
): Promise<GuardedChange<T, E>> {
  let intent: DeadlineIntent | DeadlineEnding;
  try {
    intent = intend();
  } catch (e) {
    return { status: 'not-recorded', error: (e as Error).message };
  }
  const r = await action();
  // A failing write after the backend call leaves the intent for start-up reconciliation.
  const settle = (f: () => void): void => {
    try {
      f();
    } catch {
      /* reconciled at the next start */
    }
  };
  if (!r.ok) {
    settle(() => intent.abandon());
    return { status: 'failed', error: r.error };
  }
  const previous = 'previous' in intent ? intent.previous : undefined;
  const kept = keep(r.value, previous);
  settle(() => (kept ? intent.confirm() : intent.abandon()));
  return { status: 'done', value: r.value, kept, previous };
}

const RETRY_MS = 60_000;

/** Who the audit log names for a change the bot undoes by itself when its time is up. */
export const DEADLINE_ACTOR = 'system:deadline';
/** The audit row's command for an undo carried out (or failed) at its deadline. */
export const DEADLINE_EXPIRE = 'expire';
/** The audit row's command for a change put back because its deadline was extended during the undo. */
export const DEADLINE_REAPPLY = 'reapply';

/** One audit row the worker writes (the shape AuditLog.record takes; core knows no permissions). */
export interface DeadlineAuditRow {
  readonly at: number;
  readonly identity: typeof DEADLINE_ACTOR;
  readonly chat: string;
  readonly command: typeof DEADLINE_EXPIRE | typeof DEADLINE_REAPPLY;
  /** The area of the change (the kind's `service`), as the person's own row is filed. */
  readonly service: string;
  readonly args: Readonly<Record<string, string | number>>;
  readonly result: 'ok' | 'error';
  readonly detail?: string;
}

/** The detail a backend's error carries (ServiceError.detail: no secrets), or nothing. */
function errorDetail(error: unknown): string | undefined {
  const detail = (error as { detail?: unknown } | null)?.detail;
  return typeof detail === 'string' ? detail : undefined;
}

/**
 * The one worker for every deadline kind. At start it reconciles intents a crash left behind,
 * then on each pass undoes what is due. Decisions use the injected clock (tests move it by
 * hand); a real interval only decides how often to look. A failed undo (backend down) keeps the
 * deadline and is retried every minute.
 *
 * Every undo is audited (`system:deadline`, `expire`): the stored deadline is its intent, written
 * by the command before its change; the 'ok' row is written in the transaction that removes the
 * deadline, so a crash after the backend call leaves the deadline due, and the undo (a no-op by
 * then) is carried out and audited at the next start. A failing undo is audited once per streak.
 */
export class DeadlineWorker {
  private readonly kinds = new Map<string, DeadlineKind>();
  private readonly periodic: PeriodicCheck;
  private readonly retryAt = new Map<string, number>();
  private readonly failing = new Set<string>();

  constructor(
    private readonly store: DeadlineStore,
    private readonly clock: Clock,
    private readonly log: Logger,
    tickMs = 1000,
    /** Writes an audit row on the store's database (AuditLog.record); unaudited without it (unit tests of a kind). */
    private readonly audit?: (row: DeadlineAuditRow) => void,
  ) {
    this.periodic = new PeriodicCheck(() => this.pass(), tickMs);
  }

  /** Registers what a kind does (each area, while wiring). */
  register(kind: DeadlineKind): void {
    if (this.kinds.has(kind.kind)) throw new Error(`deadline kind ${kind.kind} registered twice`);
    this.kinds.set(kind.kind, kind);
  }

  /** Starts checking, with one pass (reconciliation, then what expired while the bot was down) right away. */
  start(): void {
    this.periodic.start();
  }

  /** Stops checking; waits for an undo in flight. */
  stop(): Promise<void> {
    return this.periodic.stop();
  }

  /** One pass; concurrent calls share it. */
  check(): Promise<void> {
    return this.periodic.check();
  }

  private async pass(): Promise<void> {
    const now = this.clock.now();
    for (const d of this.store.orphanIntents()) await this.reconcile(d, now);
    for (const d of this.store.due(now)) await this.expire(d, now);
  }

  private async reconcile(d: Deadline, now: number): Promise<void> {
    const kind = this.kinds.get(d.kind);
    if (!kind || !this.ready(d, now)) return;
    const r = kind.reconcile ? await kind.reconcile(d) : ({ ok: true, value: 'applied' } as const);
    if (!r.ok) return this.failed(d, now, r.error, 'interrupted change could not be checked; retrying every minute');
    this.recovered(d);
    if (r.value === 'applied') this.store.activate(d.kind, d.target);
    else this.store.remove(d.kind, d.target, d.dueAt);
    this.log.info({ kind: d.kind, target: d.target, outcome: r.value }, 'interrupted change reconciled');
  }

  private async expire(d: Deadline, now: number): Promise<void> {
    const kind = this.kinds.get(d.kind);
    if (!kind || !this.ready(d, now)) return;
    const r = await kind.expire(d);
    if (!r.ok) {
      if (!this.failing.has(key(d.kind, d.target))) this.record(d, DEADLINE_EXPIRE, 'error', errorDetail(r.error));
      return this.failed(d, now, r.error, 'deadline could not be carried out; retrying every minute');
    }
    this.recovered(d);
    // The undo's row and the deadline's removal together: a crash before both redoes the undo at the next start.
    const removed = this.store.removeWith(d.kind, d.target, d.dueAt, (gone) =>
      this.record(d, DEADLINE_EXPIRE, 'ok', gone ? undefined : 'extended meanwhile'),
    );
    // Extended while we were undoing it: the new deadline stands, so the change goes back.
    if (!removed) {
      const now2 = this.store.get(d.kind, d.target);
      if (now2 && kind.reapply) {
        const back = await kind.reapply(now2);
        this.record(now2, DEADLINE_REAPPLY, back.ok ? 'ok' : 'error', back.ok ? undefined : errorDetail(back.error));
      }
      return;
    }
    this.log.info({ kind: d.kind, target: d.target }, 'deadline carried out');
    kind.expired?.(d);
  }

  private record(d: Deadline, command: DeadlineAuditRow['command'], result: DeadlineAuditRow['result'], detail?: string): void {
    const service = this.kinds.get(d.kind)?.service;
    if (service === undefined) return; // bookkeeping: not audited
    this.audit?.({
      at: this.clock.now(),
      identity: DEADLINE_ACTOR,
      chat: d.chat,
      command,
      service,
      args: { kind: d.kind, target: d.target, requestedBy: d.requestedBy, dueAt: d.dueAt },
      result,
      ...(detail !== undefined ? { detail } : {}),
    });
  }

  private ready(d: Deadline, now: number): boolean {
    return (this.retryAt.get(key(d.kind, d.target)) ?? 0) <= now;
  }

  private failed(d: Deadline, now: number, error: unknown, message: string): void {
    const k = key(d.kind, d.target);
    if (!this.failing.has(k)) this.log.warn({ kind: d.kind, target: d.target, error }, message);
    this.failing.add(k);
    this.retryAt.set(k, now + RETRY_MS);
  }

  private recovered(d: Deadline): void {
    const k = key(d.kind, d.target);
    this.failing.delete(k);
    this.retryAt.delete(k);
  }
}
