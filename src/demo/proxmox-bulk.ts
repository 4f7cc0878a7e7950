/**
 * The fake Proxmox's bulk power and guest-config endpoints, modelled on pve-manager
 * PVE/API2/Nodes.pm (`startall`, `stopall`, `get_start_stop_list`) and pve-guests.service
 * (the node's own shutdown runs `stopall` for every guest, then powers off):
 * - stopall: groups by `startup: order=` (unset = LONG_MAX), highest first; a group's guests
 *   stop together (vmid descending), the next group only when the previous one has stopped.
 *   Parameters (additionalProperties 0): `vms` on every version; `timeout`, `force-stop`,
 *   `max-workers` only on newer ones (proxmox/pve-manager Nodes.pm at 94e14de vs the 7.x
 *   file at 01ac98c, which has `vms` only). Each guest waits `down=` (else `timeout`, else 180 s).
 * - startall: lowest order first, vmid ascending, only `onboot=1` guests unless `force=1`.
 * - `…/config` GET shows `startup`, `onboot`, `netN`; PUT sets them (returns null).
 * Tasks progress with time like the others (evaluated lazily on each request).
 */
import type { FakeGuest, FakeTask } from './proxmox-state.ts';

/** What the bulk routes need from the fake. */
export interface BulkContext {
  readonly node: string;
  readonly guests: FakeGuest[];
  now(): number;
  /** Adds a task (starts at `startedAt`, default now). */
  addTask(t: Omit<FakeTask, 'finished' | 'node' | 'upid' | 'startedAt'> & { startedAt?: number }): FakeTask;
  /** How long one guest takes to stop or start. */
  readonly stepMs: number;
  /** 7: stopall knows only `vms`. */
  readonly apiMajor: number;
}

type Reply = { status: number; reason?: string; data?: unknown; errors?: Record<string, string> };

const NO_ORDER = Number.MAX_SAFE_INTEGER;
const STARTUP = /^(?:(?:order=)?\d+)?(?:,?(?:up|down)=\d+)*$/;

const orderOf = (g: FakeGuest): number => {
  const m = /(?:^|,)(?:order=)?(\d+)(?:,|$)/.exec(g.startup ?? '');
  return m ? Number(m[1]) : NO_ORDER;
};
const downOf = (g: FakeGuest): number | undefined => {
  const m = /(?:^|,)down=(\d+)/.exec(g.startup ?? '');
  return m ? Number(m[1]) : undefined;
};

function badParams(errors: Record<string, string>): Reply {
  return { status: 400, reason: 'Parameter verification failed.', errors };
}

function checkParams(body: Record<string, string>, allowed: readonly string[]): Reply | undefined {
  const extra = Object.keys(body).filter((k) => !allowed.includes(k));
  if (extra.length)
    return badParams(
      Object.fromEntries(extra.map((k) => [k, 'property is not defined in schema and the schema does not allow additional properties'])),
    );
  if (body.vms !== undefined && !/^\d+(?:[,;\s]\d+)*$/.test(body.vms))
    return badParams({ vms: 'value does not look like a valid VM ID list' });
  return undefined;
}

/** One guest's shutdown or start task inside a bulk task, from `begin`; the guest changes when it ends. */
function guestTask(ctx: BulkContext, g: FakeGuest, action: 'shutdown' | 'start', begin: number, who: string): void {
  ctx.addTask({
    type: `${g.type === 'qemu' ? 'qm' : 'vz'}${action}`,
    id: String(g.vmid),
    user: who,
    startedAt: begin,
    durationMs: ctx.stepMs,
    exit: 'OK',
    log: [],
    onSuccess: () => {
      if (action === 'shutdown') {
        g.status = 'stopped';
        g.stoppedAt = begin + ctx.stepMs;
        delete g.startedAt;
      } else {
        g.status = 'running';
        g.startedAt = begin + ctx.stepMs;
        delete g.stoppedAt;
      }
    },
  });
}

/** Starts the server-side stop of `list`; returns the stopall task and when the last guest is down. */
export function stopAll(
  ctx: BulkContext,
  list: readonly FakeGuest[],
  who: string,
  timeoutSeconds?: number,
): { task: FakeTask; doneAt: number } {
  const t0 = ctx.now();
  const groups = new Map<number, FakeGuest[]>();
  for (const g of list) groups.set(orderOf(g), [...(groups.get(orderOf(g)) ?? []), g]);
  const orders = [...groups.keys()].sort((a, b) => b - a);
  let at = t0;
  const log: string[] = [];
  for (const o of orders) {
    const group = groups.get(o)!.sort((a, b) => b.vmid - a.vmid);
    const begin = at;
    for (const g of group) {
      if (g.status !== 'running') continue;
      log.push(`Stopping ${g.type === 'qemu' ? 'VM' : 'CT'} ${g.vmid} (timeout = ${downOf(g) ?? timeoutSeconds ?? 180} seconds)`);
      guestTask(ctx, g, 'shutdown', begin, who);
    }
    at += ctx.stepMs; // the next group waits for this one
  }
  const task = ctx.addTask({ type: 'stopall', id: '', user: who, startedAt: t0, durationMs: at - t0, exit: 'OK', log });
  return { task, doneAt: at };
}

/** Starts `list` in startup order (boot, or startall). */
export function startAll(ctx: BulkContext, list: readonly FakeGuest[], who: string): FakeTask {
  const t0 = ctx.now();
  const sorted = [...list].sort((a, b) => orderOf(a) - orderOf(b) || a.vmid - b.vmid);
  let at = t0;
  for (const g of sorted) {
    if (g.status === 'running') continue;
    guestTask(ctx, g, 'start', at, who);
    at += ctx.stepMs;
  }
  return ctx.addTask({ type: 'startall', id: '', user: who, startedAt: t0, durationMs: at - t0, exit: 'OK', log: [] });
}

/** POST /nodes/{node}/stopall. */
export function stopAllRoute(ctx: BulkContext, body: Record<string, string>, who: string, canPower: boolean): Reply {
  if (!canPower) return { status: 403, reason: 'Permission check failed (/, VM.PowerMgmt)' };
  const allowed = ctx.apiMajor >= 8 ? ['vms', 'timeout', 'force-stop', 'max-workers'] : ['vms'];
  const bad = checkParams(body, allowed);
  if (bad) return bad;
  if (body.timeout !== undefined && !(/^\d+$/.test(body.timeout) && Number(body.timeout) <= 7200))
    return badParams({ timeout: 'value must have a maximum value of 7200' });
  const ids = body.vms?.split(/[,;\s]+/).map(Number);
  const list = ctx.guests.filter((g) => !ids || ids.includes(g.vmid));
  const { task } = stopAll(ctx, list, who, body.timeout !== undefined ? Number(body.timeout) : undefined);
  return { status: 200, data: task.upid };
}

/** POST /nodes/{node}/startall. */
export function startAllRoute(ctx: BulkContext, body: Record<string, string>, who: string, canPower: boolean): Reply {
  if (!canPower) return { status: 403, reason: 'Permission check failed (/, VM.PowerMgmt)' };
  const bad = checkParams(body, ['vms', 'force']);
  if (bad) return bad;
  const ids = body.vms?.split(/[,;\s]+/).map(Number);
  const force = body.force === '1' || body.force === 'true';
  const list = ctx.guests.filter((g) => (!ids || ids.includes(g.vmid)) && (force || g.onboot));
  return { status: 200, data: startAll(ctx, list, who).upid };
}

/** GET/PUT /nodes/{node}/{qemu|lxc}/{vmid}/config. */
export function configRoute(g: FakeGuest, method: string, body: Record<string, string>, canPower: boolean): Reply {
  if (method === 'GET') {
    return {
      status: 200,
      data: {
        digest: 'c0ffee',
        ...(g.type === 'qemu' ? { name: g.name, cores: g.cpus, memory: g.maxmem / 1024 ** 2 } : { hostname: g.name, cores: g.cpus }),
        ...(g.startup ? { startup: g.startup } : {}),
        ...(g.onboot ? { onboot: 1 } : {}),
        ...(g.mac
          ? { net0: g.type === 'qemu' ? `virtio=${g.mac},bridge=vmbr0` : `name=eth0,bridge=vmbr0,hwaddr=${g.mac},ip=dhcp,type=veth` }
          : {}),
      },
    };
  }
  // Proxmox's own 501 for a method the config path has no handler for (see notImplemented in proxmox.ts).
  if (method !== 'PUT') return { status: 501, reason: `Method '${method} config' not implemented` };
  if (!canPower) return { status: 403, reason: `Permission check failed (/vms/${g.vmid}, VM.Config.Options)` };
  const bad = checkParams(body, ['startup', 'onboot', 'digest', 'delete', 'description']);
  if (bad) return bad;
  if (body.startup !== undefined && !STARTUP.test(body.startup))
    return badParams({ startup: 'invalid format - value does not match the startup order format' });
  if (body.digest !== undefined && body.digest !== 'c0ffee')
    return { status: 500, reason: 'detected modified configuration - file changed by other user? Try again.' };
  if (body.startup !== undefined) g.startup = body.startup;
  if (body.onboot !== undefined) g.onboot = body.onboot === '1';
  if (body.delete?.split(',').includes('startup')) delete g.startup;
  return { status: 200, data: null };
}
