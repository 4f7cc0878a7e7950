import type { Migration } from '../../core/db.ts';
import type { Deadline, DeadlineEnding, DeadlineIntent, DeadlineStore } from '../../core/deadlines.ts';

/** The deadline kind of a temporary allow entry (target: the domain as sent to Pi-hole). */
export const TEMP_ALLOW_KIND = 'pihole-allow';
/** The deadline kind of an allow for one person's devices (target: `<personId>/<domain>`). */
export const PERSON_ALLOW_KIND = 'pihole-allow-person';

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
  /** Whose devices it holds for (issue 17); undefined = everyone's. */
  readonly personId?: number;
}

const personTarget = (personId: number, domain: string): string => `${personId}/${domain}`;

/** A temporary allow as seen through its deadline (either kind). */
export const toTempAllow = (d: Deadline): TempAllow => {
  const person = d.kind === PERSON_ALLOW_KIND ? /^(\d+)\/(.+)$/.exec(d.target) : null;
  const domain = person ? person[2]! : d.target;
  return {
    domain,
    display: d.data['display'] ?? domain,
    expiresAt: d.dueAt,
    chat: d.chat,
    requestedBy: d.requestedBy,
    ...(person ? { personId: Number(person[1]) } : {}),
  };
};

const where = (domain: string, personId: number | undefined) =>
  personId === undefined ? { kind: TEMP_ALLOW_KIND, target: domain } : { kind: PERSON_ALLOW_KIND, target: personTarget(personId, domain) };

const spec = (e: TempAllow) => ({
  ...where(e.domain, e.personId),
  dueAt: e.expiresAt,
  chat: e.chat,
  requestedBy: e.requestedBy,
  data: { display: e.display },
});

/** Temporary allow entries: the Pi-hole view of the shared deadlines, so nothing stays unblocked forever. */
export class TempAllowStore {
  constructor(private readonly deadlines: DeadlineStore) {}

  /** The entry for a domain (for everyone, or for one person's devices), if the bot is holding one. */
  get(domain: string, personId?: number): TempAllow | undefined {
    const w = where(domain, personId);
    const d = this.deadlines.get(w.kind, w.target);
    return d ? toTempAllow(d) : undefined;
  }

  /** Every hold on a domain: everyone's and each person's. */
  holds(domain: string): TempAllow[] {
    return this.all().filter((e) => e.domain === domain);
  }

  /** Records (or replaces) an entry whose allow already exists. */
  put(e: TempAllow, now: number): void {
    this.deadlines.put(spec(e), now);
  }

  /** Records the entry before the allow is added (throws when the database cannot be written). */
  intend(e: TempAllow, now: number): DeadlineIntent {
    return this.deadlines.intend(spec(e), now);
  }

  /**
   * Records that these holds end because the allow becomes permanent, before Pi-hole is changed
   * (throws when the database cannot be written).
   */
  intendPermanent(holds: readonly TempAllow[], now: number): DeadlineEnding {
    return this.deadlines.intendEnd(
      holds.map((h) => where(h.domain, h.personId)),
      now,
    );
  }

  /** Every entry of both kinds, soonest first (for /unblock without arguments). */
  all(): TempAllow[] {
    return [...this.deadlines.list(TEMP_ALLOW_KIND), ...this.deadlines.list(PERSON_ALLOW_KIND)]
      .map(toTempAllow)
      .sort((a, b) => a.expiresAt - b.expiresAt);
  }

  /** Forgets an entry; only when it still ends at `expiresAt`, if given (someone may have extended it meanwhile). */
  remove(domain: string, expiresAt?: number, personId?: number): boolean {
    const w = where(domain, personId);
    return this.deadlines.remove(w.kind, w.target, expiresAt);
  }
}
