import type { Clock } from '../core/clock.ts';
import type { Result } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { AlertService } from './service.ts';

/**
 * What the orchestrator needs from the hypervisor (the Proxmox area implements it).
 * Every call returns a Result; none may throw for a backend failure.
 */
export interface PowerController {
  /** Asks a guest (VM or container) for a clean shutdown. */
  shutdownGuest(vmid: number): Promise<Result<void>>;
  /** Resolves once the guest is stopped, or fails (kind `timeout`) after `timeoutMs`. */
  waitStopped(vmid: number, timeoutMs: number): Promise<Result<void>>;
  /** Shuts the node down (Proxmox stops any guest still running). */
  shutdownNode(): Promise<Result<void>>;
  /** Household name of a guest, for the report (optional). */
  guestName?(vmid: number): string | undefined;
  /** Loads what guestName needs (called before a run; optional, must not throw). */
  prepare?(): Promise<void>;
}

/** Configuration (alerts.powerCut). */
export interface PowerCutOptions {
  readonly enabled: boolean;
  /** Report what would be done, touch nothing. */
  readonly dryRun: boolean;
  /** Start after this long on battery (low battery starts it at once). */
  readonly onBatteryMinutes: number;
  /** vmids in shutdown order. Do not list the guest the bot runs in: the node shutdown stops it last. */
  readonly shutdownOrder: readonly number[];
  readonly shutdownNode: boolean;
  /** How long to wait for each guest to stop (default 3 min). */
  readonly guestTimeoutMs?: number;
}

/** One line of the running report. */
export interface PowerCutLine {
  readonly target: 'guest' | 'node';
  readonly vmid?: number;
  readonly name?: string;
  readonly status: 'pending' | 'shutting-down' | 'stopped' | 'would-shutdown' | 'failed' | 'timeout' | 'skipped';
  readonly detail?: string;
}

/** A snapshot of the orchestration, rendered as one chat message (later snapshots edit it). */
export interface PowerCutStep {
  readonly phase: 'armed' | 'cancelled' | 'running' | 'finished' | 'aborted';
  readonly dryRun: boolean;
  readonly trigger?: 'low-battery' | 'on-battery-time' | 'manual';
  /** When the shutdown starts unless power returns (phase armed). */
  readonly deadline?: number;
  readonly lines: readonly PowerCutLine[];
}

/** Where steps go: `id` is unique and stable, `thread` groups a run's edits; `edit` replaces the last message. */
export type PowerCutReporter = (step: PowerCutStep, meta: { id: string; thread: string; edit: boolean }) => void;

/** What the UPS says, reduced to what the orchestration decides on. */
export interface PowerSignal {
  readonly onBattery: boolean;
  readonly lowBattery: boolean;
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
  ) {}

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
    switch (this.phase) {
      case 'idle':
        if (!s.onBattery) return;
        this.phase = 'armed';
        this.armedAt = now;
        this.thread = `powercut@${now}`;
        this.seq = 0;
        if (s.lowBattery) return this.start('low-battery');
        this.emit(
          { phase: 'armed', dryRun: this.opts.dryRun, deadline: now + this.opts.onBatteryMinutes * 60_000, lines: this.plan() },
          false,
        );
        return;
      case 'armed':
        if (!s.onBattery) {
          this.phase = 'idle';
          this.emit({ phase: 'cancelled', dryRun: this.opts.dryRun, lines: [] }, false);
          return;
        }
        if (s.lowBattery) return this.start('low-battery');
        if (now - this.armedAt >= this.opts.onBatteryMinutes * 60_000) return this.start('on-battery-time');
        return;
      case 'done':
        if (!s.onBattery) this.phase = 'idle';
        return;
      case 'running':
        return;
    }
  }

  /** Starts now (the alert's "shut down homelab now" button). False when disabled or already running. */
  trigger(): boolean {
    if (!this.opts.enabled || this.phase === 'running') return false;
    if (this.phase !== 'armed') {
      this.armedAt = this.clock.now();
      this.thread = `powercut@${this.armedAt}`;
      this.seq = 0;
    }
    this.powerBack = false;
    this.start('manual');
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

  private emit(raw: PowerCutStep, edit: boolean): void {
    this.seq++;
    // Names may only become known after the plan was made (the hypervisor's first poll).
    const step: PowerCutStep = {
      ...raw,
      lines: raw.lines.map((l) => {
        const name = l.name ?? (l.vmid !== undefined ? this.controller.guestName?.(l.vmid) : undefined);
        return name ? { ...l, name } : l;
      }),
    };
    try {
      this.report(step, { id: `${this.thread}:${this.seq}`, thread: this.thread, edit });
    } catch (e) {
      this.log.error({ err: e }, 'power-cut report failed');
    }
  }

  private start(trigger: NonNullable<PowerCutStep['trigger']>): void {
    this.phase = 'running';
    this.run = this.execute(trigger).catch((e: unknown) => this.log.error({ err: e }, 'power-cut run threw'));
  }

  private async execute(trigger: NonNullable<PowerCutStep['trigger']>): Promise<void> {
    const dryRun = this.opts.dryRun;
    await this.controller.prepare?.().catch(() => undefined);
    const lines = this.plan();
    const step = (phase: PowerCutStep['phase'], edit: boolean): void => this.emit({ phase, dryRun, trigger, lines: [...lines] }, edit);
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
        const r = await this.controller.shutdownNode();
        lines[i] = r.ok ? { ...line, status: 'shutting-down' } : { ...line, status: 'failed', detail: r.error.detail };
        if (!r.ok) step('running', true);
        continue;
      }
      const vmid = line.vmid!;
      const asked = await this.controller.shutdownGuest(vmid);
      if (!asked.ok) {
        lines[i] = { ...line, status: 'failed', detail: asked.error.detail };
      } else {
        const stopped = await this.controller.waitStopped(vmid, timeout);
        lines[i] = stopped.ok
          ? { ...line, status: 'stopped' }
          : { ...line, status: stopped.error.kind === 'timeout' ? 'timeout' : 'failed', detail: stopped.error.detail };
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
