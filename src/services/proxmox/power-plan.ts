/**
 * The power-cut plan handed to Proxmox (pure): the `startup: order=` each listed guest needs so
 * that the node stops them in the configured order, then one server-side call that finishes
 * without the bot — the node shutdown (its pve-guests.service runs `stopall`) or `stopall`.
 */
import { err, ok, serviceError, type Result } from '../../core/errors.ts';
import { formatStartup, parseStartup, stopSequence, type StartupOrder } from './startup.ts';
import type { Guest, GuestConfig } from './types.ts';

/** One API call of the plan, with the exact text a dry run shows. */
export type PlanCall =
  | { readonly kind: 'set-startup'; readonly guest: Guest; readonly startup: string; readonly text: string }
  | {
      readonly kind: 'stopall';
      readonly vms: readonly number[];
      readonly timeoutSeconds?: number;
      readonly forceStop?: boolean;
      readonly text: string;
    }
  | { readonly kind: 'node-shutdown'; readonly text: string };

/** What the plan is built from. */
export interface PlanInput {
  readonly node: string;
  readonly guests: readonly Guest[];
  readonly configs: ReadonlyMap<number, GuestConfig>;
  /** vmids in the order they must stop (first stops first). */
  readonly order: readonly number[];
  readonly shutdownNode: boolean;
  /** Per-guest shutdown timeout (stopall `timeout`, PVE ≥ 8; older servers use each guest's `down`). */
  readonly timeoutSeconds: number;
  /** Major PVE version (7, 8, 9). */
  readonly pveMajor: number;
}

/** The calls and the stop sequence the hypervisor will follow (labels like `docker (CT 101)`). */
export interface PowerPlan {
  readonly calls: readonly PlanCall[];
  readonly sequence: readonly (readonly Guest[])[];
}

/** Builds the plan; an error when a listed guest does not exist on the node. */
export function buildPowerPlan(input: PlanInput): Result<PowerPlan> {
  const byId = new Map(input.guests.map((g) => [g.vmid, g]));
  const missing = input.order.filter((v) => !byId.has(v));
  if (missing.length) return err(serviceError('proxmox', 'rejected', `there is no guest ${missing.join(', ')} on ${input.node}`));
  const n = input.order.length;
  const calls: PlanCall[] = [];
  const startup = new Map<number, StartupOrder>();
  for (const g of input.guests) startup.set(g.vmid, parseStartup(input.configs.get(g.vmid)?.startup) ?? {});
  input.order.forEach((vmid, i) => {
    const g = byId.get(vmid)!;
    const current = startup.get(vmid) ?? {};
    // First to stop gets the highest order: stopall goes from the highest down.
    const wanted: StartupOrder = { ...current, order: n - i };
    startup.set(vmid, wanted);
    if (current.order === wanted.order) return;
    const value = formatStartup(wanted);
    calls.push({
      kind: 'set-startup',
      guest: g,
      startup: value,
      text: `PUT /nodes/${input.node}/${g.type}/${vmid}/config startup=${value}`,
    });
  });
  const stopped = input.guests.filter((g) => !g.template && g.status !== 'stopped' && (input.shutdownNode || input.order.includes(g.vmid)));
  const sequence = stopSequence(stopped.map((g) => ({ ...g, startup: startup.get(g.vmid) ?? {} }))).map((group) =>
    group.map((g) => byId.get(g.vmid)!),
  );
  if (input.shutdownNode) {
    calls.push({ kind: 'node-shutdown', text: `POST /nodes/${input.node}/status command=shutdown` });
  } else {
    const withTimeout = input.pveMajor >= 8;
    const vms = [...input.order];
    const extra = withTimeout ? ` timeout=${input.timeoutSeconds} force-stop=1` : '';
    calls.push({
      kind: 'stopall',
      vms,
      ...(withTimeout ? { timeoutSeconds: input.timeoutSeconds, forceStop: true } : {}),
      text: `POST /nodes/${input.node}/stopall vms=${vms.join(',')}${extra}`,
    });
  }
  return ok({ calls, sequence });
}

/** The bot's own guest among these, by NIC MAC first, then container hostname, then guest name. */
export function findSelf(
  guests: readonly Guest[],
  configs: ReadonlyMap<number, GuestConfig>,
  host: { readonly hostname: string; readonly macs: readonly string[] },
): Guest | undefined {
  const macs = new Set(host.macs.map((m) => m.toUpperCase()));
  const name = host.hostname.toLowerCase().split('.')[0] ?? '';
  return (
    guests.find((g) => configs.get(g.vmid)?.macs.some((m) => macs.has(m))) ??
    guests.find((g) => g.type === 'lxc' && configs.get(g.vmid)?.hostname?.toLowerCase() === name) ??
    guests.find((g) => g.name.toLowerCase() === name)
  );
}
