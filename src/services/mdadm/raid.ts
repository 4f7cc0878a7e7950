/**
 * The one RAID model shared by every RAID source (OMV's RaidMgmt/MdMgmt, /proc/mdstat,
 * `mdadm --detail`), so the same alert rules and the same /nas rendering serve them all.
 */

/** State of one member disk. */
export type RaidMemberState = 'active' | 'faulty' | 'spare' | 'rebuilding' | 'removed' | 'unknown';

/** One member device of an array. */
export interface RaidMember {
  /** As the source names it: `sda1` (mdstat) or `/dev/sda1` (mdadm, OMV). */
  readonly device: string;
  readonly state: RaidMemberState;
  /** Role number (RaidDevice slot) when known. */
  readonly slot?: number;
}

/** What the kernel is doing to the array's redundancy. */
export type SyncAction = 'resync' | 'recovery' | 'reshape' | 'check' | 'repair';

/** A resync/rebuild in progress or waiting. */
export interface RaidSync {
  readonly action: SyncAction;
  /** `running`, or why it does not run yet (`pending` until first write, `delayed` behind another array). */
  readonly state: 'running' | 'pending' | 'delayed' | 'remote';
  /** 0..100 when running and known. */
  readonly percent?: number;
  readonly finishMinutes?: number;
  /** KiB/s. */
  readonly speedKiBs?: number;
}

/** One md array. */
export interface RaidArray {
  /** `md0`. */
  readonly name: string;
  /** `/dev/md0`. */
  readonly device: string;
  /** `raid1`, `raid5`…; empty when inactive and unknown. */
  readonly level: string;
  /** False for `inactive` arrays (not running at all). */
  readonly active: boolean;
  readonly readOnly?: boolean;
  /** Raid disks the array is built for, and how many work (mdstat `[n/m]`). */
  readonly raidDisks?: number;
  readonly workingDisks?: number;
  /** mdstat slot map such as `UU_` (`_` = missing). */
  readonly slots?: string;
  readonly members: readonly RaidMember[];
  /** Lost redundancy (a member missing or failed). */
  readonly degraded: boolean;
  /** Not enough members to run (mdadm `FAILED`). */
  readonly failed: boolean;
  readonly sync?: RaidSync;
  readonly sizeBytes?: number;
  /** The source's own state text (mdadm `State :`, OMV `state`), for display. */
  readonly stateText?: string;
}

/** One word for an array's health, worst first. */
export type RaidHealth = 'failed' | 'inactive' | 'degraded' | 'rebuilding' | 'healthy';

/** Sums an array up in one word. */
export function raidHealth(a: RaidArray): RaidHealth {
  if (a.failed) return 'failed';
  if (!a.active) return 'inactive';
  const rebuilding = a.sync?.state === 'running' && (a.sync.action === 'recovery' || a.sync.action === 'reshape');
  if (rebuilding) return 'rebuilding';
  if (a.degraded) return 'degraded';
  return 'healthy';
}

/** Parsed mdadm/OMV state text (PROTOCOLS §8.2). */
export interface MdStateText {
  readonly inactive: boolean;
  readonly degraded: boolean;
  readonly failed: boolean;
  readonly notStarted: boolean;
  readonly sync?: RaidSync;
}

const STATE_ACTIONS: Record<string, SyncAction> = {
  recovering: 'recovery',
  resyncing: 'resync',
  reshaping: 'reshape',
  checking: 'check',
  repairing: 'repair',
};

/**
 * Reads `clean, degraded, recovering (12.6% (…) finish=… speed=…)` style state text, as
 * `mdadm --detail` prints it and OMV passes it on (with the progress appended).
 */
export function parseMdStateText(text: string): MdStateText {
  const t = text.trim().toLowerCase();
  const words = new Set(
    t
      .replace(/\(.*$/, '')
      .split(/[,\s]+/)
      .filter(Boolean),
  );
  let sync: RaidSync | undefined;
  for (const [word, action] of Object.entries(STATE_ACTIONS)) {
    if (!words.has(word)) continue;
    const waiting = /\((pending|delayed|remote)\)/.exec(t)?.[1] as 'pending' | 'delayed' | 'remote' | undefined;
    const percent = /(\d+(?:\.\d+)?)\s*%/.exec(t)?.[1];
    const finish = /finish=(\d+(?:\.\d+)?)min/.exec(t)?.[1];
    const speed = /speed=(\d+)k\/sec/.exec(t)?.[1];
    sync = {
      action,
      state: waiting ?? 'running',
      ...(percent !== undefined ? { percent: Number(percent) } : {}),
      ...(finish !== undefined ? { finishMinutes: Number(finish) } : {}),
      ...(speed !== undefined ? { speedKiBs: Number(speed) } : {}),
    };
    break;
  }
  return {
    inactive: words.has('inactive'),
    degraded: words.has('degraded'),
    failed: words.has('failed'),
    notStarted: /not started/.test(t),
    ...(sync ? { sync } : {}),
  };
}

/** Fewest working members a level can run with (used to tell "degraded" from "failed"). */
export function minimumMembers(level: string, raidDisks: number): number {
  switch (level) {
    case 'raid1':
      return 1;
    case 'raid4':
    case 'raid5':
      return raidDisks - 1;
    case 'raid6':
      return raidDisks - 2;
    case 'raid10':
      return Math.ceil(raidDisks / 2);
    default:
      return raidDisks; // raid0, linear: every member is needed
  }
}
