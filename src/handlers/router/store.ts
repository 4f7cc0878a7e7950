import type { Migration } from '../../core/db.ts';
import type { Deadline, DeadlineIntent, DeadlineStore } from '../../core/deadlines.ts';

/** The deadline kind of the guest WiFi auto-off (one target: the guest network). */
export const GUEST_OFF_KIND = 'guest-wifi-off';
const TARGET = 'guest';

/**
 * Schema of the router area. The auto-off used to live in its own table; it is a deadline now
 * (runs after the deadlines table exists).
 */
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
  {
    id: 'router-0002-auto-off-deadline',
    up: `INSERT OR IGNORE INTO deadlines (kind, target, due_at, phase, chat, requested_by, data, created_at)
      SELECT '${GUEST_OFF_KIND}', '${TARGET}', off_at, 'active', chat, set_by, '{}', set_at FROM router_guest_auto_off;
    DROP TABLE router_guest_auto_off`,
  },
];

/** When the guest WiFi turns itself off, and which chat to tell. */
export interface AutoOff {
  readonly offAt: number;
  /** `platform:chatId` where it was asked for. */
  readonly chat: string;
  readonly setBy: string;
}

/** The auto-off as seen through its deadline. */
export const toAutoOff = (d: Deadline): AutoOff => ({ offAt: d.dueAt, chat: d.chat, setBy: d.requestedBy });

const spec = (s: AutoOff) => ({ kind: GUEST_OFF_KIND, target: TARGET, dueAt: s.offAt, chat: s.chat, requestedBy: s.setBy });

/** The guest WiFi auto-off: the router view of the shared deadlines, so it survives restarts. */
export class GuestAutoOffStore {
  constructor(private readonly deadlines: DeadlineStore) {}

  /** The pending auto-off, if any. */
  get(): AutoOff | undefined {
    const d = this.deadlines.get(GUEST_OFF_KIND, TARGET);
    return d ? toAutoOff(d) : undefined;
  }

  /** Replaces the pending auto-off (the WiFi is already on). */
  set(s: AutoOff, now: number): void {
    this.deadlines.put(spec(s), now);
  }

  /** Records the auto-off before the WiFi is turned on (throws when the database cannot be written). */
  intend(s: AutoOff, now: number): DeadlineIntent {
    return this.deadlines.intend(spec(s), now);
  }

  /** Removes it (the WiFi was turned off, or on without a limit). */
  clear(): void {
    this.deadlines.remove(GUEST_OFF_KIND, TARGET);
  }
}
