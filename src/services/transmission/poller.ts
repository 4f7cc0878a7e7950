import type { Clock } from '../../core/clock.ts';
import type { Logger } from '../../core/logger.ts';
import { Poller } from '../poller.ts';
import type { TransmissionClient } from './client.ts';
import type { Torrent } from './types.ts';

/** One torrent-list refresh per tick, shared by /torrents and the finished-torrent tracker. */
export function createTransmissionPoller(
  client: TransmissionClient,
  opts: { intervalMs: number; clock: Clock; log: Logger },
): Poller<readonly Torrent[]> {
  return new Poller<readonly Torrent[]>('transmission', () => client.list(), opts.intervalMs, opts.clock, opts.log);
}
