import type { Clock } from '../../core/clock.ts';
import type { Result } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { PeriodicCheck } from '../../core/periodic.ts';
import { autoOffDue, type AutoOff, type GuestAutoOffStore } from './store.ts';

const RETRY_MS = 60_000;

/**
 * Turns the guest WiFi off when its stored deadline passes. Decisions use the injected
 * clock (tests move it by hand); a real interval only decides how often to look. A failed
 * attempt (router down) is retried once a minute until it works; the deadline stays stored.
 */
export class GuestAutoOffWorker {
  private readonly periodic: PeriodicCheck;
  private retryAt = 0;
  private failing = false;

  constructor(
    private readonly store: GuestAutoOffStore,
    private readonly turnOff: () => Promise<Result<void>>,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly onTurnedOff: (s: AutoOff) => void,
    tickMs = 1000,
  ) {
    this.periodic = new PeriodicCheck(() => this.attempt(), tickMs);
  }

  /** Starts checking (also fires at once for a deadline that passed while the bot was down). */
  start(): void {
    this.periodic.start();
  }

  /** Stops checking; waits for an attempt in flight. */
  stop(): Promise<void> {
    return this.periodic.stop();
  }

  /** One check; concurrent calls share the attempt. */
  check(): Promise<void> {
    return this.periodic.check();
  }

  private async attempt(): Promise<void> {
    const due = this.store.get();
    const now = this.clock.now();
    if (!due || !autoOffDue(due, now) || now < this.retryAt) return;
    const r = await this.turnOff();
    // The admin may have rescheduled while the request was in flight: only clear what we acted on.
    if (r.ok) {
      if (this.store.get() === due) this.store.clear();
      this.failing = false;
      this.retryAt = 0;
      this.log.info({ chat: due.chat }, 'guest WiFi turned off automatically');
      this.onTurnedOff(due);
      return;
    }
    if (!this.failing) this.log.warn({ error: r.error }, 'guest WiFi auto-off failed; retrying every minute');
    this.failing = true;
    this.retryAt = now + RETRY_MS;
  }
}
