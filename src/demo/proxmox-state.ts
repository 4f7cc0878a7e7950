import { formatUpid } from '../services/proxmox/upid.ts';

/**
 * The simulated hypervisor behind the fake Proxmox API: proxmox1 from HOMELAB.md with the
 * `nas` VM 100 and the `docker` container 101, storages, and tasks that progress with time
 * (evaluated lazily on every request, so no timers run in the background).
 */

export type FakeGuestType = 'qemu' | 'lxc';

/** One simulated guest (live object: controls edit it). */
export interface FakeGuest {
  vmid: number;
  type: FakeGuestType;
  name: string;
  status: 'running' | 'stopped';
  /** A running VM paused in QEMU: `status` stays "running", only `qmpstatus` says "paused". */
  paused?: boolean;
  cpus: number;
  maxmem: number;
  mem: number;
  cpu: number;
  /** Epoch ms when it started (uptime), when running. */
  startedAt?: number;
  lock?: string;
  /** `startup` property (`order=1,down=180`), as stored. */
  startup?: string;
  onboot?: boolean;
  /** MAC of net0. */
  mac?: string;
  /** Epoch ms when it last stopped (bulk stop tests read the order). */
  stoppedAt?: number;
}

/** One simulated storage. */
export interface FakeStorage {
  storage: string;
  type: string;
  content: string;
  shared: boolean;
  total: number;
  used: number;
}

/** One task; `exit` is decided at creation and applied when its time is up. */
export interface FakeTask {
  upid: string;
  node: string;
  type: string;
  id: string;
  user: string;
  /** Epoch ms. */
  startedAt: number;
  durationMs: number;
  exit: string;
  /** Log lines revealed in proportion to elapsed time; the final line comes at the end. */
  log: string[];
  finished: boolean;
  /** Side effect applied once when the task finishes successfully (guest state change). */
  onSuccess?: () => void;
  onFinish?: () => void;
}

const GiB = 1024 ** 3;

/** The reference homelab's guests. */
export function seedGuests(now: number): FakeGuest[] {
  return [
    {
      vmid: 100,
      type: 'qemu',
      name: 'nas',
      status: 'running',
      cpus: 2,
      maxmem: 3 * GiB,
      mem: Math.round(2.1 * GiB),
      cpu: 0.04,
      startedAt: now - 12 * 86_400_000,
      onboot: true,
      mac: 'BC:24:11:0A:00:64',
    },
    {
      vmid: 101,
      type: 'lxc',
      name: 'docker',
      status: 'running',
      cpus: 3,
      maxmem: 4 * GiB,
      mem: Math.round(2.7 * GiB),
      cpu: 0.11,
      startedAt: now - 12 * 86_400_000,
      onboot: true,
      mac: 'BC:24:11:0A:00:65',
    },
  ];
}

/** proxmox1's storages: `local` on the root LV, the `local-lvm` thin pool, the NAS `backups` share. */
export function seedStorage(): FakeStorage[] {
  return [
    { storage: 'local', type: 'dir', content: 'iso,vztmpl,backup', shared: false, total: 94 * GiB, used: 21 * GiB },
    { storage: 'local-lvm', type: 'lvmthin', content: 'images,rootdir', shared: false, total: 348 * GiB, used: 157 * GiB },
    { storage: 'backups', type: 'cifs', content: 'backup', shared: true, total: 931 * GiB, used: 286 * GiB },
  ];
}

let pidCounter = 0x000a1b2c;

/** A fresh UPID for a task started now. */
export function newUpid(node: string, type: string, id: string, user: string, nowMs: number): string {
  pidCounter += 7;
  return formatUpid({ node, pid: pidCounter, pstart: 0x0123abcd, starttime: Math.floor(nowMs / 1000), type, id, user });
}

const stamp = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
const fileStamp = (ms: number): string => stamp(ms).replace(/[-:]/g, '_').replace(' ', '-');

/** vzdump's `mode` (PVE API enum): `stop` shuts a running guest down for the backup and starts it again. */
export type VzdumpMode = 'snapshot' | 'suspend' | 'stop';

/**
 * Log lines of one guest's part of a vzdump run (real PVE wording; the stop-mode lines
 * "backup mode: stop", "stopping virtual guest", "restarting vm" and "guest is online again
 * after N seconds" as PVE/VZDump.pm writes them).
 */
export function vzdumpGuestLog(
  g: FakeGuest,
  startMs: number,
  failure: string | undefined,
  storage: string,
  mode: VzdumpMode = 'snapshot',
  restartFails = false,
): string[] {
  const kind = g.type === 'qemu' ? 'qemu' : 'lxc';
  const ext = g.type === 'qemu' ? 'vma.zst' : 'tar.zst';
  const stops = mode === 'stop' && g.status === 'running';
  const lines = [
    `INFO: Starting Backup of VM ${g.vmid} (${kind})`,
    `INFO: Backup started at ${stamp(startMs)}`,
    `INFO: status = ${g.status}`,
    `INFO: backup mode: ${mode}`,
    g.type === 'qemu' ? `INFO: VM Name: ${g.name}` : `INFO: CT Name: ${g.name}`,
    ...(stops ? ['INFO: stopping virtual guest'] : []),
    `INFO: creating vzdump archive '/mnt/pve/${storage}/dump/vzdump-${kind}-${g.vmid}-${fileStamp(startMs)}.${ext}'`,
  ];
  const online = restartFails ? 'ERROR: start failed: guest did not come back' : 'INFO: guest is online again after 18 seconds';
  const restart = stops ? ['INFO: restarting vm', online] : [];
  if (failure) {
    lines.push(...restart, `ERROR: Backup of VM ${g.vmid} failed - ${failure}`, `INFO: Failed at ${stamp(startMs + 20_000)}`);
  } else {
    lines.push(
      'INFO: Total bytes written: 2147483648 (2.0GiB, 118.4MiB/s)',
      `INFO: archive file size: ${g.type === 'qemu' ? '1.21GB' : '812MB'}`,
      ...restart,
      `INFO: Finished Backup of VM ${g.vmid} (00:00:18)`,
      `INFO: Backup finished at ${stamp(startMs + 18_000)}`,
    );
  }
  return lines;
}

/** A whole vzdump task log for the given guests; `failures` maps vmid → reason. */
export function vzdumpLog(
  guests: readonly FakeGuest[],
  startMs: number,
  failures: ReadonlyMap<number, string>,
  storage: string,
  node: string,
  mode: VzdumpMode = 'snapshot',
  restartFailures: ReadonlySet<number> = new Set(),
): { log: string[]; exit: string } {
  const ids = guests.map((g) => g.vmid).join(' ');
  const log = [`INFO: starting new backup job: vzdump ${ids} --mode ${mode} --storage ${storage} --compress zstd --node ${node}`];
  for (const g of guests) log.push(...vzdumpGuestLog(g, startMs, failures.get(g.vmid), storage, mode, restartFailures.has(g.vmid)));
  const failed = guests.some((g) => failures.has(g.vmid));
  log.push(failed ? 'INFO: Backup job finished with errors' : 'INFO: Backup job finished successfully');
  return { log, exit: failed ? 'job errors' : 'OK' };
}

/** Two nights of successful scheduled backups (one multi-guest job per night, 02:00 UTC). */
export function seedBackupHistory(guests: readonly FakeGuest[], node: string, now: number): FakeTask[] {
  const out: FakeTask[] = [];
  const today2am = Math.floor(now / 86_400_000) * 86_400_000 + 2 * 3_600_000;
  const lastNight = today2am <= now - 60_000 ? today2am : today2am - 86_400_000;
  for (const start of [lastNight - 86_400_000, lastNight]) {
    const { log, exit } = vzdumpLog(guests, start, new Map(), 'backups', node);
    out.push({
      upid: newUpid(node, 'vzdump', '', 'root@pam', start),
      node,
      type: 'vzdump',
      id: '',
      user: 'root@pam',
      startedAt: start,
      durationMs: 40_000,
      exit,
      log,
      finished: true,
    });
  }
  return out;
}

/** Advances a task to `now`; returns true when it has just finished. */
export function settle(task: FakeTask, now: number): boolean {
  if (task.finished || now < task.startedAt + task.durationMs) return false;
  task.finished = true;
  if (task.exit === 'OK' || /^WARNINGS/.test(task.exit)) task.onSuccess?.();
  task.onFinish?.();
  return true;
}

/** The log lines visible at `now` (a running task shows part of its log). */
export function visibleLog(task: FakeTask, now: number): string[] {
  if (task.finished)
    return [...task.log, task.exit === 'OK' ? 'TASK OK' : /^WARNINGS/.test(task.exit) ? `TASK ${task.exit}` : `TASK ERROR: ${task.exit}`];
  const frac = task.durationMs > 0 ? Math.min(1, (now - task.startedAt) / task.durationMs) : 1;
  return task.log.slice(0, Math.floor(task.log.length * frac));
}
