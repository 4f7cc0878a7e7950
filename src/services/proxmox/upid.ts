/** A decoded Proxmox task id (PROTOCOLS §1.4). */
export interface Upid {
  readonly node: string;
  readonly pid: number;
  readonly pstart: number;
  /** Unix epoch seconds when the task started. */
  readonly starttime: number;
  /** e.g. `qmstart`, `vzshutdown`, `vzdump`. */
  readonly type: string;
  /** Usually the vmid; may be empty (multi-guest vzdump jobs). */
  readonly id: string;
  /** `root@pam` or a token id `root@pam!bot`. */
  readonly user: string;
}

const UPID = /^UPID:([^:\s]+):([0-9A-Fa-f]{8}):([0-9A-Fa-f]{8,9}):([0-9A-Fa-f]{8}):([^:\s]+):([^:\s]*):([^:\s]+):$/;

/** Parses `UPID:<node>:<pid>:<pstart>:<starttime>:<type>:<id>:<user>:`; undefined when malformed. */
export function parseUpid(text: string): Upid | undefined {
  const m = UPID.exec(text.trim());
  if (!m) return undefined;
  const [, node, pid, pstart, start, type, id, user] = m;
  if (!node || !pid || !pstart || !start || !type || id === undefined || !user) return undefined;
  return {
    node,
    pid: parseInt(pid, 16),
    pstart: parseInt(pstart, 16),
    starttime: parseInt(start, 16),
    type,
    id,
    user,
  };
}

/** Builds a UPID string (used by the demo server; the inverse of parseUpid). */
export function formatUpid(u: Upid): string {
  const hex = (n: number, width: number): string => n.toString(16).toUpperCase().padStart(width, '0');
  return `UPID:${u.node}:${hex(u.pid, 8)}:${hex(u.pstart, 8)}:${hex(u.starttime, 8)}:${u.type}:${u.id}:${u.user}:`;
}
