import type { Db, Migration } from '../../core/db.ts';

/** Schema of the Pi-hole area: temporary allow entries and when they end. */
export const piholeMigrations: Migration[] = [
  {
    id: 'pihole-0001-temporary-allow',
    up: `CREATE TABLE pihole_temp_allow (
      domain TEXT PRIMARY KEY,
      display TEXT NOT NULL,
      expires_at INTEGER NOT NULL,
      chat TEXT NOT NULL,
      requested_by TEXT NOT NULL,
      created_at INTEGER NOT NULL
    );
    CREATE INDEX pihole_temp_allow_expires ON pihole_temp_allow (expires_at)`,
  },
];

/** A temporary allow entry the bot added and must remove when it expires. */
export interface TempAllow {
  /** Exact domain as sent to Pi-hole (punycode). */
  readonly domain: string;
  /** Unicode form for messages. */
  readonly display: string;
  readonly expiresAt: number;
  /** `platform:chatId` where it was asked for (told when it ends). */
  readonly chat: string;
  readonly requestedBy: string;
}

interface Row {
  domain: string;
  display: string;
  expires_at: number;
  chat: string;
  requested_by: string;
}

const toEntry = (r: Row): TempAllow => ({
  domain: r.domain,
  display: r.display,
  expiresAt: r.expires_at,
  chat: r.chat,
  requestedBy: r.requested_by,
});

/** Temporary allow entries in SQLite: they outlive restarts, so nothing stays unblocked forever. */
export class TempAllowStore {
  constructor(private readonly db: Db) {}

  /** The entry for a domain, if the bot is holding one. */
  get(domain: string): TempAllow | undefined {
    const r = this.db
      .prepare('SELECT domain, display, expires_at, chat, requested_by FROM pihole_temp_allow WHERE domain = ?')
      .get(domain) as Row | undefined;
    return r ? toEntry(r) : undefined;
  }

  /** Records (or replaces) an entry. */
  put(e: TempAllow, now: number): void {
    this.db
      .prepare(
        `INSERT INTO pihole_temp_allow (domain, display, expires_at, chat, requested_by, created_at) VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (domain) DO UPDATE SET display = excluded.display, expires_at = excluded.expires_at, chat = excluded.chat, requested_by = excluded.requested_by`,
      )
      .run(e.domain, e.display, e.expiresAt, e.chat, e.requestedBy, now);
  }

  /** Entries whose time is up, oldest first. */
  due(now: number): TempAllow[] {
    return (
      this.db
        .prepare('SELECT domain, display, expires_at, chat, requested_by FROM pihole_temp_allow WHERE expires_at <= ? ORDER BY expires_at')
        .all(now) as Row[]
    ).map(toEntry);
  }

  /** Every entry, soonest first (for /unblock without arguments). */
  all(): TempAllow[] {
    return (
      this.db.prepare('SELECT domain, display, expires_at, chat, requested_by FROM pihole_temp_allow ORDER BY expires_at').all() as Row[]
    ).map(toEntry);
  }

  /** Forgets an entry; only when it still ends at `expiresAt`, if given (someone may have extended it meanwhile). */
  remove(domain: string, expiresAt?: number): boolean {
    const r =
      expiresAt === undefined
        ? this.db.prepare('DELETE FROM pihole_temp_allow WHERE domain = ?').run(domain)
        : this.db.prepare('DELETE FROM pihole_temp_allow WHERE domain = ? AND expires_at = ?').run(domain, expiresAt);
    return r.changes > 0;
  }
}
