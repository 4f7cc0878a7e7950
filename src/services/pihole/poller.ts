import type { Clock, Scheduler } from '../../core/clock.ts';
import { ok, type Result, type ServiceError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { Poller } from '../poller.ts';
import type { BlockingState, PiholeClient, PiholeSummary, TopClient, TopDomain } from './client.ts';

/** Everything /pihole, /status and the Pi-hole rules read, from one refresh. */
export interface PiholeSnapshot {
  readonly blocking: BlockingState;
  readonly summary: PiholeSummary;
  /** Absent when the top lists could not be read (`topError` says why). */
  readonly topBlocked?: readonly TopDomain[];
  readonly topClients?: readonly TopClient[];
  readonly topError?: ServiceError;
}

/**
 * Builds the refresh function: blocking state and today's summary are required; the top lists
 * are nice to have and only blank their part when they fail. All calls share one session.
 */
export function piholeFetcher(client: PiholeClient, opts: { top?: number } = {}): () => Promise<Result<PiholeSnapshot>> {
  const top = opts.top ?? 5;
  return async () => {
    const [blocking, summary, topBlocked, topClients] = await Promise.all([
      client.blockingStatus(),
      client.summary(),
      client.topBlocked(top),
      client.topClients(top),
    ]);
    if (!blocking.ok) return blocking;
    if (!summary.ok) return summary;
    const topError = !topBlocked.ok ? topBlocked.error : !topClients.ok ? topClients.error : undefined;
    return ok({
      blocking: blocking.value,
      summary: summary.value,
      ...(topBlocked.ok && topClients.ok ? { topBlocked: topBlocked.value, topClients: topClients.value } : {}),
      ...(topError ? { topError } : {}),
    });
  };
}

/** One Pi-hole refresh per tick, shared by commands, /status and alert rules. */
export function createPiholePoller(
  client: PiholeClient,
  opts: { intervalMs: number; clock: Clock; scheduler?: Scheduler; log: Logger; name?: string },
): Poller<PiholeSnapshot> {
  return new Poller<PiholeSnapshot>(opts.name ?? 'pihole', piholeFetcher(client), opts.intervalMs, opts.clock, opts.log, opts.scheduler);
}
