import type { Clock } from '../core/clock.ts';
import { err, failureDetail, reasonedError, type FailureDetail, type Result } from '../core/errors.ts';
import type { GuestStart, HandoverPlan } from '../services/proxmox/power.ts';
import type { Logger } from '../core/logger.ts';
import type { AlertService } from './service.ts';

/** Who a run's changes are made for: the UPS (the run started by itself) or the person who started it, in the chat they used. */
export type PowerCutActor =
  | { readonly by: 'ups' }
  | {
      readonly by: 'person';
      readonly identity: string;
      /** `platform:chatId` where they ran it. */
      readonly chat: string;
    };

/** The actor of every run the UPS starts. */
export const BY_UPS: PowerCutActor = { by: 'ups' };

/**
 * What the orchestrator needs from the hypervisor (the Proxmox area implements it).
 * Every call returns a Result; none may throw for a backend failure. Calls that change the
 * hypervisor are told whom they are made for (`by`: the audit names them).
 */
export interface PowerController {
  /** Asks a guest (VM or container) for a clean shutdown (stepwise mode). */
  shutdownGuest(vmid: number, by: PowerCutActor): Promise<Result<void>>;
  /** Resolves once the guest is stopped, or fails (kind `timeout`) after `timeoutMs`. */
  waitStopped(vmid: number, timeoutMs: number): Promise<Result<void>>;
  /** Shuts the node down (Proxmox stops any guest still running). */
  shutdownNode(by: PowerCutActor): Promise<Result<void>>;
  /** Display label of a guest, `docker (CT 101)` (optional). */
  guestName?(vmid: number): string | undefined;
  /** Loads what guestName needs (called before a run; optional, must not throw). */
  prepare?(): Promise<void>;
  /** True when the node answers (restore gate). */
  nodeReachable?(): Promise<Result<void>>;
  /** The node's name, for the restore report when the plan did not shut it down (present with nodeReachable). */
  nodeName?(): string;
  /** Starts those of `vmids` that are stopped and waits up to `timeoutMs` for them (restore). */
  startGuests?(vmids: readonly number[], timeoutMs: number): Promise<Result<readonly GuestStart[]>>;
  /** The plan the hypervisor carries out by itself (hand-over mode); its calls are made for `by`. */
  planHandover?(
    o: { order: readonly number[]; shutdownNode: boolean; timeoutSeconds: number },
    by: PowerCutActor,
  ): Promise<Result<HandoverPlan>>;
}

/** Configuration (alerts.powerCut). */
export interface PowerCutOptions {
  readonly enabled: boolean;
  /** Report what would be done, touch nothing. */
  readonly dryRun: boolean;
  /** Start after this long on battery (low battery starts it at once). */
  readonly onBatteryMinutes: number;
  /** Start when the UPS says less runtime than this is left (optional). */
  readonly lowRuntimeSeconds?: number;
  /** vmids in the order they must stop (first stops first). */
  readonly shutdownOrder: readonly number[];
  readonly shutdownNode: boolean;
  /**
   * `hypervisor` (default): the plan is handed to Proxmox (startup orders, then the node
   * shutdown or stopall) and finishes without the bot. `bot`: the bot stops each guest and
   * waits — only for a bot outside the node.
   */
  readonly runBy?: 'hypervisor' | 'bot';
  /** How long to wait for each guest to stop (default 3 min). */
  readonly guestTimeoutMs?: number;
}

/** One line of the running report. */
export interface PowerCutLine {
  readonly target: 'guest' | 'node';
  readonly vmid?: number;
  readonly name?: string;
  readonly status: 'pending' | 'shutting-down' | 'stopped' | 'would-shutdown' | 'failed' | 'timeout' | 'skipped' | 'handed-over';
  /** Why it failed: English detail for the log, the named cause for the reader. */
  readonly detail?: string;
  readonly reason?: FailureDetail['reason'];
  readonly reasonParams?: FailureDetail['reasonParams'];
}

/** A snapshot of the orchestration, rendered as one chat message (later snapshots edit it). */
export interface PowerCutStep {
  /** `handover`: the last message before the hypervisor takes over (and the bot's guest stops). */
  readonly phase: 'armed' | 'cancelled' | 'running' | 'finished' | 'aborted' | 'handover' | 'failed';
  readonly dryRun: boolean;
  readonly trigger?: 'low-battery' | 'low-runtime' | 'on-battery-time' | 'manual';
  /** When the shutdown starts unless power returns (phase armed). */
  readonly deadline?: number;
  readonly lines: readonly PowerCutLine[];
  /** Hand-over mode: the exact API calls (a dry run shows them). */
  readonly calls?: readonly string[];
  /** Hand-over mode: what stops, in order (groups stop together), and the node last. */
  readonly sequence?: readonly (readonly string[])[];
  readonly node?: string;
  /** The bot's own guest, when the plan stops it. */
  readonly self?: string;
  /** Why the plan could not be made or handed over (English detail; the named cause for the reader). */
  readonly detail?: string;
  readonly reason?: FailureDetail['reason'];
  readonly reasonParams?: FailureDetail['reasonParams'];
  /** The hand-over call that failed, as the dry run shows it. */
  readonly failedCall?: string;
}

/** Where steps go: `id` is unique and stable, `thread` groups a run's edits; `edit` replaces the last message. */
export type PowerCutReporter = (step: PowerCutStep, meta: { id: string; thread: string; edit: boolean }) => void;

/** What the UPS says, reduced to what the orchestration decides on. */
export interface PowerSignal {
  readonly onBattery: boolean;
  readonly lowBattery: boolean;
  readonly charge?: number;
  readonly runtimeSeconds?: number;
}

/** What the orchestration records for the restore report and for a restart (the power-cut journal). */
export interface PowerCutJournal {
  /** The UPS went on battery. */
  outageStarted(at: number): void;
  /** A reading while on battery (lowest charge and runtime are kept). */
  reading(s: PowerSignal): void;
  /** The plan was handed to the hypervisor (the bot may be gone next). */
  handedOver(
    at: number,
    summary: { sequence: readonly (readonly string[])[]; node?: string; self?: string; vmids: readonly number[]; dryRun?: boolean },
  ): void;
  /** Power came back before anything was shut down. */
  cancelled(at: number): void;
}

/** Optional collaborators. */
export interface PowerCutExtras {
  readonly journal?: PowerCutJournal;
  /** Resolves once the message with this id has left (or after a bounded wait). */
  readonly delivered?: (id: string) => Promise<void>;
}

/**
 * Power-cut orchestration. Decisions (documented): it arms when the UPS goes on battery and
 * starts after `onBatteryMinutes` or at once on low battery; power returning before the start
 * cancels it; power returning mid-run stops it after the current guest (a half-stopped homelab
 * is easier to restart than a node that goes down for nothing), and the node is then left up.
 * A failing or slow guest does not block the rest. One run per outage.
 */
export class PowerCutOrchestrator {
  private phase: 'idle' | 'armed' | 'running' | 'done' = 'idle';
  private armedAt = 0;
  private thread = '';
  private seq = 0;
  private powerBack = false;
  private run: Promise<void> | undefined;

  constructor(
    private readonly opts: PowerCutOptions,
    private readonly controller: PowerController,
    private readonly report: PowerCutReporter,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly extras: PowerCutExtras = {},
  ) {}

  /** What a run would do (for the /powercut question): dry run or not, and the order. */
  get settings(): Pick<PowerCutOptions, 'dryRun' | 'shutdownOrder' | 'shutdownNode'> {
    return this.opts;
  }

  /** Current phase (for /alerts and tests). */
  get state(): 'idle' | 'armed' | 'running' | 'done' {
    return this.phase;
  }

  /** Resolves when no run is in progress. */
  async idle(): Promise<void> {
    await this.run;
  }

  /** Feeds one UPS reading (called on every poll). */
  observe(s: PowerSignal): void {
    if (!this.opts.enabled) return;
    const now = this.clock.now();
    this.powerBack = !s.onBattery;
    if (s.onBattery) this.extras.journal?.reading(s);
    const lowRuntime =
      this.opts.lowRuntimeSeconds !== undefined && s.runtimeSeconds !== undefined && s.runtimeSeconds <= this.opts.lowRuntimeSeconds;
    switch (this.phase) {
      case 'idle':
        if (!s.onBattery) return;
        this.phase = 'armed';
        this.armedAt = now;
        this.thread = `powercut@${now}`;
        this.seq = 0;
        this.extras.journal?.outageStarted(now);
        this.extras.journal?.reading(s);
        if (s.lowBattery) return this.start('low-battery', BY_UPS);
        if (lowRuntime) return this.start('low-runtime', BY_UPS);
        this.emit(
          { phase: 'armed', dryRun: this.opts.dryRun, deadline: now + this.opts.onBatteryMinutes * 60_000, lines: this.plan() },
          false,
        );
        return;
      case 'armed':
        if (!s.onBattery) {
          this.phase = 'idle';
          this.extras.journal?.cancelled(now);
          this.emit({ phase: 'cancelled', dryRun: this.opts.dryRun, lines: [] }, false);
          return;
        }
        if (s.lowBattery) return this.start('low-battery', BY_UPS);
        if (lowRuntime) return this.start('low-runtime', BY_UPS);
        if (now - this.armedAt >= this.opts.onBatteryMinutes * 60_000) return this.start('on-battery-time', BY_UPS);
        return;
      case 'done':
        if (!s.onBattery) this.phase = 'idle';
        return;
      case 'running':
        return;
    }
  }

  /** Starts now for a person (/powercut, the alert's "shut down homelab now" button). False when disabled or already running. */
  trigger(by: Extract<PowerCutActor, { by: 'person' }>): boolean {
    if (!this.opts.enabled || this.phase === 'running') return false;
    if (this.phase !== 'armed') {
      this.armedAt = this.clock.now();
      this.thread = `powercut@${this.armedAt}`;
      this.seq = 0;
    }
    this.powerBack = false;
    this.start('manual', by);
    return true;
  }

  private plan(): PowerCutLine[] {
    const lines: PowerCutLine[] = this.opts.shutdownOrder.map((vmid) => {
      const name = this.controller.guestName?.(vmid);
      return { target: 'guest', vmid, status: 'pending', ...(name ? { name } : {}) };
    });
    if (this.opts.shutdownNode) lines.push({ target: 'node', status: 'pending' });
    return lines;
  }

  private emit(raw: PowerCutStep, edit: boolean): string {
    this.seq++;
    // Names may only become known after the plan was made (the hypervisor's first poll).
    const step: PowerCutStep = {
      ...raw,
      lines: raw.lines.map((l) => {
        const name = l.name ?? (l.vmid !== undefined ? this.controller.guestName?.(l.vmid) : undefined);
        return name ? { ...l, name } : l;
      }),
    };
    const id = `${this.thread}:${this.seq}`;
    try {
      this.report(step, { id, thread: this.thread, edit });
    } catch (e) {
      this.log.error({ err: e }, 'power-cut report failed');
    }
    return id;
  }

  private start(trigger: NonNullable<PowerCutStep['trigger']>, by: PowerCutActor): void {
    this.phase = 'running';
    this.run = this.execute(trigger, by).catch((e: unknown) => this.log.error({ err: e }, 'power-cut run threw'));
  }

  private async execute(trigger: NonNullable<PowerCutStep['trigger']>, by: PowerCutActor): Promise<void> {
    if ((this.opts.runBy ?? 'hypervisor') === 'hypervisor') return this.handOver(trigger, by);
    return this.stepwise(trigger, by);
  }

  /**
   * Hand-over mode: make the plan (startup orders, then one server-side call), report it, and
   * — real runs — set the orders, send the last message and wait until it has left, record the
   * hand-over, then make the final call. Proxmox finishes the job even when the bot's guest stops.
   */
  private async handOver(trigger: NonNullable<PowerCutStep['trigger']>, by: PowerCutActor): Promise<void> {
    const dryRun = this.opts.dryRun;
    const base = { dryRun, trigger, lines: [] as PowerCutLine[] };
    const plan = this.controller.planHandover
      ? await this.controller.planHandover(
          {
            order: this.opts.shutdownOrder,
            shutdownNode: this.opts.shutdownNode,
            timeoutSeconds: Math.round((this.opts.guestTimeoutMs ?? 180_000) / 1000),
          },
          by,
        )
      : err(reasonedError('proxmox', 'rejected', 'not-configured', 'Proxmox is not configured'));
    if (!plan.ok) {
      this.log.error({ err: plan.error }, 'power-cut plan could not be made');
      this.emit({ ...base, phase: 'failed', ...failureDetail(plan.error) }, false);
      this.phase = 'done';
      return;
    }
    const p = plan.value;
    const view = {
      ...base,
      calls: p.calls.map((c) => c.text),
      sequence: p.sequence,
      ...(p.node ? { node: p.node } : {}),
      ...(p.self ? { self: p.self } : {}),
    };
    this.log.warn({ trigger, dryRun, calls: view.calls }, 'power-cut shutdown starting');
    if (dryRun) {
      // Recorded like a real hand-over, so power returning gives the (dry) restore report too.
      this.extras.journal?.handedOver(this.clock.now(), {
        sequence: p.sequence,
        vmids: this.opts.shutdownOrder,
        dryRun: true,
        ...(p.node ? { node: p.node } : {}),
      });
      this.emit({ ...view, phase: 'finished' }, false);
      this.phase = 'done';
      return;
    }
    this.emit({ ...view, phase: 'running' }, false);
    const last = p.calls.length - 1;
    for (let i = 0; i < p.calls.length; i++) {
      if (this.powerBack && trigger !== 'manual') {
        this.emit({ ...view, phase: 'aborted' }, true);
        this.phase = 'done';
        return;
      }
      if (i === last) {
        // The last word goes out before the call that may stop the bot's own guest.
        this.extras.journal?.handedOver(this.clock.now(), {
          sequence: p.sequence,
          vmids: this.opts.shutdownOrder,
          ...(p.node ? { node: p.node } : {}),
          ...(p.self ? { self: p.self } : {}),
        });
        const id = this.emit({ ...view, phase: 'handover' }, false);
        await this.extras.delivered?.(id).catch(() => undefined);
      }
      const r = await p.calls[i]!.run();
      if (!r.ok) {
        this.log.error({ err: r.error, call: p.calls[i]!.text }, 'power-cut call failed');
        this.emit({ ...view, phase: 'failed', failedCall: p.calls[i]!.text, ...failureDetail(r.error) }, false);
        this.phase = 'done';
        return;
      }
    }
    this.phase = 'done';
  }

  /** Stepwise mode (bot outside the node): each guest in turn, waiting for it, then the node. */
  private async stepwise(trigger: NonNullable<PowerCutStep['trigger']>, by: PowerCutActor): Promise<void> {
    const dryRun = this.opts.dryRun;
    await this.controller.prepare?.().catch(() => undefined);
    const lines = this.plan();
    const step = (phase: PowerCutStep['phase'], edit: boolean): void => void this.emit({ phase, dryRun, trigger, lines: [...lines] }, edit);
    this.log.warn({ trigger, dryRun }, 'power-cut shutdown starting');
    step('running', false);
    const timeout = this.opts.guestTimeoutMs ?? 180_000;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      if (this.powerBack && trigger !== 'manual') {
        for (let j = i; j < lines.length; j++) lines[j] = { ...lines[j]!, status: 'skipped' };
        step('aborted', true);
        this.phase = 'done';
        return;
      }
      if (dryRun) {
        lines[i] = { ...line, status: 'would-shutdown' };
        step('running', true);
        continue;
      }
      lines[i] = { ...line, status: 'shutting-down' };
      step('running', true);
      if (line.target === 'node') {
        // Report before asking: the node going down takes the bot with it.
        const r = await this.controller.shutdownNode(by);
        lines[i] = r.ok ? { ...line, status: 'shutting-down' } : { ...line, status: 'failed', ...failureDetail(r.error) };
        if (!r.ok) step('running', true);
        continue;
      }
      const vmid = line.vmid!;
      const asked = await this.controller.shutdownGuest(vmid, by);
      if (!asked.ok) {
        lines[i] = { ...line, status: 'failed', ...failureDetail(asked.error) };
      } else {
        const stopped = await this.controller.waitStopped(vmid, timeout);
        lines[i] = stopped.ok
          ? { ...line, status: 'stopped' }
          : { ...line, status: stopped.error.kind === 'timeout' ? 'timeout' : 'failed', ...failureDetail(stopped.error) };
      }
      step('running', true);
    }
    step('finished', true);
    this.phase = 'done';
  }
}

/** Routes power-cut reports like critical UPS alerts (every chat bound to `ups`), editing one message per run. */
export function powerCutReporterFor(service: Pick<AlertService, 'notify'>): PowerCutReporter {
  return (step, meta) => {
    service.notify({ kind: 'powercut', step }, { source: 'ups', severity: 'critical', id: meta.id, thread: meta.thread, edit: meta.edit });
  };
}
