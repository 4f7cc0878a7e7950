import type { Condition } from '../../alerts/condition.ts';
import type { MessageKey } from '../../core/i18n.ts';
import { raidMemberReport, type DiskIdentity } from './members.ts';
import { raidHealth, type RaidArray } from './raid.ts';

/** Pure RAID rules shared by every RAID source (OMV and mdadm over SSH). "Recovered" is absence. */

/** Message keys of the RAID conditions (texts live beside the handlers). */
export const RAID_ALERT_KEYS = {
  degraded: 'alert.raid.degraded',
  /** Degraded, with the failed disk named (replace it) and the working ones (keep them). */
  degradedFailed: 'alert.raid.degraded_failed',
  /** Degraded, a slot empty: which slot, the disks to keep. */
  degradedMissing: 'alert.raid.degraded_missing',
  /** As `degradedMissing`, plus the attached disks that are in no array (likely the one that dropped out). */
  degradedMissingOutside: 'alert.raid.degraded_missing_outside',
  rebuildingOnto: 'alert.raid.rebuilding_onto',
  failed: 'alert.raid.failed',
  inactive: 'alert.raid.inactive',
  rebuilding: 'alert.raid.rebuilding',
  faultyMember: 'alert.raid.faulty_member',
} as const satisfies Record<string, MessageKey>;

/** Which host and backend the arrays belong to (keys and reachability). */
export interface RaidRuleOptions {
  /** e.g. `nas`. */
  readonly host: string;
  /** Backend whose reachability the conditions depend on (`omv` or `mdadm`). */
  readonly backend: string;
  /** The attached disks as SMART knows them (model, serial), to say which physical disk is which. */
  readonly disks?: readonly DiskIdentity[];
}

/** Which degraded text fits what is known about the members. */
function degradedKey(r: ReturnType<typeof raidMemberReport>): MessageKey {
  if (r.failed.length) return RAID_ALERT_KEYS.degradedFailed;
  if (r.missingSlots.length) return r.outside.length ? RAID_ALERT_KEYS.degradedMissingOutside : RAID_ALERT_KEYS.degradedMissing;
  return RAID_ALERT_KEYS.degraded;
}

/** Conditions for a set of arrays. */
export function raidConditions(arrays: readonly RaidArray[], opts: RaidRuleOptions): Condition[] {
  const out: Condition[] = [];
  for (const a of arrays) {
    const base = `raid:${opts.host}:${a.name}`;
    const faulty = a.members.filter((m) => m.state === 'faulty').map((m) => m.device);
    const report = raidMemberReport(a, opts.disks, arrays);
    const params: Record<string, string | number> = {
      host: opts.host,
      array: a.name,
      level: a.level,
      members: a.members.map((m) => `${m.device}${m.state === 'active' ? '' : ` (${m.state})`}`).join(', '),
      faulty: report.failed.join(', '),
      failed: report.failed.join(', '),
      keep: report.working.join(', ') || '—',
      missing: report.missingSlots.join(', '),
      outside: report.outside.join(', '),
      ...(report.rebuilding.length ? { target: report.rebuilding.join(', ') } : {}),
      ...(a.raidDisks !== undefined ? { total: a.raidDisks } : {}),
      ...(a.workingDisks !== undefined ? { working: a.workingDisks } : {}),
      ...(a.slots ? { slots: a.slots } : {}),
    };
    // The array's state is the kernel's own: clean is clean, so recovery is told at once, not after a hold.
    const common = { source: 'raid' as const, dependsOn: opts.backend, resolveHoldMs: 0 };
    const health = raidHealth(a);
    if (health === 'failed') {
      out.push({ key: `${base}:failed`, severity: 'critical', summaryKey: RAID_ALERT_KEYS.failed, params, ...common });
      continue;
    }
    if (health === 'inactive') {
      out.push({ key: `${base}:inactive`, severity: 'critical', summaryKey: RAID_ALERT_KEYS.inactive, params, ...common });
      continue;
    }
    // Degraded stays raised through the rebuild: redundancy is back only when it ends.
    if (a.degraded)
      out.push({
        key: `${base}:degraded`,
        severity: 'critical',
        summaryKey: degradedKey(report),
        resolvedKey: `${RAID_ALERT_KEYS.degraded}.resolved`,
        params,
        ...common,
      });
    else if (faulty.length) {
      // A failed spare: no redundancy lost yet, but the disk needs replacing.
      out.push({ key: `${base}:faulty_member`, severity: 'warning', summaryKey: RAID_ALERT_KEYS.faultyMember, params, ...common });
    }
    if (health === 'rebuilding' && a.sync) {
      out.push({
        key: `${base}:rebuilding`,
        severity: 'info',
        summaryKey: report.rebuilding.length ? RAID_ALERT_KEYS.rebuildingOnto : RAID_ALERT_KEYS.rebuilding,
        resolvedKey: `${RAID_ALERT_KEYS.rebuilding}.resolved`,
        params: {
          ...params,
          action: a.sync.action,
          percent: a.sync.percent ?? -1,
          finishMinutes: a.sync.finishMinutes ?? -1,
        },
        ...(a.sync.percent !== undefined ? { progress: a.sync.percent } : {}),
        ...common,
      });
    }
  }
  return out;
}
