/**
 * The people store: the only module that reads or writes `persons`, `identities` and
 * `unknown_users`. Who someone is, which identities they speak through, their role and
 * language, and the strangers who wrote without being known. No decisions here: those are
 * AccessControl's (reads) and the management/invite/link/setup code's (guarded changes).
 */
import type { Clock } from '../core/clock.ts';
import { statementCache, type Db } from '../core/db.ts';
import type { Language } from '../core/i18n.ts';
import { parseIdentity } from '../core/chat-address.ts';
import { roleRank, type Role } from './roles.ts';
import { WriteGeneration } from './write-generation.ts';

/** A known person speaking through one identity. */
export interface Principal {
  personId: number;
  /** `telegram:123`, `discord:456`. */
  identity: string;
  role: Role;
  displayName: string;
  /** Chosen with /lang; wins over everything else. */
  language?: Language;
  /** The language this account's app is set to, when it is one the bot speaks. */
  platformLanguage?: Language;
}

/** Someone who wrote without being known: an identity and the name they wrote under; no person, no role, nothing granted. */
export interface Stranger {
  readonly stranger: true;
  /** `telegram:123`, `discord:456`. */
  readonly identity: string;
  readonly displayName: string;
}

/** Who runs a command: a known person, or a stranger (only commands built for strangers run for them). */
export type Caller = Principal | Stranger;

/** True for a caller the bot does not know. */
export function isStranger(caller: Caller): caller is Stranger {
  return 'stranger' in caller;
}

/** A person with all their linked identities (menus, /role). */
export interface PersonSummary {
  personId: number;
  displayName: string;
  role: Role;
  identities: string[];
}

/** Success (with extra fields) or a refusal reason. */
export type Outcome<R extends string, T extends object = object> = ({ ok: true } & T) | { ok: false; reason: R };

interface PrincipalRow {
  personId: number;
  identity: string;
  role: Role;
  displayName: string;
  language: Language | null;
  platformLanguage: Language | null;
}

const toPrincipal = (r: PrincipalRow): Principal => ({
  personId: r.personId,
  identity: r.identity,
  role: r.role,
  displayName: r.displayName,
  ...(r.language ? { language: r.language } : {}),
  ...(r.platformLanguage ? { platformLanguage: r.platformLanguage } : {}),
});

const PRINCIPAL_SQL = `SELECT p.id AS personId, i.identity, p.role, p.display_name AS displayName, p.language,
  i.platform_language AS platformLanguage FROM identities i JOIN persons p ON p.id = i.person_id`;

/** Identities `resolve` keeps in memory before it stops remembering strangers (known people always are). */
const STRANGERS_REMEMBERED = 1000;

const DAY_MS = 24 * 3_600_000;
/**
 * Strangers kept at most. A household meets a few a year; a bot farm at the all-strangers limit
 * (60 new a minute) fills this in under three hours, and 10,000 short rows are about a megabyte.
 */
export const STRANGERS_KEPT_MAX = 10_000;
/** A prune over the cap goes down to this, so a flood prunes once per thousand new strangers, not on each. */
export const STRANGERS_KEPT_AFTER_PRUNE = 9_000;
/** Not seen for half a year: forgotten (if they write again they are new: one neutral reply, one notice to the owner). */
export const STRANGER_FORGET_AFTER_MS = 180 * DAY_MS;
/** An ignored stranger is forgotten only after a year of silence: while they keep knocking, the Ignore holds. */
export const IGNORED_STRANGER_FORGET_AFTER_MS = 365 * DAY_MS;
/** An ignored stranger's knocking is written down at most daily (their messages are otherwise dropped unwritten). */
const IGNORED_KNOCK_EVERY_MS = DAY_MS;
/** How long the owner's notice about a new stranger offers its buttons: until then a prune over the cap takes others first. */
export const STRANGER_NOTICE_TTL_MS = 7 * DAY_MS;

/** A stranger someone chose to ignore, as /ignored lists them. */
export interface IgnoredStranger {
  readonly identity: string;
  readonly displayName: string;
  readonly ignoredAt: number;
  /** The identity that pressed Ignore (null for rows from before anyone was recorded). */
  readonly ignoredBy: string | null;
}

/** What one prune forgot: strangers unseen too long, ignored ones silent too long, and the least recently seen over the cap. */
export interface ForgottenStrangers {
  readonly unseen: number;
  readonly ignored: number;
  readonly overCap: number;
}

/**
 * Persons, their identities and the strangers who wrote; plain reads and writes.
 * Reads of persons/identities are served from memory (every command resolves its sender);
 * every write goes through `write()`, which drops the whole cache and bumps `generation`,
 * so a demoted or removed person loses power on their very next command.
 */
export class PeopleStore {
  /** Prepared statements by SQL text: every command resolves an identity, so compile once. */
  private readonly sql: ReturnType<typeof statementCache>;
  /** Read results by key (`role:3`, `staff`, `all`), all dropped on any write. */
  private readonly cache = new Map<string, unknown>();
  /** `resolve` results by identity (every message resolves its sender, often more than once), dropped with the rest. */
  private readonly principals = new Map<string, Principal | undefined>();
  private readonly writes = new WriteGeneration(() => {
    this.cache.clear();
    this.principals.clear();
  });
  /** At least the rows in `unknown_users` (counted once, then +1 per new stranger): a prune runs only past the cap. */
  private strangerRows: number | undefined;
  /** Called inside each prune's transaction that forgot someone: what they write commits with the prune or not at all. */
  private readonly forgotten = new Set<(f: ForgottenStrangers) => void>();

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {
    this.sql = statementCache(db);
  }

  /** How many identities `resolve` answers from memory (bounded for strangers). */
  get rememberedIdentities(): number {
    return this.principals.size;
  }

  /** Bumped by every write to persons/identities: caches built over this store key on it. */
  get generation(): number {
    return this.writes.value;
  }

  /** Calls `listener` after every write to persons/identities; returns the unsubscribe. */
  onWrite(listener: () => void): () => void {
    return this.writes.onWrite(listener);
  }

  /** Every change runs through here (see WriteGeneration). */
  private write<T>(fn: () => T): T {
    return this.writes.run(fn);
  }

  private cached<T>(key: string, load: () => T): T {
    if (this.cache.has(key)) return this.cache.get(key) as T;
    const value = load();
    this.cache.set(key, value);
    return value;
  }

  /** Runs `fn` in one transaction (nested calls join the outer one); a rollback drops the cache too. */
  transaction<T>(fn: () => T): T {
    return this.write(() => this.db.transaction(fn)());
  }

  /** The person behind an identity; undefined for strangers. */
  resolve(identity: string): Principal | undefined {
    const known = this.principals.get(identity);
    if (known !== undefined || this.principals.has(identity)) return known;
    const row = this.sql(`${PRINCIPAL_SQL} WHERE i.identity = ?`).get(identity) as PrincipalRow | undefined;
    const principal = row && Object.freeze(toPrincipal(row));
    // Strangers are remembered only while few: a flood of new accounts must not grow memory.
    if (principal || this.principals.size < STRANGERS_REMEMBERED) this.principals.set(identity, principal);
    return principal;
  }

  /** A person's stored role now (undefined when they are gone). */
  roleOf(personId: number): Role | undefined {
    return this.cached(
      `role:${personId}`,
      () => this.sql('SELECT role FROM persons WHERE id = ?').pluck().get(personId) as Role | undefined,
    );
  }

  /** Every identity of the persons whose role is admin or owner, as principals. */
  staff(): Principal[] {
    const staff = this.cached('staff', () =>
      (this.sql(`${PRINCIPAL_SQL} WHERE p.role IN ('owner','admin') ORDER BY p.id, i.identity`).all() as PrincipalRow[]).map((r) =>
        Object.freeze(toPrincipal(r)),
      ),
    );
    return [...staff];
  }

  /** Everyone known, strongest first (menus). */
  all(): PersonSummary[] {
    return this.cached('all', () => this.loadAll()).map((p) => ({ ...p, identities: [...p.identities] }));
  }

  private loadAll(): PersonSummary[] {
    const rows = this.sql(
      `SELECT p.id AS personId, p.display_name AS displayName, p.role, group_concat(i.identity) AS ids
       FROM persons p LEFT JOIN identities i ON i.person_id = p.id GROUP BY p.id ORDER BY p.id`,
    ).all() as { personId: number; displayName: string; role: Role; ids: string | null }[];
    return rows
      .map((r) => ({
        personId: r.personId,
        displayName: r.displayName,
        role: r.role,
        identities: (r.ids ?? '').split(',').filter(Boolean).sort(),
      }))
      .sort((a, b) => roleRank(b.role) - roleRank(a.role) || a.personId - b.personId);
  }

  /** Finds a person by `#id`, person id, identity or (unique, case-insensitive) display name. */
  find(query: string | number): PersonSummary | undefined {
    const all = this.all();
    if (typeof query === 'number') return all.find((p) => p.personId === query);
    const q = query.trim();
    const id = /^#?(\d+)$/.exec(q);
    if (id) return all.find((p) => p.personId === Number(id[1]));
    const byIdentity = all.find((p) => p.identities.includes(q));
    if (byIdentity) return byIdentity;
    const byName = all.filter((p) => p.displayName.toLowerCase() === q.toLowerCase());
    return byName.length === 1 ? byName[0] : undefined;
  }

  /** How many persons are owners. */
  ownerCount(): number {
    return this.sql("SELECT count(*) FROM persons WHERE role = 'owner'").pluck().get() as number;
  }

  /** Creates a person with one identity; the identity stops being a stranger. */
  enroll(identity: string, displayName: string, role: Role): Principal {
    if (!parseIdentity(identity)) throw new Error(`identity "${identity}" is not platform:id`);
    const at = this.clock.now();
    const name = displayName.trim().slice(0, 100) || identity;
    this.transaction(() => {
      const personId = this.sql('INSERT INTO persons (display_name, role, created_at) VALUES (?, ?, ?)').run(
        name,
        role,
        at,
      ).lastInsertRowid;
      this.attach(Number(personId), identity, name);
    });
    return this.resolve(identity) as Principal;
  }

  /** Adds an identity to an existing person; the identity stops being a stranger. */
  attach(personId: number, identity: string, displayName: string): void {
    const platform = parseIdentity(identity)?.platform;
    if (!platform) throw new Error(`identity "${identity}" is not platform:id`);
    this.transaction(() => {
      // A stranger's app language comes along: the welcome and later pushes speak it.
      this.sql(
        `INSERT INTO identities (identity, person_id, platform, display_name, created_at, platform_language)
         VALUES (?, ?, ?, ?, ?, (SELECT platform_language FROM unknown_users WHERE identity = ?))`,
      ).run(identity, personId, platform, displayName.slice(0, 100) || identity, this.clock.now(), identity);
      this.sql('DELETE FROM unknown_users WHERE identity = ?').run(identity);
    });
  }

  /** Moves every identity of person `from` to person `into` (keeping a language only `from` had) and removes `from`. */
  merge(from: number, into: number): void {
    this.transaction(() => {
      this.sql('UPDATE identities SET person_id = ? WHERE person_id = ?').run(into, from);
      this.sql('UPDATE persons SET language = coalesce(language, (SELECT language FROM persons WHERE id = ?)) WHERE id = ?').run(
        from,
        into,
      );
      this.sql('DELETE FROM persons WHERE id = ?').run(from);
    });
  }

  /** Stores a person's role. */
  setRole(personId: number, role: Role): void {
    this.write(() => this.sql('UPDATE persons SET role = ? WHERE id = ?').run(role, personId));
  }

  /** Removes a person and (by cascade) their identities: they become strangers again. */
  remove(personId: number): void {
    this.write(() => this.sql('DELETE FROM persons WHERE id = ?').run(personId));
  }

  /** Stores a known person's language (/lang); false for strangers. */
  setLanguage(identity: string, lang: Language): boolean {
    return this.write(
      () =>
        this.sql('UPDATE persons SET language = ? WHERE id = (SELECT person_id FROM identities WHERE identity = ?)').run(lang, identity)
          .changes === 1,
    );
  }

  /** Stores the language an account's app is set to (known identity or stranger); a write only when it changed. */
  notePlatformLanguage(identity: string, lang: Language): void {
    const known = this.resolve(identity);
    if (known) {
      if (known.platformLanguage === lang) return;
      this.write(() => this.sql('UPDATE identities SET platform_language = ? WHERE identity = ?').run(lang, identity));
      return;
    }
    this.sql('UPDATE unknown_users SET platform_language = ? WHERE identity = ? AND platform_language IS NOT ?').run(lang, identity, lang);
  }

  /**
   * Gives a person still named by their raw identity (an owner from config, seeded before they
   * ever wrote) the name their platform shows; true when renamed. Names already chosen stay.
   */
  adoptPlatformName(identity: string, displayName: string): boolean {
    const name = displayName.trim().slice(0, 100);
    const known = this.resolve(identity);
    const rawId = identity.slice(identity.indexOf(':') + 1);
    if (!known || known.displayName !== identity || !name || name === identity || name === rawId) return false;
    return this.write(() => {
      this.sql('UPDATE identities SET display_name = ? WHERE identity = ? AND display_name = ?').run(name, identity, identity);
      return (
        this.sql('UPDATE persons SET display_name = ? WHERE id = ? AND display_name = ?').run(name, known.personId, identity).changes === 1
      );
    });
  }

  /** Records a stranger; 'first' exactly once per identity so the owner is told once. */
  noteStranger(identity: string, displayName: string): 'first' | 'seen' {
    const now = this.clock.now();
    const inserted =
      this.sql(
        `INSERT INTO unknown_users (identity, display_name, first_seen_at, last_seen_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (identity) DO NOTHING`,
      ).run(identity, displayName.slice(0, 100), now, now).changes === 1;
    if (!inserted) this.sql('UPDATE unknown_users SET last_seen_at = ?, attempts = attempts + 1 WHERE identity = ?').run(now, identity);
    else this.strangerAdded(identity);
    return inserted ? 'first' : 'seen';
  }

  /** Counts a new stranger's row; past the cap, prunes (never the one just noted). */
  private strangerAdded(identity: string): void {
    this.strangerRows =
      this.strangerRows === undefined ? (this.sql('SELECT count(*) FROM unknown_users').pluck().get() as number) : this.strangerRows + 1;
    if (this.strangerRows > STRANGERS_KEPT_MAX) this.forgetStrangers(identity);
  }

  /** An ignored stranger wrote again: their last visit is written at most daily, so the Ignore outlives the pruning. */
  noteIgnoredKnock(identity: string): void {
    const now = this.clock.now();
    this.sql('UPDATE unknown_users SET last_seen_at = ? WHERE identity = ? AND ignored_at IS NOT NULL AND last_seen_at <= ?').run(
      now,
      identity,
      now - IGNORED_KNOCK_EVERY_MS,
    );
  }

  /**
   * Forgets strangers unseen for too long (ignored ones after longer), then, past the cap, the
   * least recently seen: strangers the owner was not just told about first, ignored ones last.
   * One transaction, with what the listeners write about it (the prune's audit row): a crash
   * mid-prune leaves the table as it was and nothing written, a committed prune has its row.
   */
  forgetStrangers(keep?: string): ForgottenStrangers {
    const now = this.clock.now();
    const forgotten = this.db.transaction((): ForgottenStrangers => {
      const unseen = this.sql('DELETE FROM unknown_users WHERE ignored_at IS NULL AND last_seen_at < ?').run(
        now - STRANGER_FORGET_AFTER_MS,
      ).changes;
      const ignored = this.sql('DELETE FROM unknown_users WHERE ignored_at IS NOT NULL AND last_seen_at < ?').run(
        now - IGNORED_STRANGER_FORGET_AFTER_MS,
      ).changes;
      const rows = this.sql('SELECT count(*) FROM unknown_users').pluck().get() as number;
      const excess = rows > STRANGERS_KEPT_MAX ? rows - STRANGERS_KEPT_AFTER_PRUNE : 0;
      const overCap =
        excess === 0
          ? 0
          : this.sql(
              `DELETE FROM unknown_users WHERE rowid IN (SELECT rowid FROM unknown_users WHERE identity IS NOT ?
               ORDER BY ignored_at IS NOT NULL, first_seen_at > ?, last_seen_at, rowid LIMIT ?)`,
            ).run(keep ?? null, now - STRANGER_NOTICE_TTL_MS, excess).changes;
      const forgotten = { unseen, ignored, overCap };
      // Inside the transaction: a listener's throw undoes the prune rather than leave it unaudited.
      if (unseen + ignored + overCap > 0) for (const listener of this.forgotten) listener(forgotten);
      return forgotten;
    })();
    this.strangerRows = undefined; // counted again at the next new stranger
    return forgotten;
  }

  /**
   * Calls `listener` in every prune that forgot someone, inside the prune's transaction (its writes
   * on this database commit with the prune; a throw rolls the prune back); returns the unsubscribe.
   */
  onStrangersForgotten(listener: (f: ForgottenStrangers) => void): () => void {
    this.forgotten.add(listener);
    return () => this.forgotten.delete(listener);
  }

  /** Whether the owner chose to ignore this stranger (their messages are then dropped unwritten). */
  strangerIgnored(identity: string): boolean {
    return this.sql('SELECT ignored_at IS NOT NULL FROM unknown_users WHERE identity = ?').pluck().get(identity) === 1;
  }

  /** Marks a stranger who wrote as ignored; false when there is no such stranger or it was already ignored. */
  ignoreStranger(identity: string, by: string): boolean {
    return (
      this.sql('UPDATE unknown_users SET ignored_at = ?, ignored_by = ? WHERE identity = ? AND ignored_at IS NULL').run(
        this.clock.now(),
        by,
        identity,
      ).changes === 1
    );
  }

  /** Undoes an Ignore: the stranger's messages are counted again; false when they were not ignored (or are not a stranger). */
  unignoreStranger(identity: string): boolean {
    return (
      this.sql('UPDATE unknown_users SET ignored_at = NULL, ignored_by = NULL WHERE identity = ? AND ignored_at IS NOT NULL').run(identity)
        .changes === 1
    );
  }

  /** How many strangers are ignored. */
  ignoredStrangerCount(): number {
    return this.sql('SELECT count(*) FROM unknown_users WHERE ignored_at IS NOT NULL').pluck().get() as number;
  }

  /** The most recently ignored strangers first, at most `limit`. */
  ignoredStrangers(limit: number): IgnoredStranger[] {
    return this.sql(
      `SELECT identity, display_name AS displayName, ignored_at AS ignoredAt, ignored_by AS ignoredBy FROM unknown_users
       WHERE ignored_at IS NOT NULL ORDER BY ignored_at DESC, rowid DESC LIMIT ?`,
    ).all(limit) as IgnoredStranger[];
  }

  /** The name a stranger wrote under; undefined when the identity never wrote unknown. */
  strangerName(identity: string): string | undefined {
    return this.sql('SELECT display_name FROM unknown_users WHERE identity = ?').pluck().get(identity) as string | undefined;
  }
}
