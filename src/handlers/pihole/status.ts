/** The ad blocker's /status line, from the cached snapshot. */
import type { PiholeSnapshot } from '../../services/pihole/poller.ts';
import type { Poller } from '../../services/poller.ts';
import { pollerStatusSection, type StatusSection } from '../builtin/status-section.ts';
import { blockingText } from './commands.ts';

/** One line of /status: blocking on/off (and until when) and the share of queries blocked today. */
export function piholeStatusSection(poller: Poller<PiholeSnapshot>): StatusSection {
  return pollerStatusSection(poller, {
    id: 'pihole',
    labelKey: 'pihole.label',
    checkingKey: 'pihole.status.checking',
    line(v, t, now, at) {
      const b = v.blocking;
      return {
        level: b.state === 'enabled' ? 'ok' : 'warning',
        text: t('pihole.status.line', { state: blockingText(t, b, now - at), percent: v.summary.percentBlocked.toFixed(1) }),
        // A pause's time left counts down: that line is made on every /status; any other holds.
        ...(b.state === 'disabled' && b.timerSec !== null ? {} : { until: Number.POSITIVE_INFINITY }),
      };
    },
  });
}
