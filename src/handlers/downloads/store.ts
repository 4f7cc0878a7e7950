import { randomBytes } from 'node:crypto';
import type { Db, Migration } from '../../core/db.ts';

/** Schema of the downloads area: who added which torrent, and .torrent files waiting for a folder. */
export const downloadsMigrations: Migration[] = [
  {
    id: 'torrents-0001-adders-and-uploads',
    up: `
      CREATE TABLE torrents_added (
        hash TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        chat TEXT NOT NULL,
        added_by TEXT NOT NULL,
        added_at INTEGER NOT NULL,
        notified_at INTEGER
      );
      CREATE TABLE torrents_pending_upload (
        id TEXT PRIMARY KEY,
        file_name TEXT NOT NULL,
        bytes BLOB NOT NULL,
        owner TEXT NOT NULL,
        expires_at INTEGER NOT NULL
      );`,
  },
];

/** A torrent the bot added, with the chat to tell when it finishes. */
export interface AddedBy {
  readonly hash: string;
  readonly name: string;
  readonly chat: string;
  readonly addedBy: string;
  readonly notifiedAt: number | null;
}

const PENDING_TTL_MS = 60 * 60_000;

/** SQLite access for the downloads area. */
export class TorrentStore {
  constructor(private readonly db: Db) {}

  /** Remembers who added a torrent; a duplicate add keeps the first adder. */
  recordAdded(a: { hash: string; name: string; chat: string; addedBy: string }, now: number): void {
    this.db
      .prepare('INSERT OR IGNORE INTO torrents_added (hash, name, chat, added_by, added_at) VALUES (?, ?, ?, ?, ?)')
      .run(a.hash, a.name, a.chat, a.addedBy, now);
  }

  /** The adder of a torrent, if the bot added it. */
  adder(hash: string): AddedBy | undefined {
    const row = this.db.prepare('SELECT hash, name, chat, added_by, notified_at FROM torrents_added WHERE hash = ?').get(hash) as
      { hash: string; name: string; chat: string; added_by: string; notified_at: number | null } | undefined;
    return row ? { hash: row.hash, name: row.name, chat: row.chat, addedBy: row.added_by, notifiedAt: row.notified_at } : undefined;
  }

  /** Marks the finish notification as sent; false when it already was (exactly once). */
  markNotified(hash: string, now: number): boolean {
    return this.db.prepare('UPDATE torrents_added SET notified_at = ? WHERE hash = ? AND notified_at IS NULL').run(now, hash).changes === 1;
  }

  /** Forgets a removed torrent. */
  forget(hash: string): void {
    this.db.prepare('DELETE FROM torrents_added WHERE hash = ?').run(hash);
  }

  /** Parks an uploaded .torrent until its owner picks a folder; returns its id. */
  savePending(fileName: string, bytes: Buffer, owner: string, now: number): string {
    this.db.prepare('DELETE FROM torrents_pending_upload WHERE expires_at <= ?').run(now);
    const id = randomBytes(8).toString('hex');
    this.db
      .prepare('INSERT INTO torrents_pending_upload (id, file_name, bytes, owner, expires_at) VALUES (?, ?, ?, ?, ?)')
      .run(id, fileName, bytes, owner, now + PENDING_TTL_MS);
    return id;
  }

  /** Takes a parked upload back (once), if it is still valid and belongs to `owner`. */
  takePending(id: string, owner: string, now: number): { fileName: string; bytes: Buffer } | undefined {
    const row = this.db.prepare('SELECT file_name, bytes, owner, expires_at FROM torrents_pending_upload WHERE id = ?').get(id) as
      { file_name: string; bytes: Buffer; owner: string; expires_at: number } | undefined;
    if (!row || row.owner !== owner || row.expires_at <= now) return undefined;
    this.db.prepare('DELETE FROM torrents_pending_upload WHERE id = ?').run(id);
    return { fileName: row.file_name, bytes: row.bytes };
  }
}
