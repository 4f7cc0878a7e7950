import type { Condition } from '../../alerts/condition.ts';
import { raidHealth, type RaidArray } from './raid.ts';

/** Pure RAID rules shared by every RAID source (OMV and mdadm over SSH). "Recovered" is absence. */

/** Message keys of the RAID conditions (texts live beside the handlers). */
export const RAID_ALERT_KEYS = {
  degraded: 'alert.raid.degraded',
  failed: 'alert.raid.failed',
  inactive: 'alert.raid.inactive',
  rebuilding: 'alert.raid.rebuilding',
  faultyMember: 'alert.raid.faulty_member',
} as const;

/** Which host and backend the arrays belong to (keys and reachability). */
export interface RaidRuleOptions {
  /** e.g. `nas`. */
  readonly host: string;
  /** Backend whose reachability the conditions depend on (`omv` or `mdadm`). */
  readonly backend: string;
}

/** Conditions for a set of arrays. */
export function raidConditions(arrays: readonly RaidArray[], opts: RaidRuleOptions): Condition[] {
  const out: Condition[] = [];
  for (const a of arrays) {
    const base = `raid:${opts.host}:${a.name}`;
    const faulty = a.members.filter((m) => m.state === 'faulty').map((m) => m.device);
    const params: Record<string, string | number> = {
      host: opts.host,
      array: a.name,
      level: a.level,
      members: a.members.map((m) => `${m.device}${m.state === 'active' ? '' : ` (${m.state})`}`).join(', '),
      faulty: faulty.join(', '),
      ...(a.raidDisks !== undefined ? { total: a.raidDisks } : {}),
      ...(a.workingDisks !== undefined ? { working: a.workingDisks } : {}),
      ...(a.slots ? { slots: a.slots } : {}),
    };
    const common = { source: 'raid' as const, dependsOn: opts.backend };
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
    if (a.degraded) out.push({ key: `${base}:degraded`, severity: 'critical', summaryKey: RAID_ALERT_KEYS.degraded, params, ...common });
    else if (faulty.length) {
      // A failed spare: no redundancy lost yet, but the disk needs replacing.
      out.push({ key: `${base}:faulty_member`, severity: 'warning', summaryKey: RAID_ALERT_KEYS.faultyMember, params, ...common });
    }
    if (health === 'rebuilding' && a.sync) {
      out.push({
        key: `${base}:rebuilding`,
        severity: 'info',
        summaryKey: RAID_ALERT_KEYS.rebuilding,
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
