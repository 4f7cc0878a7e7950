import type { Db, Migration } from '../../core/db.ts';

/** Schema of the router area: the pending guest WiFi auto-off (at most one). */
export const routerMigrations: Migration[] = [
  {
    id: 'router-0001-guest-wifi-auto-off',
    up: `CREATE TABLE router_guest_auto_off (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      off_at INTEGER NOT NULL,
      chat TEXT NOT NULL,
      set_by TEXT NOT NULL,
      set_at INTEGER NOT NULL
    )`,
  },
];

/** When the guest WiFi turns itself off, and which chat to tell. */
export interface AutoOff {
  readonly offAt: number;
  /** `platform:chatId` where it was asked for. */
  readonly chat: string;
  readonly setBy: string;
}

/** True when a scheduled auto-off is due (pure rule). */
export function autoOffDue(s: AutoOff | undefined, now: number): boolean {
  return s !== undefined && now >= s.offAt;
}

/**
 * The guest WiFi auto-off, stored in SQLite so it survives restarts, and cached in memory
 * so the once-a-second check never touches the database.
 */
export class GuestAutoOffStore {
  private cached: AutoOff | undefined;

  constructor(private readonly db: Db) {
    const row = db.prepare('SELECT off_at, chat, set_by FROM router_guest_auto_off WHERE id = 1').get() as
      { off_at: number; chat: string; set_by: string } | undefined;
    this.cached = row ? { offAt: row.off_at, chat: row.chat, setBy: row.set_by } : undefined;
  }

  /** The pending auto-off, if any. */
  get(): AutoOff | undefined {
    return this.cached;
  }

  /** Replaces the pending auto-off. */
  set(s: AutoOff, now: number): void {
    this.db
      .prepare('INSERT OR REPLACE INTO router_guest_auto_off (id, off_at, chat, set_by, set_at) VALUES (1, ?, ?, ?, ?)')
      .run(s.offAt, s.chat, s.setBy, now);
    this.cached = s;
  }

  /** Removes it (the WiFi was turned off, or on without a limit). */
  clear(): void {
    this.db.prepare('DELETE FROM router_guest_auto_off WHERE id = 1').run();
    this.cached = undefined;
  }
}
