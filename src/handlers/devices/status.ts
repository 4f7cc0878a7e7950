/** The /status line of paused and blocked devices (from SQLite: never slow). */
import type { Language, Translate } from '../../core/i18n.ts';
import { formatTime } from '../../core/time-format.ts';
import type { StatusLine, StatusSection } from '../builtin/status-section.ts';
import type { DevicePauses } from './pause.ts';
import { deviceLabel, type DeviceStore } from './store.ts';

/** Lists the devices whose internet is cut right now. */
export function deviceStatusSection(store: DeviceStore, pauses: DevicePauses, timezone: string, lang: Language = 'en'): StatusSection {
  // From SQLite's cached tables and the clock: told without waiting, never kept between /status.
  const lineAt = (t: Translate, now: number): StatusLine => {
    const items = pauses.all().map((p) => {
      const d = store.get(p.mac);
      const name = d ? deviceLabel(d) : p.mac;
      return p.kind === 'block'
        ? t('devices.status.blockedItem', { name })
        : t('devices.status.item', { name, until: formatTime(p.until, lang, timezone, now) });
    });
    if (items.length === 0) return { level: 'ok', text: t('devices.status.none') };
    return { level: 'warning', text: t('devices.status.line', { items: items.join(', ') }) };
  };
  return {
    id: 'devices',
    labelKey: 'devices.status.label',
    async read(t, now) {
      return lineAt(t, now);
    },
    peek: lineAt,
  };
}
