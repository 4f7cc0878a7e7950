/** Domain types of the Proxmox client (backend names, already parsed and normalised). */

/** KVM virtual machine or LXC container. */
export type GuestType = 'qemu' | 'lxc';

/** Power actions the bot offers; `stop` is the forced one. */
export type PowerAction = 'start' | 'shutdown' | 'reboot' | 'stop';

/** Which guest, on which node. */
export interface GuestRef {
  readonly vmid: number;
  readonly type: GuestType;
  /** Defaults to the client's node. */
  readonly node?: string;
}

/** One VM or container with its live figures. */
export interface Guest {
  readonly vmid: number;
  readonly type: GuestType;
  readonly node: string;
  readonly name: string;
  /** `running`, `stopped` (others, e.g. `paused` via qmpstatus, are passed through). */
  readonly status: string;
  /** CPU usage as a fraction of the guest's vCPUs (0..1). */
  readonly cpu: number;
  readonly cpus: number;
  readonly mem: number;
  readonly maxmem: number;
  /** Seconds. */
  readonly uptime: number;
  readonly template: boolean;
  /** e.g. `backup` while vzdump holds the guest. */
  readonly lock?: string;
  readonly tags?: string;
}

/** Hypervisor node health. */
export interface NodeStatus {
  readonly node: string;
  /** CPU usage fraction 0..1. */
  readonly cpu: number;
  readonly cpus: number;
  readonly cpuModel: string;
  readonly loadavg: readonly [number, number, number];
  readonly memory: { readonly total: number; readonly used: number };
  readonly rootfs: { readonly total: number; readonly used: number; readonly avail: number };
  /** Seconds. */
  readonly uptime: number;
  readonly pveVersion: string;
  readonly kernel?: string;
}

/** One storage as seen by a node (`local`, `local-lvm` thin pool, `backups` SMB share…). */
export interface Storage {
  readonly storage: string;
  /** Plugin type: `dir`, `lvmthin`, `cifs`, `nfs`, `zfspool`… */
  readonly type: string;
  readonly content: readonly string[];
  readonly active: boolean;
  readonly enabled: boolean;
  readonly shared: boolean;
  readonly total: number;
  readonly used: number;
  readonly avail: number;
}

/** A task from the node's task list. */
export interface Task {
  readonly upid: string;
  readonly node: string;
  readonly type: string;
  readonly id: string;
  readonly user: string;
  /** Epoch seconds. */
  readonly starttime: number;
  readonly endtime?: number;
  /** Exit status once finished (`OK`, `WARNINGS: n`, error text); absent or `RUNNING` while running. */
  readonly status?: string;
}

/** Live state of one task. */
export interface TaskStatus {
  readonly upid: string;
  readonly node: string;
  readonly type: string;
  readonly id: string;
  readonly running: boolean;
  /** `OK`, `WARNINGS: n` or the error text; only when finished. */
  readonly exitstatus?: string;
  readonly starttime: number;
}

/** One line of a task log. */
export interface TaskLogLine {
  readonly n: number;
  readonly t: string;
}

/** A page of a task log and how many lines the log has in all. */
export interface TaskLog {
  readonly lines: readonly TaskLogLine[];
  readonly total: number;
}

/** A guest not covered by any scheduled backup job. */
export interface NotBackedUp {
  readonly vmid: number;
  readonly name?: string;
  readonly type: GuestType;
}

/** `OK` or `WARNINGS: n` means the task did its job; anything else is its error. */
export function taskSucceeded(exitstatus: string | undefined): boolean {
  return exitstatus === 'OK' || /^WARNINGS: \d+$/.test(exitstatus ?? '');
}

/** What the power plan reads from a guest's stored configuration. */
export interface GuestConfig {
  /** Raw `startup` property (`order=2,down=180`). */
  readonly startup?: string;
  /** Container hostname (LXC). */
  readonly hostname?: string;
  /** VM name (QEMU). */
  readonly name?: string;
  readonly onboot: boolean;
  /** MAC addresses of its NICs, upper case. */
  readonly macs: readonly string[];
}

/** The one display form of a guest everywhere: `docker (CT 101)`, `nas (VM 100)` (Proxmox's own VM/CT terms). */
export function guestLabel(g: { readonly name: string; readonly type: GuestType; readonly vmid: number }): string {
  return `${g.name} (${g.type === 'qemu' ? 'VM' : 'CT'} ${g.vmid})`;
}
