/** The router's /status line, from the cached overview. */
import type { RouterOverview } from '../../services/routeros/poller.ts';
import type { Poller } from '../../services/poller.ts';
import { formatDurationShort } from '../args.ts';
import { pollerStatusSection, type StatusSection } from '../builtin/status-section.ts';
import { guestState } from './commands.ts';

/** One line of /status: uptime, CPU load and whether the guest WiFi is on. Never touches the router. */
export function routerStatusSection(poller: Poller<RouterOverview>): StatusSection {
  return pollerStatusSection(poller, {
    id: 'router',
    labelKey: 'router.label',
    checkingKey: 'router.status.checking',
    timeless: true,
    line(v, t) {
      const r = v.resource;
      return {
        level: 'ok',
        text: t('router.status.line', {
          uptime: formatDurationShort(r.uptimeSeconds * 1000),
          cpu: `${r.cpuLoadPercent} %`,
          guest: guestState(t, v.guestEnabled),
        }),
      };
    },
  });
}
