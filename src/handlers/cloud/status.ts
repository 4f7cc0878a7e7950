/** The cloud's /status line, from the cached status.php. */
import type { NextcloudSnapshot } from '../../services/nextcloud/poller.ts';
import type { Poller } from '../../services/poller.ts';
import { pollerStatusSection, type StatusSection } from '../builtin/status-section.ts';
import { cloudState } from './commands.ts';

/** One line of /status: up, in maintenance or needing an upgrade, and the version. */
export function cloudStatusSection(poller: Poller<NextcloudSnapshot>): StatusSection {
  return pollerStatusSection(poller, {
    id: 'cloud',
    labelKey: 'cloud.label',
    checkingKey: 'cloud.status.checking',
    timeless: true,
    line(v, t) {
      const state = cloudState(t, v.status);
      return { level: state.level, text: t('cloud.status.line', { state: state.text, version: v.status.versionString }) };
    },
  });
}
