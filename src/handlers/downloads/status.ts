/** The downloads /status line, from the cached torrent list. */
import type { Poller } from '../../services/poller.ts';
import type { TransmissionState } from '../../services/transmission/poller.ts';
import { pollerStatusSection, type StatusSection } from '../builtin/status-section.ts';
import { formatBytes } from '../replies.ts';

/** One line of /status: downloading and seeding counts and the total download rate. */
export function downloadsStatusSection(poller: Poller<TransmissionState>): StatusSection {
  return pollerStatusSection(poller, {
    id: 'downloads',
    labelKey: 'downloads.label',
    checkingKey: 'downloads.checking',
    timeless: true,
    line(v, t) {
      const list = v.torrents;
      return {
        level: list.some((x) => x.error !== 0) ? 'warning' : 'ok',
        text: t('downloads.status.line', {
          downloading: list.filter((x) => x.percentDone < 1 && x.status !== 'stopped').length,
          seeding: list.filter((x) => x.percentDone >= 1).length,
          down: formatBytes(list.reduce((sum, x) => sum + x.rateDownload, 0)),
        }),
      };
    },
  });
}
