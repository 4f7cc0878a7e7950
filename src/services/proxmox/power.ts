/**
 * The hypervisor side of the power cut: builds the plan Proxmox runs by itself (startup orders,
 * then the node shutdown or `stopall`), finds the guest the bot runs in, starts guests again on
 * restore, and — for a bot outside the node — shuts guests down one by one. Time decisions use
 * the injected clock; real timers only schedule the next look.
 */
import { hostname, networkInterfaces } from 'node:os';
import type { Clock } from '../../core/clock.ts';
import { err, ok, serviceError, type Result } from '../../core/errors.ts';
import { snapshotValue, type Poller } from '../poller.ts';
import type { ProxmoxClient } from './client.ts';
import type { ProxmoxSnapshot } from './poller.ts';
import { buildPowerPlan, findSelf } from './power-plan.ts';
import { guestLabel, type Guest, type GuestConfig } from './types.ts';

/** Where the bot runs: a guest's vmid, `auto` (ask Proxmox), or `outside` the node (a Raspberry Pi). */
export type RunsOn = number | 'auto' | 'outside';

/** This machine's name and NIC MACs (detection input; injectable for tests). */
export interface HostIdentity {
  readonly hostname: string;
  readonly macs: readonly string[];
}

/** The running machine's identity. */
export function localIdentity(): HostIdentity {
  const macs = Object.values(networkInterfaces())
    .flatMap((list) => list ?? [])
    .filter((i) => !i.internal && i.mac && i.mac !== '00:00:00:00:00:00')
    .map((i) => i.mac.toUpperCase());
  return { hostname: hostname(), macs: [...new Set(macs)] };
}

/** One call of a plan, run by the orchestrator in order. */
export interface HandoverCall {
  readonly text: string;
  run(): Promise<Result<void>>;
}

/** The plan as the orchestrator sees it. */
export interface HandoverPlan {
  readonly calls: readonly HandoverCall[];
  /** Guest labels in the order the node stops them (a group stops together). */
  readonly sequence: readonly (readonly string[])[];
  readonly node?: string;
  /** The bot's own guest label, when the plan stops it. */
  readonly self?: string;
}

/** One guest after a restore start: was it started by us, and does it run now. */
export interface GuestStart {
  readonly vmid: number;
  readonly label: string;
  readonly running: boolean;
  readonly started: boolean;
}

/** How often a stopping or starting guest is looked at. */
const POLL_MS = 2_000;

/** Proxmox power control for the power-cut orchestration. */
export class ProxmoxPower {
  constructor(
    private readonly client: ProxmoxClient,
    private readonly poller: Poller<ProxmoxSnapshot>,
    private readonly clock: Clock,
    private readonly opts: { readonly runsOn: RunsOn; readonly identity?: () => HostIdentity },
  ) {}

  /** The plan Proxmox will carry out: the listed guests stop in `order`, then the node when asked. */
  async planHandover(o: { order: readonly number[]; shutdownNode: boolean; timeoutSeconds: number }): Promise<Result<HandoverPlan>> {
    const [guests, version] = await Promise.all([this.client.guests(), this.client.version()]);
    if (!guests.ok) return guests;
    const configs = await this.configs(guests.value);
    if (!configs.ok) return configs;
    const pveMajor = version.ok ? Number.parseInt(version.value.version, 10) || 7 : 7;
    const plan = buildPowerPlan({ node: this.client.node, guests: guests.value, configs: configs.value, ...o, pveMajor });
    if (!plan.ok) return plan;
    const self = await this.selfGuest(guests.value, configs.value);
    const stopped = plan.value.sequence.flat();
    return ok({
      calls: plan.value.calls.map((c) => ({
        text: c.text,
        run: async (): Promise<Result<void>> => {
          if (c.kind === 'set-startup') return this.client.setStartup(c.guest, c.startup);
          if (c.kind === 'node-shutdown') return this.client.nodeShutdown();
          const r = await this.client.stopAll({
            vms: c.vms,
            ...(c.timeoutSeconds !== undefined ? { timeoutSeconds: c.timeoutSeconds } : {}),
            ...(c.forceStop !== undefined ? { forceStop: c.forceStop } : {}),
          });
          return r.ok ? ok(undefined) : r;
        },
      })),
      sequence: plan.value.sequence.map((g) => g.map(guestLabel)),
      ...(o.shutdownNode ? { node: this.client.node } : {}),
      ...(self && stopped.some((g) => g.vmid === self.vmid) ? { self: guestLabel(self) } : {}),
    });
  }

  /** The guest the bot runs in (configured, or found by MAC / hostname), if any. */
  async self(): Promise<Result<Guest | undefined>> {
    if (this.opts.runsOn === 'outside') return ok(undefined);
    const guests = await this.client.guests();
    if (!guests.ok) return guests;
    const configs = this.opts.runsOn === 'auto' ? await this.configs(guests.value) : ok(new Map<number, GuestConfig>());
    if (!configs.ok) return configs;
    return ok(await this.selfGuest(guests.value, configs.value));
  }

  /** The node this controller drives. */
  nodeName(): string {
    return this.client.node;
  }

  /** True when the node answers. */
  async nodeReachable(): Promise<Result<void>> {
    const r = await this.client.nodeStatus();
    return r.ok ? ok(undefined) : r;
  }

  /** Starts the stopped ones among `vmids` with `startall` (startup order) and waits until they run. */
  async startGuests(vmids: readonly number[], timeoutMs: number): Promise<Result<GuestStart[]>> {
    const guests = await this.client.guests();
    if (!guests.ok) return guests;
    const wanted = guests.value.filter((g) => vmids.includes(g.vmid));
    const stopped = wanted.filter((g) => g.status !== 'running');
    if (stopped.length) {
      const r = await this.client.startAll({ vms: stopped.map((g) => g.vmid) });
      if (!r.ok) return r;
      const deadline = this.clock.now() + timeoutMs;
      for (;;) {
        const now = await this.client.guests();
        if (now.ok && stopped.every((g) => now.value.find((x) => x.vmid === g.vmid)?.status === 'running')) break;
        if (this.clock.now() >= deadline) break;
        await pause(POLL_MS);
      }
    }
    void this.poller.refresh();
    const after = await this.client.guests();
    if (!after.ok) return after;
    return ok(
      wanted.map((g) => ({
        vmid: g.vmid,
        label: guestLabel(g),
        running: after.value.find((x) => x.vmid === g.vmid)?.status === 'running',
        started: stopped.includes(g),
      })),
    );
  }

  /** Asks one guest for a clean shutdown (stepwise mode, bot outside the node). */
  async shutdownGuest(vmid: number): Promise<Result<void>> {
    const g = await this.guest(vmid);
    if (!g.ok) return g;
    const r = await this.client.power(g.value, 'shutdown');
    return r.ok ? ok(undefined) : r;
  }

  /** Resolves once the guest is stopped, or fails (`timeout`) after `timeoutMs` by the clock. */
  async waitStopped(vmid: number, timeoutMs: number): Promise<Result<void>> {
    const g = await this.guest(vmid);
    if (!g.ok) return g;
    const deadline = this.clock.now() + timeoutMs;
    for (;;) {
      const s = await this.client.guestStatus(g.value);
      if (s.ok && s.value.status === 'stopped') return ok(undefined);
      if (this.clock.now() >= deadline) return err(serviceError('proxmox', 'timeout', `guest ${vmid} is still running`));
      await pause(POLL_MS);
    }
  }

  /** Shuts the node down (Proxmox stops the guests still running first). */
  shutdownNode(): Promise<Result<void>> {
    return this.client.nodeShutdown();
  }

  /** `docker (CT 101)` from the cached snapshot (its last good value while Proxmox does not answer). */
  guestName(vmid: number): string | undefined {
    const g = snapshotValue(this.poller.snapshot)?.guests.find((x) => x.vmid === vmid);
    return g ? guestLabel(g) : undefined;
  }

  private async guest(vmid: number): Promise<Result<Guest>> {
    const s = this.poller.snapshot;
    const cached = s.status === 'ok' ? s.value.guests.find((g) => g.vmid === vmid) : undefined;
    if (cached) return ok(cached);
    const live = await this.client.guests();
    if (!live.ok) return live;
    const g = live.value.find((x) => x.vmid === vmid);
    return g ? ok(g) : err(serviceError('proxmox', 'rejected', `there is no guest ${vmid}`));
  }

  private async selfGuest(guests: readonly Guest[], configs: ReadonlyMap<number, GuestConfig>): Promise<Guest | undefined> {
    const runsOn = this.opts.runsOn;
    if (runsOn === 'outside') return undefined;
    if (typeof runsOn === 'number') return guests.find((g) => g.vmid === runsOn);
    return findSelf(guests, configs, (this.opts.identity ?? localIdentity)());
  }

  private async configs(guests: readonly Guest[]): Promise<Result<Map<number, GuestConfig>>> {
    const out = new Map<number, GuestConfig>();
    for (const g of guests) {
      const c = await this.client.guestConfig(g);
      if (!c.ok) return c;
      out.set(g.vmid, c.value);
    }
    return ok(out);
  }
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
