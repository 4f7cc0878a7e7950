import type { Clock, Scheduler } from '../../core/clock.ts';
import { ok, type Result, type ServiceError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { Poller } from '../poller.ts';
import type { NextcloudClient, NextcloudServerInfo, NextcloudStatus } from './client.ts';

/** What /cloud, /status and the Nextcloud rules read, from one refresh. */
export interface NextcloudSnapshot {
  readonly status: NextcloudStatus;
  /** serverinfo; absent in maintenance mode (OCS is down then) or when it failed. */
  readonly server?: NextcloudServerInfo;
  readonly serverError?: ServiceError;
}

/**
 * Builds the refresh function: status.php decides reachability (it needs no credentials and
 * answers even in maintenance mode); serverinfo adds health numbers when it can.
 */
export function nextcloudFetcher(client: NextcloudClient): () => Promise<Result<NextcloudSnapshot>> {
  return async () => {
    const status = await client.status();
    if (!status.ok) return status;
    if (status.value.maintenance || !status.value.installed) return ok({ status: status.value });
    const server = await client.serverInfo();
    return ok(server.ok ? { status: status.value, server: server.value } : { status: status.value, serverError: server.error });
  };
}

/** One Nextcloud refresh per tick, shared by commands, /status and alert rules. */
export function createNextcloudPoller(
  client: NextcloudClient,
  opts: { intervalMs: number; clock: Clock; scheduler?: Scheduler; log: Logger; name?: string },
): Poller<NextcloudSnapshot> {
  return new Poller<NextcloudSnapshot>(
    opts.name ?? 'nextcloud',
    nextcloudFetcher(client),
    opts.intervalMs,
    opts.clock,
    opts.log,
    opts.scheduler,
  );
}
