import { err, ok, serviceError, type Result } from '../core/errors.ts';
import type { ProxmoxClient } from '../services/proxmox/client.ts';
import type { Guest, GuestRef } from '../services/proxmox/types.ts';
import type { PowerController } from './powercut.ts';

export interface ProxmoxPowerOptions {
  /** How often to read a guest's status while waiting for it to stop (default 2 s). */
  readonly pollMs?: number;
  /** Node shutdown (POST /nodes/{node}/status command=shutdown) once the Proxmox client offers it. */
  readonly shutdownNode?: () => Promise<Result<void>>;
}

/**
 * A PowerController on top of the Proxmox client: clean `shutdown` of each guest, then waits
 * for `stopped` by polling the guest's status (real time: the homelab is going down).
 */
export function proxmoxPowerController(client: ProxmoxClient, opts: ProxmoxPowerOptions = {}): PowerController {
  const known = new Map<number, Guest>();
  const load = async (): Promise<Result<void>> => {
    const all = await client.guests();
    if (!all.ok) return all;
    for (const x of all.value) known.set(x.vmid, x);
    return ok(undefined);
  };
  const find = async (vmid: number): Promise<Result<GuestRef>> => {
    let g = known.get(vmid);
    if (!g) {
      const loaded = await load();
      if (!loaded.ok) return loaded;
      g = known.get(vmid);
    }
    return g ? ok({ vmid, type: g.type }) : err(serviceError('proxmox', 'rejected', `no guest ${vmid} on ${client.node}`));
  };
  return {
    async shutdownGuest(vmid) {
      const ref = await find(vmid);
      if (!ref.ok) return ref;
      const r = await client.power(ref.value, 'shutdown');
      return r.ok ? ok(undefined) : r;
    },
    async waitStopped(vmid, timeoutMs) {
      const ref = await find(vmid);
      if (!ref.ok) return ref;
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const s = await client.guestStatus(ref.value);
        if (s.ok && s.value.status === 'stopped') return ok(undefined);
        if (Date.now() >= deadline)
          return err(serviceError('proxmox', 'timeout', `guest ${vmid} still ${s.ok ? s.value.status : 'unknown'}`));
        await new Promise((r) => setTimeout(r, opts.pollMs ?? 2000));
      }
    },
    shutdownNode: opts.shutdownNode ?? (async () => err(serviceError('proxmox', 'rejected', 'node shutdown is not available yet'))),
    guestName: (vmid) => known.get(vmid)?.name,
    async prepare() {
      await load();
    },
  };
}
