import type { Condition, Severity } from '../../alerts/condition.ts';
import { raidConditions } from '../mdadm/alerts.ts';
import type { OmvFilesystem } from './types.ts';
import type { OmvDisk, OmvSnapshot } from './poller.ts';

/** Pure NAS rules: RAID (shared with mdadm), SMART health, filesystem space. Recovery is absence. */

/** Rule settings (from the omv config section). */
export interface OmvRuleOptions {
  readonly filesystemWarnPercent: number;
  readonly filesystemCritPercent: number;
  /** Host name used in keys (default: the NAS's own host name). */
  readonly host?: string;
  /** Backend name the conditions depend on (default `omv`). */
  readonly backend?: string;
}

/** Message keys of the NAS conditions (texts live beside the handlers). */
export const OMV_ALERT_KEYS = {
  smartBad: 'alert.disk.smart',
  sectors: 'alert.disk.sectors',
  filesystemFull: 'alert.fs.full',
  filesystemMissing: 'alert.fs.missing',
} as const;

/** SMART assessments that mean "act now" rather than "watch". */
const CRITICAL_SMART = new Set(['BAD_STATUS', 'BAD_ATTRIBUTE_NOW', 'BAD_SECTOR_MANY']);

/** Every NAS condition that holds for this snapshot. */
export function omvConditions(s: OmvSnapshot, opts: OmvRuleOptions): Condition[] {
  const host = opts.host ?? s.system.hostname;
  const backend = opts.backend ?? 'omv';
  return [
    ...raidConditions(s.raid ?? [], { host, backend, ...(s.disks ? { disks: s.disks } : {}) }),
    ...(s.disks ?? []).flatMap((d) => diskConditions(d, host, backend)),
    ...(s.filesystems ?? []).flatMap((f) => filesystemConditions(f, host, backend, opts)),
  ];
}

/** A bad SMART assessment, and reallocated/pending sectors above zero. */
export function diskConditions(d: OmvDisk, host: string, backend: string): Condition[] {
  const out: Condition[] = [];
  const name = d.devicename;
  const base = { source: 'disk' as const, dependsOn: backend };
  const params = { host, device: d.devicefile, model: d.model, serial: d.serial, status: d.status };
  if (d.status !== 'GOOD') {
    out.push({
      key: `disk:${host}:${name}:smart`,
      severity: CRITICAL_SMART.has(d.status) ? 'critical' : 'warning',
      summaryKey: OMV_ALERT_KEYS.smartBad,
      params: { ...params, failing: (d.health?.failingAttributes ?? []).join(', ') },
      ...base,
    });
  }
  const realloc = d.health?.reallocatedSectors ?? 0;
  const pending = d.health?.pendingSectors ?? 0;
  if (realloc > 0 || pending > 0) {
    out.push({
      key: `disk:${host}:${name}:sectors`,
      // Pending sectors are unreadable data right now; reallocated ones were already moved.
      severity: pending > 0 ? 'critical' : 'warning',
      summaryKey: OMV_ALERT_KEYS.sectors,
      params: { ...params, reallocated: realloc, pending },
      ...base,
    });
  }
  return out;
}

/** A configured filesystem whose disk is gone; a mounted one above the warning or critical threshold. */
export function filesystemConditions(f: OmvFilesystem, host: string, backend: string, opts: OmvRuleOptions): Condition[] {
  if (f.state === 'missing') {
    return [
      {
        key: `storage:${host}:${f.mountpoint || f.devicefile}:missing`,
        source: 'storage',
        severity: 'critical',
        summaryKey: OMV_ALERT_KEYS.filesystemMissing,
        params: { host, device: f.devicefile, mountpoint: f.mountpoint || f.devicefile },
        dependsOn: backend,
      },
    ];
  }
  if (!f.mounted || f.percent === undefined) return [];
  const severity: Severity | undefined =
    f.percent >= opts.filesystemCritPercent ? 'critical' : f.percent >= opts.filesystemWarnPercent ? 'warning' : undefined;
  if (!severity) return [];
  return [
    {
      key: `storage:${host}:${f.devicefile}:full`,
      source: 'storage',
      severity,
      summaryKey: OMV_ALERT_KEYS.filesystemFull,
      params: {
        host,
        device: f.devicefile,
        label: f.label,
        mountpoint: f.mountpoint,
        percent: f.percent,
        free: f.availableBytes,
        size: f.sizeBytes,
      },
      dependsOn: backend,
    },
  ];
}
