/**
 * The power-restore report. When mains has been back long enough after a plan was handed to the
 * hypervisor — or at start-up, when the journal says the bot was stopped by its own plan — it
 * follows the homelab back up in dependency order, each step after its gate: node reachable →
 * the guest stopped last (the NAS) running → storage checks (RAID, shares) → the other guests
 * → app checks (Nextcloud out of maintenance, Pi-hole blocking). Then one message says how long
 * the outage was, the lowest charge and runtime, what was shut down and when, and what is green
 * or still red (with a button to act). When the bot runs outside the node and the node stays off,
 * it can wake it first with Wake-on-LAN through the router (`wake`): once mains has been back
 * `afterMs`, the packet goes (recorded in the journal first: a restart never sends a second),
 * and the report waits until the node answers or `bootTimeoutMs` has passed.
 */
import type { MessageKey } from '../core/i18n.ts';
import type { Clock } from '../core/clock.ts';
import { failureParams, type Result } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { Condition } from './condition.ts';
import type { PowerCutStore } from './powercut-journal.ts';
import type { PowerController, PowerSignal } from './powercut.ts';

/** A button's command, like an alert's obvious action. */
export type RestoreAction = NonNullable<Condition['action']>;

/** Green: fine; amber: working but not done (a RAID rebuilding); red: needs someone. */
export type Light = 'green' | 'amber' | 'red';

/** One line of the report: a message key with its params, and a button when red. */
export interface RestoreLine {
  readonly light: Light;
  readonly key: MessageKey;
  readonly params: Readonly<Record<string, string | number>>;
  readonly action?: RestoreAction;
}

/** A health gate an area contributes (storage: after the NAS is up; apps: after every guest). */
export interface RestoreCheck {
  readonly stage: 'storage' | 'apps';
  run(): Promise<readonly RestoreLine[]>;
}

/** The report, as stored in the outbox (rendered per chat language). */
export interface RestoreReport {
  /** After a dry run: only checks, nothing was started. */
  readonly dryRun?: boolean;
  readonly outageStart: number;
  readonly outageEnd: number;
  readonly lowestCharge?: number;
  readonly lowestRuntimeSeconds?: number;
  readonly handedOverAt?: number;
  readonly sequence: readonly (readonly string[])[];
  readonly node?: string;
  readonly lines: readonly RestoreLine[];
}

/** Wake-on-LAN of the node through the router, for a bot that runs outside it. */
export interface NodeWake {
  /** Sends the magic packet (audited by whoever provides it). */
  send(): Promise<Result<void>>;
  /** Mains this long before the packet goes. */
  readonly afterMs: number;
  /** How long the woken node may take until it answers. */
  readonly bootTimeoutMs: number;
}

/** How a wake went, as the report tells it. */
type WakeOutcome =
  | { readonly kind: 'woken'; readonly sentAt: number }
  | { readonly kind: 'no-boot' }
  | { readonly kind: 'failed'; readonly failure: Readonly<Record<string, string>> };

/** What the restore needs. */
export interface RestoreDeps {
  readonly journal: PowerCutStore;
  readonly controller: PowerController;
  readonly checks: () => readonly RestoreCheck[];
  /** The shutdown order (the restore starts guests in reverse). */
  readonly order: readonly number[];
  /** Guests that should always run (proxmox.expectedRunning). */
  readonly expected: readonly number[];
  readonly onMainsMs: number;
  readonly guestTimeoutMs: number;
  readonly send: (report: RestoreReport, id: string) => void;
  /** Wakes the node when it stays off (configured by MAC; absent: no wake). */
  readonly wake?: NodeWake;
  /** What outage `id` folded (backends and guests gone away), each back or still down after a fresh look. */
  readonly folded?: (id: number) => Promise<readonly RestoreLine[]>;
  readonly clock: Clock;
  readonly log: Logger;
}

/** While a woken node boots, it is asked at most this often. */
export const LOOK_EVERY_MS = 15_000;

/** Watches the UPS after a handed-over plan and runs the restore once. */
export class PowerRestore {
  private mainsSince: number | undefined;
  /** The first mains reading since start-up: a report owed from before the restart goes at once. */
  private firstMains = true;
  /** Mains has been back long enough (or the bot restarted on mains): the restore may go, maybe after a wake. */
  private due = false;
  private run: Promise<void> | undefined;
  /** When the node was last asked whether it answers (while a woken node boots). */
  private lookedAt: number | undefined;

  constructor(private readonly d: RestoreDeps) {}

  /** Resolves when no restore is running. */
  async idle(): Promise<void> {
    await this.run;
  }

  /** Feeds one UPS reading. */
  observe(s: PowerSignal): void {
    if (s.onBattery) {
      this.mainsSince = undefined;
      this.due = false;
      return;
    }
    const atStartup = this.firstMains;
    this.firstMains = false;
    const owed = this.d.journal.owed();
    if (!owed || this.run) return;
    const now = this.d.clock.now();
    this.mainsSince ??= now;
    this.d.journal.mainsBack(this.mainsSince);
    // After a restart the node has booted: mains is back already, no need to wait again.
    if (atStartup || now - this.mainsSince >= this.d.onMainsMs) this.due = true;
    if (!this.due) return;
    this.run = this.step(owed.id)
      .catch((e: unknown) => this.d.log.error({ err: e }, 'power restore failed'))
      .finally(() => {
        this.run = undefined;
      });
  }

  /**
   * One look at the node: answering (or no wake configured) → the restore runs; off → wake it
   * once mains has been back long enough, then wait (looking again every LOOK_EVERY_MS) until it
   * answers or its boot time is up.
   */
  private async step(id: number): Promise<void> {
    const { wake, controller: c, clock, journal, log } = this.d;
    if (!wake || !c.nodeReachable) return this.restore(id);
    const o = journal.owed();
    if (!o) return;
    const now = clock.now();
    // A booting node needs minutes: asking on every UPS reading (seconds apart) only adds load.
    const booting = o.wakeSentAt !== undefined && now - o.wakeSentAt < wake.bootTimeoutMs;
    if (booting && this.lookedAt !== undefined && now - this.lookedAt < LOOK_EVERY_MS) return;
    this.lookedAt = now;
    const reachable = await c.nodeReachable();
    if (reachable.ok) return this.restore(id, o.wakeSentAt !== undefined ? { kind: 'woken', sentAt: o.wakeSentAt } : undefined);
    if (o.wakeSentAt === undefined) {
      // Counted from this process's own mains readings: a cut after the first return starts it again.
      if (now - (this.mainsSince ?? now) < wake.afterMs) return;
      journal.wakeSent(id, now);
      log.warn('the node is still off: waking it through the router');
      const sent = await wake.send();
      if (!sent.ok) return this.restore(id, { kind: 'failed', failure: failureParams(sent.error) });
      return;
    }
    if (!booting) return this.restore(id, { kind: 'no-boot' });
  }

  private async restore(id: number, woke?: WakeOutcome): Promise<void> {
    const { controller: c, log } = this.d;
    log.warn('power is back: following the homelab up');
    const lines: RestoreLine[] = [];
    const reachable = c.nodeReachable ? await c.nodeReachable() : undefined;
    const outage = this.d.journal.owed();
    // A plan without the node shutdown has no node in its summary: the controller still knows it.
    const node = outage?.summary?.node ?? c.nodeName?.() ?? '';
    if (woke && woke.kind !== 'woken') lines.push(wakeLine(woke, node, this.d.wake));
    if (reachable && !reachable.ok) {
      if (!woke || woke.kind === 'woken')
        lines.push({ light: 'red', key: 'alerts.restore.nodeDown', params: failureParams(reachable.error) });
    } else {
      if (woke?.kind === 'woken')
        lines.push({
          light: 'green',
          key: 'alerts.restore.nodeWoken',
          params: { node, minutes: Math.max(1, Math.ceil((this.d.clock.now() - woke.sentAt) / 60_000)) },
        });
      else if (reachable) lines.push({ light: 'green', key: 'alerts.restore.nodeUp', params: { node } });
      const dry = outage?.summary?.dryRun === true;
      const startOrder = dry ? [] : [...this.d.order].reverse();
      const rest = dry ? [] : [...startOrder.slice(1), ...this.d.expected.filter((v) => !startOrder.includes(v))];
      if (startOrder[0] !== undefined) lines.push(...(await this.start([startOrder[0]])));
      const storage = await this.checks('storage');
      lines.push(...storage);
      if (storage.some((l) => l.light === 'red')) {
        for (const vmid of rest)
          lines.push({ light: 'red', key: 'alerts.restore.guestHeld', params: this.guest(vmid), action: startAction(vmid) });
      } else if (rest.length) {
        lines.push(...(await this.start(rest)));
      }
      lines.push(...(await this.checks('apps')));
    }
    if (this.d.folded) lines.push(...notReportedYet(lines, await this.d.folded(id).catch(() => [])));
    const now = this.d.clock.now();
    const o = outage ?? this.d.journal.owed();
    this.d.send(
      {
        ...(o?.summary?.dryRun ? { dryRun: true } : {}),
        outageStart: o?.startedAt ?? now,
        outageEnd: o?.endedAt ?? now,
        ...(o?.lowestCharge !== undefined ? { lowestCharge: o.lowestCharge } : {}),
        ...(o?.lowestRuntimeSeconds !== undefined ? { lowestRuntimeSeconds: o.lowestRuntimeSeconds } : {}),
        ...(o?.handedOverAt !== undefined ? { handedOverAt: o.handedOverAt } : {}),
        sequence: o?.summary?.sequence ?? [],
        ...(o?.summary?.node ? { node: o.summary.node } : {}),
        lines,
      },
      `restore:${id}`,
    );
    this.d.journal.restored(id, now);
  }

  private async start(vmids: readonly number[]): Promise<RestoreLine[]> {
    if (!this.d.controller.startGuests) return [];
    const r = await this.d.controller.startGuests(vmids, this.d.guestTimeoutMs);
    if (!r.ok)
      return vmids.map((vmid) => ({
        light: 'red',
        key: 'alerts.restore.guestError',
        params: { ...this.guest(vmid), ...failureParams(r.error) },
        action: startAction(vmid),
      }));
    return r.value.map((g) =>
      g.running
        ? {
            light: 'green',
            key: g.started ? 'alerts.restore.guestStarted' : 'alerts.restore.guestUp',
            params: { vmid: g.vmid, guest: g.label },
          }
        : { light: 'red', key: 'alerts.restore.guestDown', params: { vmid: g.vmid, guest: g.label }, action: startAction(g.vmid) },
    );
  }

  /** `{ vmid, guest: 'nas (VM 100)' }`; without a known name the renderer words the number. */
  private guest(vmid: number): { vmid: number; guest?: string } {
    const label = this.d.controller.guestName?.(vmid);
    return label ? { vmid, guest: label } : { vmid };
  }

  private async checks(stage: RestoreCheck['stage']): Promise<RestoreLine[]> {
    const out: RestoreLine[] = [];
    for (const c of this.d.checks().filter((x) => x.stage === stage)) {
      try {
        out.push(...(await c.run()));
      } catch (e) {
        this.d.log.error({ err: e, stage }, 'a restore check threw');
      }
    }
    return out;
  }
}

/** The red line of a wake that did not bring the node back, with the button to try again. */
function wakeLine(woke: Exclude<WakeOutcome, { kind: 'woken' }>, node: string, wake: NodeWake | undefined): RestoreLine {
  const action: RestoreAction = { labelKey: 'alerts.restore.wakeButton', command: 'wake', args: { target: 'node' } };
  return woke.kind === 'failed'
    ? { light: 'red', key: 'alerts.restore.wakeFailed', params: { node, ...woke.failure }, action }
    : {
        light: 'red',
        key: 'alerts.restore.wakeNoBoot',
        params: { node, minutes: Math.max(1, Math.round((wake?.bootTimeoutMs ?? 0) / 60_000)) },
        action,
      };
}

/**
 * The folded lines the restore has not already told: a guest the restore tried to start (or held
 * back), or a backend a gate just looked at, has its own line, fresher and clearer ("could not be
 * started: …", with its button), so its folded "still down" would only repeat it.
 */
function notReportedYet(earlier: readonly RestoreLine[], folded: readonly RestoreLine[]): RestoreLine[] {
  const told = (name: 'vmid' | 'guest' | 'backend'): Set<string | number> =>
    new Set(earlier.flatMap((l) => (l.params[name] === undefined ? [] : [l.params[name]])));
  const seen = { vmid: told('vmid'), guest: told('guest'), backend: told('backend') };
  return folded.filter((l) => !(['vmid', 'guest', 'backend'] as const).some((n) => l.params[n] !== undefined && seen[n].has(l.params[n])));
}

/** The button that reads backend `backend` again (its alerts' feed id) and answers whether it is back. */
export const recheckAction = (backend: string): RestoreAction => ({
  labelKey: 'alerts.restore.recheckButton',
  command: 'alert-recheck',
  args: { backend },
});

/** The button that starts guest `vmid` (through the pipeline's /poweron, authorised when pressed). */
export const startAction = (vmid: number): RestoreAction => ({
  labelKey: 'alerts.restore.startButton',
  command: 'poweron',
  args: { guest: String(vmid) },
});
