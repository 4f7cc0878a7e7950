/** The UPS's /status line and its part of the morning digest, from the poller's cached snapshot. */
import { lowBattery, onBattery, type UpsState } from '../../services/nut/state.ts';
import type { DigestInput } from '../../alerts/digest.ts';
import type { Poller } from '../../services/poller.ts';
import { formatDurationShort } from '../args.ts';
import { pollerStatusSection, type StatusSection } from '../builtin/status-section.ts';

/** The UPS line of /status, from the poller's cached snapshot. */
export function upsStatusSection(poller: Poller<UpsState>): StatusSection {
  return pollerStatusSection(poller, {
    id: 'ups',
    labelKey: 'ups.label',
    checkingKey: 'ups.status.checking',
    timeless: true,
    line(u, t) {
      const params = {
        charge: u.charge !== undefined ? `${u.charge} %` : '?',
        runtime: u.runtimeSeconds !== undefined ? formatDurationShort(u.runtimeSeconds * 1000) : '?',
      };
      const replace = u.status.has('RB') ? t('ups.status.replace') : '';
      if (lowBattery(u)) return { level: 'down', text: t('ups.status.low', params) + replace };
      if (onBattery(u)) return { level: 'down', text: t('ups.status.battery', params) + replace };
      return { level: replace ? 'warning' : 'ok', text: t('ups.status.mains', params) + replace };
    },
  });
}

/** The UPS part of the morning digest (mains or battery, charge, runtime, battery wear), from the snapshot. */
export function upsDigest(poller: Pick<Poller<UpsState>, 'snapshot'>): Partial<DigestInput> {
  const s = poller.snapshot;
  if (s.status !== 'ok') return {}; // a stale reading would misreport mains or battery
  const u = s.value;
  return {
    ups: {
      replaceBattery: u.status.has('RB'),
      onMains: !onBattery(u),
      ...(u.charge !== undefined ? { charge: u.charge } : {}),
      ...(u.runtimeSeconds !== undefined ? { runtimeSeconds: u.runtimeSeconds } : {}),
    },
  };
}
