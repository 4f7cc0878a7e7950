/**
 * Which physical disk is which in an array: the members that failed (replace them), the slots
 * with no disk (missing), the members still working (keep them), the one being rebuilt, and the
 * attached disks that belong to no array (often the one that dropped out). Disks are named the
 * way a person finds them in the case: device, model and serial number from SMART.
 */
import type { RaidArray } from './raid.ts';

/** A disk as SMART knows it. */
export interface DiskIdentity {
  readonly devicefile: string;
  readonly model?: string;
  readonly serial?: string;
}

/** The members of one array, each described for a person (language-neutral text). */
export interface RaidMemberReport {
  readonly failed: readonly string[];
  /** 1-based slot numbers with no working disk and no failed one standing for them. */
  readonly missingSlots: readonly number[];
  readonly working: readonly string[];
  readonly rebuilding: readonly string[];
  /** Attached disks in no array at all (known only when the disk list is). */
  readonly outside: readonly string[];
}

/** The whole disk of a member: `sda1`, `/dev/sda1` → `/dev/sda`; `nvme0n1p2` → `/dev/nvme0n1`. */
export function wholeDisk(device: string): string {
  const name = device.replace(/^\/dev\//, '');
  const whole = /^(nvme\d+n\d+|mmcblk\d+)p\d+$/.exec(name)?.[1] ?? name.replace(/^([a-z]+)\d+$/, '$1');
  return `/dev/${whole}`;
}

/** `/dev/sdb (Samsung SSD 870 EVO 1TB, S/N S6PN…)`, or the device alone when SMART does not know it. */
export function describeDisk(device: string, disks: readonly DiskIdentity[] = []): string {
  const whole = wholeDisk(device);
  const d = disks.find((x) => x.devicefile === whole);
  const facts = [d?.model, d?.serial ? `S/N ${d.serial}` : undefined].filter((x): x is string => Boolean(x));
  const shown = device.startsWith('/dev/') ? device : `/dev/${device}`;
  return facts.length ? `${shown} (${facts.join(', ')})` : shown;
}

/** Sorts an array's members into failed, missing, working and rebuilding; `all` tells the disks in no array. */
export function raidMemberReport(a: RaidArray, disks: readonly DiskIdentity[] = [], all: readonly RaidArray[] = [a]): RaidMemberReport {
  const present = a.members.filter((m) => m.device !== '');
  const describe = (device: string): string => describeDisk(device, disks);
  const failed = present.filter((m) => m.state === 'faulty');
  const emptySlots = new Set<number>();
  for (const m of a.members) if (m.device === '' && m.slot !== undefined) emptySlots.add(m.slot);
  [...(a.slots ?? '')].forEach((c, i) => {
    if (c === '_' && !present.some((m) => m.slot === i && m.state !== 'faulty')) emptySlots.add(i);
  });
  // A failed disk, or one being rebuilt, stands for an empty slot: that slot is not "missing".
  const standIns = present.filter((m) => m.state === 'faulty' || m.state === 'rebuilding');
  for (const m of standIns) if (m.slot !== undefined) emptySlots.delete(m.slot);
  const unexplained = emptySlots.size - standIns.filter((m) => m.slot === undefined).length;
  const missingSlots = unexplained > 0 ? [...emptySlots].sort((x, y) => x - y).map((s) => s + 1) : [];
  const inArrays = new Set(all.flatMap((x) => x.members.filter((m) => m.device !== '').map((m) => wholeDisk(m.device))));
  return {
    failed: failed.map((m) => describe(m.device)),
    missingSlots,
    working: present.filter((m) => m.state === 'active').map((m) => describe(m.device)),
    rebuilding: present.filter((m) => m.state === 'rebuilding').map((m) => describe(m.device)),
    outside: disks.filter((d) => !inArrays.has(d.devicefile)).map((d) => describeDisk(d.devicefile, disks)),
  };
}
