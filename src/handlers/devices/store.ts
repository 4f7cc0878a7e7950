import { normalizeMac } from '../../core/mac.ts';
import { tableCache, type Db, type Migration, type TableCache } from '../../core/db.ts';

/** The deadline kind of a timed device pause (target: the device's MAC; data: the address cut off). */
export const PAUSE_KIND = 'device-pause';

/**
 * Schema of the devices area: every MAC the router ever leased an address to, its owner, and
 * the blocks. Timed pauses are deadlines (core/deadlines.ts), so the one deadline worker ends
 * them; they used to live in `device_pauses` with the blocks (moved by 0002, after the
 * deadlines table exists).
 */
export const deviceMigrations: Migration[] = [
  {
    id: 'devices-0001-devices-and-pauses',
    up: `CREATE TABLE devices (
      mac TEXT PRIMARY KEY,
      name TEXT,
      lease_name TEXT,
      ip TEXT,
      network TEXT NOT NULL,
      owner_person_id INTEGER,
      first_seen INTEGER NOT NULL,
      last_seen INTEGER NOT NULL
    );
    CREATE TABLE device_pauses (
      mac TEXT PRIMARY KEY,
      kind TEXT NOT NULL CHECK (kind IN ('pause', 'block')),
      until INTEGER,
      address TEXT NOT NULL,
      chat TEXT NOT NULL,
      set_by TEXT NOT NULL,
      set_at INTEGER NOT NULL
    )`,
  },
  {
    id: 'devices-0002-pauses-to-deadlines',
    up: `CREATE TABLE device_blocks (
      mac TEXT PRIMARY KEY,
      address TEXT NOT NULL,
      chat TEXT NOT NULL,
      set_by TEXT NOT NULL,
      set_at INTEGER NOT NULL
    );
    INSERT INTO device_blocks (mac, address, chat, set_by, set_at)
      SELECT mac, address, chat, set_by, set_at FROM device_pauses WHERE kind = 'block';
    INSERT OR IGNORE INTO deadlines (kind, target, due_at, phase, chat, requested_by, data, created_at)
      SELECT '${PAUSE_KIND}', mac, until, 'active', chat, set_by, json_object('address', address), set_at
      FROM device_pauses WHERE kind = 'pause' AND until IS NOT NULL;
    DROP TABLE device_pauses`,
  },
];

/** Which household network a device was last seen on. */
export type DeviceNetwork = 'lan' | 'guest' | 'other';

/** A device the router knows: a MAC with what DHCP and the household say about it. */
export interface Device {
  /** Upper-case, colon-separated (`AA:BB:CC:DD:EE:FF`). */
  readonly mac: string;
  /** The household's name for it (set with /device … name). */
  readonly name: string | undefined;
  /** The DHCP host name the device announced. */
  readonly leaseName: string | undefined;
  readonly ip: string | undefined;
  readonly network: DeviceNetwork;
  readonly ownerPersonId: number | undefined;
  readonly firstSeen: number;
  readonly lastSeen: number;
}

/** A device's internet cut on the router for a while (ended by the deadline worker). */
export interface DeviceTimedPause {
  readonly mac: string;
  readonly kind: 'pause';
  readonly until: number;
  /** The address the router refuses (the device's lease when it was paused). */
  readonly address: string;
  /** `platform:chatId` told when it ends. */
  readonly chat: string;
  readonly setBy: string;
}

/** A device's internet cut on the router until someone lifts it (a newcomer's [Block]). */
export interface DeviceBlock {
  readonly mac: string;
  readonly kind: 'block';
  readonly until: undefined;
  readonly address: string;
  readonly chat: string;
  readonly setBy: string;
}

/** A device's internet cut on the router: a timed pause, or a block until lifted. */
export type DevicePause = DeviceTimedPause | DeviceBlock;

interface DeviceRow {
  mac: string;
  name: string | null;
  lease_name: string | null;
  ip: string | null;
  network: DeviceNetwork;
  owner_person_id: number | null;
  first_seen: number;
  last_seen: number;
}

interface BlockRow {
  mac: string;
  address: string;
  chat: string;
  set_by: string;
}

const toDevice = (r: DeviceRow): Device => ({
  mac: r.mac,
  name: r.name ?? undefined,
  leaseName: r.lease_name ?? undefined,
  ip: r.ip ?? undefined,
  network: r.network,
  ownerPersonId: r.owner_person_id ?? undefined,
  firstSeen: r.first_seen,
  lastSeen: r.last_seen,
});

const toBlock = (r: BlockRow): DeviceBlock => ({
  mac: r.mac,
  kind: 'block',
  until: undefined,
  address: r.address,
  chat: r.chat,
  setBy: r.set_by,
});

/** Re-exported where the device code has always found it. */
export { normalizeMac };

/** What the router said about one lease, as the tracker records it. */
export interface Sighting {
  readonly mac: string;
  readonly leaseName: string | undefined;
  readonly ip: string;
  readonly network: DeviceNetwork;
}

/** The devices and their blocks in SQLite (this module owns both tables; timed pauses are deadlines). */
export class DeviceStore {
  /** `blocks()`, read by every /status: dropped by putBlock and removeBlock (the table's only writers). */
  private readonly blockList: TableCache;

  constructor(private readonly db: Db) {
    this.blockList = tableCache(db, 'device_blocks');
  }

  /** Every device, by name. */
  all(): Device[] {
    return (this.db.prepare('SELECT * FROM devices ORDER BY coalesce(name, lease_name, mac)').all() as DeviceRow[]).map(toDevice);
  }

  /** True before the router was ever read (the first sightings are the baseline, not newcomers). */
  isEmpty(): boolean {
    return this.db.prepare('SELECT 1 FROM devices LIMIT 1').get() === undefined;
  }

  /** One device by MAC. */
  get(mac: string): Device | undefined {
    const r = this.db.prepare('SELECT * FROM devices WHERE mac = ?').get(mac) as DeviceRow | undefined;
    return r ? toDevice(r) : undefined;
  }

  /** The devices one person owns. */
  ownedBy(personId: number): Device[] {
    return (
      this.db
        .prepare('SELECT * FROM devices WHERE owner_person_id = ? ORDER BY coalesce(name, lease_name, mac)')
        .all(personId) as DeviceRow[]
    ).map(toDevice);
  }

  /**
   * Finds devices by MAC, IP, household name or DHCP name (case-insensitive). A MAC or IP
   * matches one device; a name may match several (then the caller asks which).
   */
  find(query: string): Device[] {
    const q = query.trim();
    const mac = normalizeMac(q);
    if (mac) return this.get(mac) ? [this.get(mac)!] : [];
    const rows = this.db
      .prepare('SELECT * FROM devices WHERE ip = ? OR lower(name) = lower(?) OR lower(lease_name) = lower(?)')
      .all(q, q, q) as DeviceRow[];
    const byName = rows.filter((r) => r.name?.toLowerCase() === q.toLowerCase() || r.ip === q);
    return (byName.length > 0 ? byName : rows).map(toDevice);
  }

  /**
   * Records sightings in one transaction; returns the MACs never seen before. `onFresh` runs
   * inside that transaction for each of them, so an announcement queued there (outbox, same
   * database) is stored exactly when the device is: never lost, never twice.
   */
  record(sightings: readonly Sighting[], now: number, onFresh?: (d: Device) => void): string[] {
    const known = this.db.prepare('SELECT 1 FROM devices WHERE mac = ?');
    const upsert = this.db.prepare(
      `INSERT INTO devices (mac, lease_name, ip, network, first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (mac) DO UPDATE SET lease_name = coalesce(excluded.lease_name, lease_name), ip = excluded.ip,
         network = excluded.network, last_seen = excluded.last_seen`,
    );
    return this.db.transaction(() => {
      const fresh: string[] = [];
      for (const s of sightings) {
        if (!known.get(s.mac)) fresh.push(s.mac);
        upsert.run(s.mac, s.leaseName ?? null, s.ip, s.network, now, now);
      }
      if (onFresh) for (const mac of fresh) onFresh(this.get(mac)!);
      return fresh;
    })();
  }

  /** Sets (or clears) the owner. */
  setOwner(mac: string, personId: number | undefined): boolean {
    return this.db.prepare('UPDATE devices SET owner_person_id = ? WHERE mac = ?').run(personId ?? null, mac).changes > 0;
  }

  /** Sets the household name. */
  setName(mac: string, name: string): boolean {
    return this.db.prepare('UPDATE devices SET name = ? WHERE mac = ?').run(name, mac).changes > 0;
  }

  /** The block of a device, if any. */
  block(mac: string): DeviceBlock | undefined {
    const r = this.db.prepare('SELECT mac, address, chat, set_by FROM device_blocks WHERE mac = ?').get(mac) as BlockRow | undefined;
    return r ? toBlock(r) : undefined;
  }

  /** Every block, oldest first. */
  blocks(): DeviceBlock[] {
    const all = this.blockList.read('all', () =>
      (this.db.prepare('SELECT mac, address, chat, set_by FROM device_blocks ORDER BY set_at').all() as BlockRow[]).map((r) =>
        Object.freeze(toBlock(r)),
      ),
    );
    return [...all];
  }

  /** Records a block before the router is told (a crash in between: the next reconciliation applies it). */
  putBlock(b: Omit<DeviceBlock, 'kind' | 'until'>, now: number): void {
    this.db
      .prepare(
        `INSERT INTO device_blocks (mac, address, chat, set_by, set_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (mac) DO UPDATE SET address = excluded.address, chat = excluded.chat, set_by = excluded.set_by, set_at = excluded.set_at`,
      )
      .run(b.mac, b.address, b.chat, b.setBy, now);
    this.blockList.invalidate();
  }

  /** Forgets a block. */
  removeBlock(mac: string): boolean {
    const removed = this.db.prepare('DELETE FROM device_blocks WHERE mac = ?').run(mac).changes > 0;
    this.blockList.invalidate();
    return removed;
  }
}

/** The name people know a device by. */
export function deviceLabel(d: Pick<Device, 'name' | 'leaseName' | 'mac'>): string {
  return d.name ?? d.leaseName ?? d.mac;
}
