import type { Clock, Scheduler } from '../../core/clock.ts';
import { ok, type Result } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { Poller } from '../poller.ts';
import type { RouterOsClient } from './client.ts';
import type { RouterResource } from './types.ts';

/** What /router shows and what rules read, from one refresh. */
export interface RouterOverview {
  readonly identity: string | undefined;
  readonly resource: RouterResource;
  /** Undefined while the WAN link has no address (or the lookup failed). */
  readonly publicIp: string | undefined;
  /** The WAN interface has a live address (true), has none (false: the internet link is down), or could not be read. */
  readonly wanUp: boolean | undefined;
  /** Guest AP state; undefined when it could not be read (e.g. missing interface). */
  readonly guestEnabled: boolean | undefined;
}

/**
 * Reads the overview in parallel. `resource` decides success: if the router cannot say
 * that, it is down; the other parts are best-effort so one odd menu does not hide the rest.
 */
export async function fetchRouterOverview(client: RouterOsClient): Promise<Result<RouterOverview>> {
  const [resource, identity, publicIp, guest] = await Promise.all([
    client.resource(),
    client.identity(),
    client.publicIp(),
    client.guestWifi(),
  ]);
  if (!resource.ok) return resource;
  return ok({
    resource: resource.value,
    identity: identity.ok ? identity.value : undefined,
    publicIp: publicIp.ok ? publicIp.value : undefined,
    wanUp: publicIp.ok ? publicIp.value !== undefined : undefined,
    guestEnabled: guest.ok ? !guest.value.disabled : undefined,
  });
}

/** One router refresh per tick, shared by /router and any rule. */
export function createRouterPoller(
  client: RouterOsClient,
  opts: { intervalMs: number; clock: Clock; scheduler?: Scheduler; log: Logger },
): Poller<RouterOverview> {
  return new Poller('router', () => fetchRouterOverview(client), opts.intervalMs, opts.clock, opts.log, opts.scheduler);
}
