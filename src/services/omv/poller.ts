import type { Clock, Scheduler } from '../../core/clock.ts';
import { ok, type Result, type ServiceError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { RaidArray } from '../mdadm/raid.ts';
import { Poller } from '../poller.ts';
import type { OmvClient } from './client.ts';
import type { OmvFilesystem, OmvSystemInfo, SmartDisk, SmartHealth, SmbShare } from './types.ts';

/** A disk with its SMART attributes when they could be read. */
export type OmvDisk = SmartDisk & { readonly health?: SmartHealth };

/** Everything /nas and the NAS rules read, from one refresh. */
export interface OmvSnapshot {
  readonly system: OmvSystemInfo;
  /** Absent when no RAID service answered (`raidError` says why). */
  readonly raid?: readonly RaidArray[];
  readonly raidError?: ServiceError;
  readonly disks?: readonly OmvDisk[];
  readonly disksError?: ServiceError;
  readonly filesystems?: readonly OmvFilesystem[];
  readonly filesystemsError?: ServiceError;
  readonly shares?: readonly SmbShare[];
  readonly sharesError?: ServiceError;
}

/**
 * Builds the refresh function: system info is required (it proves the session works);
 * each other part may fail on its own without hiding the rest.
 */
export function omvFetcher(client: OmvClient): () => Promise<Result<OmvSnapshot>> {
  return async () => {
    const system = await client.systemInfo();
    if (!system.ok) return system;
    const [raid, smart, filesystems, shares] = await Promise.all([
      client.raidList(),
      client.smartList(),
      client.filesystems(),
      client.smbShares(),
    ]);
    let disks: OmvDisk[] | undefined;
    if (smart.ok) {
      disks = await Promise.all(
        smart.value.map(async (d) => {
          const h = await client.smartAttributes(d.devicefile);
          return h.ok ? { ...d, health: h.value } : d;
        }),
      );
    }
    return ok({
      system: system.value,
      ...(raid.ok ? { raid: raid.value } : { raidError: raid.error }),
      ...(disks ? { disks } : smart.ok ? {} : { disksError: smart.error }),
      ...(filesystems.ok ? { filesystems: filesystems.value } : { filesystemsError: filesystems.error }),
      ...(shares.ok ? { shares: shares.value } : { sharesError: shares.error }),
    });
  };
}

/** The OMV poller (one refresh per tick for /nas, /status and the NAS rules). */
export function omvPoller(
  client: OmvClient,
  opts: { intervalMs: number; clock: Clock; scheduler?: Scheduler; log: Logger; name?: string },
): Poller<OmvSnapshot> {
  return new Poller(opts.name ?? 'omv', omvFetcher(client), opts.intervalMs, opts.clock, opts.log, opts.scheduler);
}
