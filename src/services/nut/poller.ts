import type { Clock, Scheduler } from '../../core/clock.ts';
import type { Result } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { Poller } from '../poller.ts';
import type { NutClient } from './client.ts';
import type { UpsState } from './state.ts';

/** Default poll interval: power cuts are urgent and a LIST VAR is cheap. */
export const NUT_POLL_MS = 2000;

/** The fetch function for one UPS: one LIST VAR per tick. */
export function nutFetch(client: NutClient, ups: string): () => Promise<Result<UpsState>> {
  return () => client.vars(ups);
}

/** A Poller for one UPS, named `nut` (the origin used by alerts and /status). */
export function createNutPoller(
  client: NutClient,
  ups: string,
  clock: Clock,
  log: Logger,
  intervalMs: number = NUT_POLL_MS,
  scheduler?: Scheduler,
): Poller<UpsState> {
  return new Poller('nut', nutFetch(client, ups), intervalMs, clock, log, scheduler);
}
