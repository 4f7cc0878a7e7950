/** The new-device announcement: what joined, where and when, and what to do about it. */
import type { AlertSource, Severity } from '../../alerts/condition.ts';
import type { Language, Translate } from '../../core/i18n.ts';
import type { Action, OutMessage } from '../../core/outmessage.ts';
import { macVendor } from '../../services/oui/vendor.ts';
import { formatTime } from '../../core/time-format.ts';
import type { Device } from './store.ts';

/** A button for one chat (the wiring makes the token); undefined when that chat's readers may not press it. */
export type ChatButton = (
  label: string,
  command: string,
  args: Readonly<Record<string, string>>,
  style?: Action['style'],
) => Action | undefined;

/** Routing of the announcement, like an alert of the `network` source. */
export interface NewDeviceRoute {
  readonly source: AlertSource;
  readonly severity: Severity;
  readonly id: string;
  readonly mutedBy?: readonly string[];
}

/** LAN newcomers are warnings; guest ones are info and can be muted on their own (`/mute network-guest`). */
export function newDeviceRoute(d: Device): NewDeviceRoute {
  const guest = d.network === 'guest';
  return {
    source: 'network',
    severity: guest ? 'info' : 'warning',
    id: `device-new:${d.mac}`,
    ...(guest ? { mutedBy: ['network-guest'] } : {}),
  };
}

/** The announcement in one chat's language, with buttons for that chat. */
export function newDeviceMessage(
  t: Translate,
  button: ChatButton,
  d: Device,
  o: { lang: Language; timezone: string; now: number },
): OutMessage {
  const vendor = macVendor(d.mac);
  return {
    title: t(d.network === 'guest' ? 'devices.new.titleGuest' : 'devices.new.titleLan'),
    severity: d.network === 'guest' ? 'info' : 'warning',
    blocks: [
      {
        kind: 'fields',
        fields: [
          { label: t('devices.new.name'), value: d.leaseName ?? t('devices.new.unnamed') },
          { label: t('devices.new.vendor'), value: vendor ?? t('devices.new.vendorUnknown') },
          { label: t('devices.new.mac'), value: d.mac },
          { label: t('devices.new.ip'), value: `${d.ip ?? '—'} (${t(`devices.network.${d.network}`)})` },
          { label: t('devices.new.when'), value: formatTime(d.firstSeen, o.lang, o.timezone, o.now) },
        ],
      },
    ],
    actions: [
      [
        button(t('devices.new.mine'), 'device-claim', { device: d.mac }),
        button(t('devices.new.nameIt'), 'device-name-prompt', { device: d.mac }),
      ],
      [
        button(t('devices.new.assign'), 'device-assign', { device: d.mac }),
        button(t('devices.new.block'), 'device-block', { device: d.mac }, 'danger'),
      ],
    ]
      .map((row) => row.filter((b): b is Action => b !== undefined))
      .filter((row) => row.length > 0),
  };
}
