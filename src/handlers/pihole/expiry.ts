import type { Clock } from '../../core/clock.ts';
import type { Result } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { PeriodicCheck } from '../../core/periodic.ts';
import type { TempAllow, TempAllowStore } from './store.ts';

const RETRY_MS = 60_000;

/**
 * Removes temporary allow entries from Pi-hole when their stored deadline passes. Decisions use
 * the injected clock; a real interval only decides how often to look, and a check runs at start
 * so entries that expired while the bot was down go at once. A failed removal (Pi-hole down)
 * keeps the row and is retried every minute; an entry already gone from Pi-hole just ends.
 */
export class TempAllowWorker {
  private readonly periodic: PeriodicCheck;
  private readonly retryAt = new Map<string, number>();
  private failing = false;

  constructor(
    private readonly store: TempAllowStore,
    private readonly pihole: {
      remove(domain: string): Promise<Result<boolean>>;
      /** Puts an entry back (it was extended while being removed). */
      add(domain: string): Promise<Result<unknown>>;
    },
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly onExpired: (e: TempAllow) => void,
    tickMs = 1000,
  ) {
    this.periodic = new PeriodicCheck(() => this.pass(), tickMs);
  }

  /** Starts checking, with one check right away. */
  start(): void {
    this.periodic.start();
  }

  /** Stops checking; waits for a removal in flight. */
  stop(): Promise<void> {
    return this.periodic.stop();
  }

  /** One pass over the due entries; concurrent calls share it. */
  check(): Promise<void> {
    return this.periodic.check();
  }

  private async pass(): Promise<void> {
    const now = this.clock.now();
    for (const e of this.store.due(now)) {
      if ((this.retryAt.get(e.domain) ?? 0) > now) continue;
      const r = await this.pihole.remove(e.domain);
      if (!r.ok) {
        if (!this.failing)
          this.log.warn({ domain: e.domain, error: r.error }, 'temporary allow could not be removed; retrying every minute');
        this.failing = true;
        this.retryAt.set(e.domain, now + RETRY_MS);
        continue;
      }
      this.retryAt.delete(e.domain);
      this.failing = false;
      // Extended while we were removing it: the new deadline stands, so the entry goes back.
      if (!this.store.remove(e.domain, e.expiresAt)) {
        await this.pihole.add(e.domain);
        continue;
      }
      this.log.info({ domain: e.domain, wasPresent: r.value }, 'temporary allow expired and removed');
      this.onExpired(e);
    }
  }
}
