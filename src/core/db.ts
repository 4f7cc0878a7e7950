import Database from 'better-sqlite3';
import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/** The bot's one SQLite connection (better-sqlite3). */
export type Db = Database.Database;

/**
 * One schema change. Ids sort within their area and are recorded in `schema_migrations`,
 * so each area (core, permissions, alerts, services) owns its own list without renumbering.
 */
export interface Migration {
  readonly id: string;
  readonly up: string | ((db: Db) => void);
}

/** A database file that cannot be used; the message says why and what to check. */
export class DatabaseOpenError extends Error {
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(message);
    this.name = 'DatabaseOpenError';
  }
}

/**
 * Opens (or creates) the SQLite file with WAL, foreign keys and a busy timeout, and applies
 * pending migrations in one transaction each. A corrupt or unwritable file raises
 * DatabaseOpenError: the bot must never quietly start over with an empty database.
 */
export function openDatabase(path: string, migrations: readonly Migration[]): Db {
  const inMemory = path === ':memory:';
  if (!inMemory) {
    const dir = dirname(path);
    try {
      mkdirSync(dir, { recursive: true });
      accessSync(dir, constants.W_OK);
      if (existsSync(path)) accessSync(path, constants.R_OK | constants.W_OK);
    } catch (e) {
      throw new DatabaseOpenError(`database ${path} is not writable: ${(e as Error).message}`, path);
    }
  }
  let db: Db;
  try {
    db = new Database(path);
    reusePreparedStatements(db);
    db.pragma('busy_timeout = 5000');
    if (!inMemory) db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('synchronous = NORMAL');
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new Error(`integrity check failed: ${String(check)}`);
  } catch (e) {
    if (e instanceof DatabaseOpenError) throw e;
    throw new DatabaseOpenError(
      `database ${path} cannot be opened (${(e as Error).message}); restore it from a backup or move it away to start fresh`,
      path,
    );
  }
  applyMigrations(db, migrations);
  return db;
}

/** Applies the migrations not yet recorded, in the order given. Returns the ids applied. */
export function applyMigrations(db: Db, migrations: readonly Migration[]): string[] {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)');
  const seen = new Set<string>();
  for (const m of migrations) {
    if (seen.has(m.id)) throw new Error(`duplicate migration id ${m.id}`);
    seen.add(m.id);
  }
  const done = new Set(db.prepare('SELECT id FROM schema_migrations').pluck().all() as string[]);
  const record = db.prepare('INSERT INTO schema_migrations (id, applied_at) VALUES (?, ?)');
  const applied: string[] = [];
  for (const m of migrations) {
    if (done.has(m.id)) continue;
    db.transaction(() => {
      if (typeof m.up === 'string') db.exec(m.up);
      else m.up(db);
      record.run(m.id, Date.now());
    })();
    applied.push(m.id);
  }
  return applied;
}

/** True when a write succeeds right now (for /healthz). */
export function isWritable(db: Db): boolean {
  try {
    db.exec('CREATE TABLE IF NOT EXISTS health_probe (id INTEGER PRIMARY KEY, at INTEGER)');
    db.prepare('INSERT OR REPLACE INTO health_probe (id, at) VALUES (1, ?)').run(Date.now());
    return true;
  } catch {
    return false;
  }
}

/** Most distinct SQL texts kept compiled; past it the least recently used one is dropped. */
export const PREPARED_MAX = 500;

/**
 * Makes `db.prepare` hand back the statement compiled before for the same SQL text: compiling is
 * most of a small query's cost and stores prepare on every call (a /status read a dozen). A
 * cached statement comes back in its default mode (a previous caller's `.pluck()`, `.raw()` or
 * `.expand()` undone). Safe because nothing in src iterates a statement (`.iterate()`) while it
 * could run again; `.all()`, `.get()` and `.run()` finish before returning.
 */
export function reusePreparedStatements(db: Db): void {
  const compile = db.prepare.bind(db);
  const cache = new Map<string, Database.Statement>();
  const prepare = (source: string): Database.Statement => {
    let st = cache.get(source);
    if (st) {
      cache.delete(source);
      if (st.reader) st.pluck(false).expand(false).raw(false);
    } else {
      st = compile(source);
      if (cache.size >= PREPARED_MAX) cache.delete(cache.keys().next().value!);
    }
    cache.set(source, st);
    return st;
  };
  db.prepare = prepare as Db['prepare'];
}

/** Prepares each SQL text once and hands back the compiled statement (for stores on hot paths). */
export function statementCache(db: Db): (text: string) => Database.Statement {
  const statements = new Map<string, Database.Statement>();
  return (text) => {
    let st = statements.get(text);
    if (!st) {
      st = db.prepare(text);
      statements.set(text, st);
    }
    return st;
  };
}

/** Reads of one table kept in memory until that table is written (see tableCache). */
export interface TableCache {
  /** `load()`'s result for `key`, from memory when the table has not been written since. */
  read<T>(key: string, load: () => T): T;
  /** Forgets every read of the table: call after each write to it. */
  invalidate(): void;
}

/** Per database, per table: shared by every store instance on that database. */
const tableCaches = new WeakMap<Db, Map<string, Map<string, unknown>>>();

/**
 * A cache of reads of `table` shared by every store on `db` that names it, so a write through
 * one instance is seen by the others. Inside a transaction reads go to SQLite and are not kept:
 * a rollback can never leave a row in memory that the database does not have.
 */
export function tableCache(db: Db, table: string): TableCache {
  let tables = tableCaches.get(db);
  if (!tables) tableCaches.set(db, (tables = new Map()));
  let reads = tables.get(table);
  if (!reads) tables.set(table, (reads = new Map()));
  const cache = reads;
  return {
    read<T>(key: string, load: () => T): T {
      if (db.inTransaction) return load();
      if (cache.has(key)) return cache.get(key) as T;
      const value = load();
      cache.set(key, value);
      return value;
    },
    invalidate: () => cache.clear(),
  };
}
