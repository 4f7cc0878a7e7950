/**
 * Guests the bot itself stopped (`/shutdown`, `/poweroff`): who asked and when. The row is
 * written BEFORE Proxmox is asked (intent first) and taken back when Proxmox refuses, so an
 * alert can never find the guest stopped by the bot without knowing it was the bot. It lasts
 * until the guest is seen running again after the stop (started by anyone), or `/poweron`.
 */
import type { Db, Migration } from '../../core/db.ts';
import type { Guest } from '../../services/proxmox/types.ts';

/** Schema of the hypervisor area. */
export const proxmoxMigrations: Migration[] = [
  {
    id: 'proxmox-0001-guest-stops',
    up: `CREATE TABLE proxmox_guest_stops (
      vmid INTEGER PRIMARY KEY,
      by TEXT NOT NULL,
      at INTEGER NOT NULL
    )`,
  },
];

/** Who stopped a guest through the bot, and when. */
export interface GuestStop {
  readonly vmid: number;
  /** Display name of the person (audited separately with their identity). */
  readonly by: string;
  readonly at: number;
}

/** A stop that never took effect (the guest kept running) is forgotten after this long. */
const STALE_MS = 15 * 60_000;

/** The table of guests stopped through the bot. */
export class GuestStops {
  constructor(private readonly db: Db) {}

  /** Records the stop before Proxmox is asked; throws when the database cannot be written (then nothing is asked). */
  intend(vmid: number, by: string, at: number): { abandon(): void } {
    this.db
      .prepare(
        'INSERT INTO proxmox_guest_stops (vmid, by, at) VALUES (?, ?, ?) ON CONFLICT (vmid) DO UPDATE SET by = excluded.by, at = excluded.at',
      )
      .run(vmid, by, at);
    return { abandon: () => void this.db.prepare('DELETE FROM proxmox_guest_stops WHERE vmid = ? AND at = ?').run(vmid, at) };
  }

  /** The guest is meant to run again (`/poweron`). */
  forget(vmid: number): void {
    this.db.prepare('DELETE FROM proxmox_guest_stops WHERE vmid = ?').run(vmid);
  }

  /** Every recorded stop by vmid. */
  all(): ReadonlyMap<number, GuestStop> {
    const rows = this.db.prepare('SELECT vmid, by, at FROM proxmox_guest_stops').all() as GuestStop[];
    return new Map(rows.map((r) => [r.vmid, r]));
  }

  /**
   * Forgets stops the guest list has moved past: a guest running since after the stop was
   * started again (by anyone), and one still running long after the request never stopped.
   */
  reconcile(guests: readonly Pick<Guest, 'vmid' | 'status' | 'uptime'>[], now: number): void {
    for (const s of this.all().values()) {
      const g = guests.find((x) => x.vmid === s.vmid);
      if (!g || g.status !== 'running') continue;
      const startedAfter = g.uptime * 1000 < now - s.at;
      if (startedAfter || now - s.at > STALE_MS) this.forget(s.vmid);
    }
  }
}
