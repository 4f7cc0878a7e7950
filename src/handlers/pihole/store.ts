import type { Migration } from '../../core/db.ts';
import type { Deadline, DeadlineIntent, DeadlineStore } from '../../core/deadlines.ts';

/** The deadline kind of a temporary allow entry (target: the domain as sent to Pi-hole). */
export const TEMP_ALLOW_KIND = 'pihole-allow';

/**
 * Schema of the Pi-hole area. Temporary allow entries used to live in their own table; they
 * are deadlines now (runs after the deadlines table exists).
 */
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
  {
    id: 'pihole-0002-allow-deadlines',
    up: `INSERT OR IGNORE INTO deadlines (kind, target, due_at, phase, chat, requested_by, data, created_at)
      SELECT '${TEMP_ALLOW_KIND}', domain, expires_at, 'active', chat, requested_by, json_object('display', display), created_at
      FROM pihole_temp_allow;
    DROP TABLE pihole_temp_allow`,
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

/** A temporary allow as seen through its deadline. */
export const toTempAllow = (d: Deadline): TempAllow => ({
  domain: d.target,
  display: d.data['display'] ?? d.target,
  expiresAt: d.dueAt,
  chat: d.chat,
  requestedBy: d.requestedBy,
});

const spec = (e: TempAllow) => ({
  kind: TEMP_ALLOW_KIND,
  target: e.domain,
  dueAt: e.expiresAt,
  chat: e.chat,
  requestedBy: e.requestedBy,
  data: { display: e.display },
});

/** Temporary allow entries: the Pi-hole view of the shared deadlines, so nothing stays unblocked forever. */
export class TempAllowStore {
  constructor(private readonly deadlines: DeadlineStore) {}

  /** The entry for a domain, if the bot is holding one. */
  get(domain: string): TempAllow | undefined {
    const d = this.deadlines.get(TEMP_ALLOW_KIND, domain);
    return d ? toTempAllow(d) : undefined;
  }

  /** Records (or replaces) an entry whose allow already exists. */
  put(e: TempAllow, now: number): void {
    this.deadlines.put(spec(e), now);
  }

  /** Records the entry before the allow is added (throws when the database cannot be written). */
  intend(e: TempAllow, now: number): DeadlineIntent {
    return this.deadlines.intend(spec(e), now);
  }

  /** Every entry, soonest first (for /unblock without arguments). */
  all(): TempAllow[] {
    return this.deadlines.list(TEMP_ALLOW_KIND).map(toTempAllow);
  }

  /** Forgets an entry; only when it still ends at `expiresAt`, if given (someone may have extended it meanwhile). */
  remove(domain: string, expiresAt?: number): boolean {
    return this.deadlines.remove(TEMP_ALLOW_KIND, domain, expiresAt);
  }
}
