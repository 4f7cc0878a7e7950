import type { Translate } from '../../core/i18n.ts';
import { lowBattery, onBattery, type UpsState } from '../../services/nut/state.ts';
import type { Poller } from '../../services/poller.ts';
import { formatDurationShort } from '../args.ts';
import type { StatusLine, StatusSection } from '../builtin/status-section.ts';

/** The UPS line of /status, from the poller's cached snapshot. */
export function upsStatusSection(poller: Poller<UpsState>): StatusSection {
  return {
    id: 'ups',
    labelKey: 'ups.label',
    async read(t: Translate): Promise<StatusLine> {
      const s = await poller.settled();
      if (s.status === 'never') return { level: 'warning', text: t('ups.status.checking') };
      if (s.status === 'failed')
        return { level: 'down', text: t(`error.${s.error.kind}`, { service: t('ups.label'), detail: s.error.detail }) };
      const u = s.value;
      const params = {
        charge: u.charge !== undefined ? `${u.charge} %` : '?',
        runtime: u.runtimeSeconds !== undefined ? formatDurationShort(u.runtimeSeconds * 1000) : '?',
      };
      const replace = u.status.has('RB') ? t('ups.status.replace') : '';
      if (lowBattery(u)) return { level: 'down', text: t('ups.status.low', params) + replace };
      if (onBattery(u)) return { level: 'down', text: t('ups.status.battery', params) + replace };
      return { level: replace ? 'warning' : 'ok', text: t('ups.status.mains', params) + replace };
    },
  };
}
