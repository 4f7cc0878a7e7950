/**
 * The engine's hold sources for causes the rules cannot see: a power cut (the UPS on battery,
 * or a plan handed over whose restore is still owed), the WAN down (for backends reached over
 * the internet), and maintenance windows. Each is a small pure function over what it reads.
 */
import type { AlertCause } from './causes.ts';
import type { Condition } from './condition.ts';
import type { HoldSource } from './types.ts';

/** Alert sources that are consequences of a backend or guest going away. */
const GOES_AWAY = new Set<Condition['source']>(['backend', 'guest']);

/**
 * During a power cut every backend that goes away, and every guest that stops, is folded into
 * the power cut (the UPS's own alerts stand). `outageSince` says since when one is in progress.
 */
export function powerCutHold(outageSince: () => number | undefined, upsOrigin = 'nut'): HoldSource {
  return (c, origin) => {
    if (origin === upsOrigin || !GOES_AWAY.has(c.source)) return undefined;
    const since = outageSince();
    return since === undefined ? undefined : { kind: 'powercut', since };
  };
}

/** While the WAN is down (`downSince`), conditions of backends that need the internet are its consequences. */
export function wanHold(needsInternet: (origin: string) => boolean, downSince: () => number | undefined): HoldSource {
  return (_c, origin) => {
    if (!needsInternet(origin)) return undefined;
    const since = downSince();
    return since === undefined ? undefined : { kind: 'wan', since };
  };
}

/** A maintenance window in force: `all`, a backend name, or `guest:<vmid>`. */
export interface MaintenanceWindow {
  readonly target: string;
  readonly until: number;
  readonly by: string;
  readonly reason?: string;
}

/** `guest:101` → 101. */
const guestOf = (target: string): number | undefined => {
  const m = /^guest:(\d+)$/.exec(target);
  return m ? Number(m[1]) : undefined;
};

/**
 * True when a window covers a condition: `all`; a backend covers its own conditions and those
 * of the backends that run on it; a guest covers the conditions about that guest.
 */
export function windowCovers(target: string, c: Condition, origin: string, runsOn: (origin: string) => string | undefined): boolean {
  if (target === 'all') return true;
  const vmid = guestOf(target);
  if (vmid !== undefined) return c.params.vmid === vmid;
  return origin === target || runsOn(origin) === target || c.dependsOn === target;
}

/**
 * Maintenance windows in force hold what they cover. `windows(now)` decides what is in force: a
 * window past its time may still hold until whoever ends it has said so in the chat.
 */
export function maintenanceHold(
  windows: (now: number) => readonly MaintenanceWindow[],
  runsOn: (origin: string) => string | undefined,
): HoldSource {
  return (c, origin, now) => {
    const w = windows(now).find((x) => windowCovers(x.target, c, origin, runsOn));
    if (!w) return undefined;
    const cause: AlertCause = {
      kind: 'maintenance',
      target: w.target,
      until: w.until,
      by: w.by,
      ...(w.reason ? { reason: w.reason } : {}),
    };
    return cause;
  };
}
