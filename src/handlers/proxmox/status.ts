/** The hypervisor's /status line and its part of the morning digest, from the cached snapshot. */
import type { DigestInput } from '../../alerts/digest.ts';
import { snapshotValue, type Poller } from '../../services/poller.ts';
import { summarizeBackups } from '../../services/proxmox/backups.ts';
import type { ProxmoxSnapshot } from '../../services/proxmox/poller.ts';
import { pollerStatusSection, type StatusSection } from '../builtin/status-section.ts';
import { formatPercent } from '../replies.ts';

/** One line of /status: guests running, CPU, memory, backups. Never touches the backend. */
export function proxmoxStatusSection(poller: Poller<ProxmoxSnapshot>, backupWindowHours: number): StatusSection {
  return pollerStatusSection(poller, {
    id: 'proxmox',
    labelKey: 'proxmox.label',
    checkingKey: 'proxmox.checking',
    line(v, t, now) {
      const guests = v.guests.filter((g) => !g.template);
      const running = guests.filter((g) => g.status === 'running').length;
      let backups = '';
      let level: 'ok' | 'warning' = running === guests.length ? 'ok' : 'warning';
      // Only time can change this line for the same snapshot: a guest's last good backup leaving the window.
      let until = Number.POSITIVE_INFINITY;
      if (v.backups) {
        const sum = summarizeBackups(v.guests, v.backups, { now, windowHours: backupWindowHours });
        for (const g of sum.guests) {
          if (!g.missing && g.lastOk)
            until = Math.min(until, (g.lastOk.endtime ?? g.lastOk.starttime) * 1000 + backupWindowHours * 3_600_000);
        }
        const bad = [...new Set([...sum.failures.map((f) => f.label), ...sum.missing.map((g) => g.label)])];
        backups = bad.length
          ? t('proxmox.status.backupsBad', { count: bad.length, guests: bad.join(', ') })
          : t('proxmox.status.backupsOk');
        if (bad.length) level = 'warning';
      }
      return {
        level,
        text: t('proxmox.status.line', {
          running,
          total: guests.length,
          cpu: formatPercent(v.node.cpu),
          memory: v.node.memory.total > 0 ? formatPercent(v.node.memory.used / v.node.memory.total) : '?',
          backups,
        }),
        until,
      };
    },
  });
}

/** Last night's backups for the digest (names, failures, gaps), from the snapshot. */
export function proxmoxDigest(poller: Poller<ProxmoxSnapshot>, backupWindowHours: number, now: () => number): Partial<DigestInput> {
  const v = snapshotValue(poller.snapshot);
  if (!v?.backups) return {};
  const sum = summarizeBackups(v.guests, v.backups, { now: now(), windowHours: backupWindowHours });
  const failed = new Set(sum.failures.map((f) => f.vmid));
  return {
    backups: {
      ok: sum.guests.filter((g) => !g.missing && !failed.has(g.vmid)).map((g) => g.label),
      failed: sum.failures.map((f) => ({ guest: f.label, at: (f.endtime ?? f.starttime) * 1000 })),
      missing: sum.missing.filter((g) => !failed.has(g.vmid)).map((g) => g.label),
    },
  };
}
