import type { Clock, Scheduler } from '../../core/clock.ts';
import { ok, type Result } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { Poller } from '../poller.ts';
import type { TransmissionClient } from './client.ts';
import type { Torrent } from './types.ts';

/** One refresh of the daemon: the torrents plus the session facts /torrents shows. */
export interface TransmissionState {
  readonly torrents: readonly Torrent[];
  readonly altSpeedEnabled: boolean;
  readonly downloadDir: string;
}

/** Reads the torrent list and the session (turtle mode, default folder). */
export async function fetchTransmissionState(client: TransmissionClient): Promise<Result<TransmissionState>> {
  const [torrents, session] = await Promise.all([client.list(), client.session()]);
  if (!torrents.ok) return torrents;
  if (!session.ok) return session;
  return ok({ torrents: torrents.value, altSpeedEnabled: session.value.altSpeedEnabled, downloadDir: session.value.downloadDir });
}

/** One refresh per tick, shared by /torrents, /status and the finished-torrent tracker. */
export function createTransmissionPoller(
  client: TransmissionClient,
  opts: { intervalMs: number; clock: Clock; scheduler?: Scheduler; log: Logger },
): Poller<TransmissionState> {
  return new Poller('transmission', () => fetchTransmissionState(client), opts.intervalMs, opts.clock, opts.log, opts.scheduler);
}
