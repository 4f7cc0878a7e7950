import type { AlertCause } from '../../alerts/causes.ts';
import type { Condition, Severity } from '../../alerts/condition.ts';
import { summarizeBackups } from './backups.ts';
import type { ProxmoxSnapshot } from './poller.ts';
import { guestLabel } from './types.ts';

/** Pure Proxmox rules: snapshot → conditions (backups, expected guests, storage space). */

/** Rule settings (from the proxmox config section). */
export interface ProxmoxRuleOptions {
  /** A guest needs a successful backup at least this often. */
  readonly backupWindowHours: number;
  /** vmids that should always be running. */
  readonly expectedRunning: readonly number[];
  readonly storageWarnPercent: number;
  readonly storageCritPercent: number;
  /** Backend name the conditions depend on (default `proxmox`). */
  readonly backend?: string;
  /** After a backup job ends, a guest it stopped has this long to run again (default 10 min). */
  readonly backupGraceMs?: number;
}

/** What the bot itself did, which the snapshot cannot show: guests it stopped, by whom and when. */
export interface ProxmoxRuleFacts {
  readonly stoppedByBot?: ReadonlyMap<number, { readonly by: string; readonly at: number }>;
}

/** Message keys of the Proxmox conditions (texts live beside the handlers). */
export const PROXMOX_ALERT_KEYS = {
  backupFailed: 'alert.backup.failed',
  backupMissing: 'alert.backup.missing',
  guestStopped: 'alert.guest.stopped',
  storageFull: 'alert.storage.full',
  actionStart: 'alert.action.start_guest',
  actionBackup: 'alert.action.backup_now',
} as const;

/** Every Proxmox condition that holds for this snapshot. */
export function proxmoxConditions(s: ProxmoxSnapshot, now: number, opts: ProxmoxRuleOptions, facts: ProxmoxRuleFacts = {}): Condition[] {
  return [...backupConditions(s, now, opts), ...guestConditions(s, opts, now, facts), ...storageConditions(s, opts)];
}

const DEFAULT_BACKUP_GRACE_MS = 10 * 60_000;

/**
 * The backup that explains a guest being down: vzdump holds it now (its `backup` lock, or a
 * run of it in a job still going), or its run ended less than the grace ago.
 */
export function backupHold(s: ProxmoxSnapshot, vmid: number, now: number, graceMs = DEFAULT_BACKUP_GRACE_MS): AlertCause | undefined {
  const run = s.backups?.find((r) => r.vmid === vmid); // newest first
  if (s.guests.find((g) => g.vmid === vmid)?.lock === 'backup') {
    // A job's log may not have reached this guest yet: the job still running gives the start.
    const job = run?.endtime === undefined ? run : s.backups?.find((r) => r.endtime === undefined);
    return { kind: 'backup', since: job ? job.starttime * 1000 : now };
  }
  if (!run) return undefined;
  const since = run.starttime * 1000;
  if (run.endtime === undefined) return { kind: 'backup', since };
  const graceUntil = run.endtime * 1000 + graceMs;
  return now < graceUntil ? { kind: 'backup', since, graceUntil } : undefined;
}

/** Failed newest backup per guest (with its log tail), and guests with no good backup in the window. */
export function backupConditions(s: ProxmoxSnapshot, now: number, opts: ProxmoxRuleOptions): Condition[] {
  if (!s.backups) return []; // task list unreadable: say nothing rather than "missing" for every guest
  const dependsOn = opts.backend ?? 'proxmox';
  const node = s.node.node;
  const sum = summarizeBackups(s.guests, s.backups, { now, windowHours: opts.backupWindowHours });
  const out: Condition[] = [];
  const failed = new Set<number>();
  for (const f of sum.failures) {
    failed.add(f.vmid);
    out.push({
      key: `backup:${node}:${f.vmid}:failed`,
      source: 'backup',
      severity: 'warning',
      summaryKey: PROXMOX_ALERT_KEYS.backupFailed,
      params: {
        vmid: f.vmid,
        name: f.name,
        guest: f.label,
        error: f.error ?? '',
        at: (f.endtime ?? f.starttime) * 1000,
        log: (f.logTail ?? []).join('\n'),
      },
      ...(f.logTail?.length ? { log: f.logTail.join('\n') } : {}),
      dependsOn,
      action: { labelKey: PROXMOX_ALERT_KEYS.actionBackup, command: 'backup', args: { guest: String(f.vmid) } },
    });
  }
  const runningNow = new Set(sum.running.map((r) => r.vmid));
  for (const g of sum.missing) {
    // A failure already says it; a backup in progress may fix it in minutes.
    if (failed.has(g.vmid) || runningNow.has(g.vmid)) continue;
    out.push({
      key: `backup:${node}:${g.vmid}:missing`,
      source: 'backup',
      severity: 'warning',
      summaryKey: PROXMOX_ALERT_KEYS.backupMissing,
      params: {
        vmid: g.vmid,
        name: g.name,
        guest: g.label,
        windowHours: opts.backupWindowHours,
        lastOkHours: g.lastOkAgeHours === undefined ? -1 : Math.floor(g.lastOkAgeHours),
      },
      dependsOn,
      action: { labelKey: PROXMOX_ALERT_KEYS.actionBackup, command: 'backup', args: { guest: String(g.vmid) } },
    });
  }
  return out;
}

/**
 * Guests configured as "always running" that are not running (or are missing altogether).
 * One the bot stopped itself, or a backup holds, is held with that cause instead of raised.
 */
export function guestConditions(s: ProxmoxSnapshot, opts: ProxmoxRuleOptions, now = 0, facts: ProxmoxRuleFacts = {}): Condition[] {
  const out: Condition[] = [];
  for (const vmid of opts.expectedRunning) {
    const g = s.guests.find((x) => x.vmid === vmid);
    if (g?.status === 'running') continue;
    const stop = g ? facts.stoppedByBot?.get(vmid) : undefined;
    const heldBy: AlertCause | undefined = stop
      ? { kind: 'action', by: stop.by, at: stop.at }
      : g
        ? backupHold(s, vmid, now, opts.backupGraceMs)
        : undefined;
    out.push({
      key: `guest:${s.node.node}:${vmid}:stopped`,
      source: 'guest',
      severity: 'critical',
      summaryKey: PROXMOX_ALERT_KEYS.guestStopped,
      params: { vmid, name: g?.name ?? String(vmid), guest: g ? guestLabel(g) : String(vmid), status: g?.status ?? 'missing' },
      dependsOn: opts.backend ?? 'proxmox',
      ...(g ? { action: { labelKey: PROXMOX_ALERT_KEYS.actionStart, command: 'poweron', args: { guest: String(vmid) } } } : {}),
      ...(heldBy ? { heldBy } : {}),
    });
  }
  return out;
}

/** Severity for a usage percentage, or undefined below the warning threshold. */
export function usageSeverity(percent: number, warn: number, crit: number): Severity | undefined {
  if (percent >= crit) return 'critical';
  if (percent >= warn) return 'warning';
  return undefined;
}

/** Root filesystem and storages (thin pool, backup share…) above the thresholds. */
export function storageConditions(s: ProxmoxSnapshot, opts: ProxmoxRuleOptions): Condition[] {
  const node = s.node.node;
  const items: { name: string; used: number; total: number }[] = [
    { name: 'rootfs', used: s.node.rootfs.used, total: s.node.rootfs.total },
    ...(s.storage ?? [])
      // `local` (dir on the root filesystem) would repeat the rootfs alert.
      .filter((x) => x.active && x.enabled && x.total > 0 && !(x.type === 'dir' && x.total === s.node.rootfs.total))
      .map((x) => ({ name: x.storage, used: x.used, total: x.total })),
  ];
  const out: Condition[] = [];
  for (const it of items) {
    if (it.total <= 0) continue;
    const percent = Math.round((it.used / it.total) * 1000) / 10;
    const severity = usageSeverity(percent, opts.storageWarnPercent, opts.storageCritPercent);
    if (!severity) continue;
    out.push({
      key: `storage:${node}:${it.name}:full`,
      source: 'storage',
      severity,
      summaryKey: PROXMOX_ALERT_KEYS.storageFull,
      params: { node, storage: it.name, percent, used: it.used, total: it.total },
      dependsOn: opts.backend ?? 'proxmox',
    });
  }
  return out;
}
