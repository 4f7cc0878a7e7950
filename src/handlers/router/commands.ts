import { changeWithDeadline } from '../../core/deadlines.ts';
import type { Translate } from '../../core/i18n.ts';
import type { Block, OutMessage } from '../../core/outmessage.ts';
import { generatePassphrase } from '../../services/routeros/passphrase.ts';
import type { RouterOsClient, Lease, GuestWifi } from '../../services/routeros/client.ts';
import type { RouterOverview } from '../../services/routeros/poller.ts';
import { wifiQrPng } from '../../services/routeros/wifi-qr.ts';
import type { Poller } from '../../services/poller.ts';
import { arg, formatDurationShort } from '../args.ts';
import { defineCommand, type AnyCommand, type CommandContext } from '../command.ts';
import { chatAddress } from '../../core/chat-address.ts';
import {
  formatAge,
  formatBytes,
  formatPercent,
  notRecordedMessage,
  readSnapshotOrReply,
  serviceErrorMessage,
  snapshotFooter,
} from '../replies.ts';
import { normalizeMac, type DeviceStore } from '../devices/store.ts';
import type { DevicePauses } from '../devices/pause.ts';
import type { GuestAutoOffStore } from './store.ts';
import { stateIcon } from '../../core/state-icon.ts';

/** What the router commands need. */
export interface RouterCommandDeps {
  readonly client: Pick<RouterOsClient, 'guestWifi' | 'setGuestWifiEnabled' | 'setGuestPassphrase' | 'dhcpLeases' | 'wireguardPeers'>;
  readonly poller: Poller<RouterOverview>;
  readonly autoOff: GuestAutoOffStore;
  /** Who owns which MAC, to show beside each lease. */
  readonly devices?: Pick<DeviceStore, 'get'>;
  /** Which devices are paused or blocked, to show beside each lease. */
  readonly pauses?: Pick<DevicePauses, 'get'>;
  /** Display name of a person by id. */
  readonly ownerName?: (personId: number) => string | undefined;
  /** Told about every lease table read (new-device detection sees what /devices sees). */
  readonly observeLeases?: (leases: readonly Lease[]) => void;
}

const GROUP = 'router';
/** WireGuard re-handshakes every 2 minutes while traffic flows; older means idle or gone. */
const VPN_ACTIVE_S = 180;
const MAX_DEVICES_PER_NETWORK = 40;

const label = (t: Translate): string => t('router.label');

async function qrMessage(
  ctx: CommandContext,
  g: GuestWifi,
  passphrase: string,
  lead: string[],
  autoOffAt: number | undefined,
): Promise<OutMessage> {
  const png = await wifiQrPng({ ssid: g.ssid, passphrase, hidden: g.hidden });
  const blocks: Block[] = [
    ...lead.map((text): Block => ({ kind: 'text', text })),
    { kind: 'text', text: ctx.t('router.wifi.intro') },
    {
      kind: 'fields',
      fields: [
        { label: ctx.t('router.wifi.network'), value: g.ssid },
        { label: ctx.t('router.wifi.password'), value: passphrase, copy: true },
      ],
    },
  ];
  if (g.disabled) blocks.push({ kind: 'text', text: ctx.t('router.wifi.isOff') });
  else if (autoOffAt !== undefined)
    blocks.push({ kind: 'text', text: ctx.t('router.wifi.offIn', { left: formatDurationShort(Math.max(0, autoOffAt - ctx.now())) }) });
  return {
    title: ctx.t('router.wifi.title'),
    severity: g.disabled ? 'warning' : 'info',
    blocks,
    image: { pngBase64: png.toString('base64'), filename: 'guest-wifi.png' },
    ephemeral: true,
  };
}

/** /wifi, /guestwifi, /rotatewifi, /devices, /vpn, /router. */
export function routerCommands(deps: RouterCommandDeps): AnyCommand[] {
  const { client, poller, autoOff } = deps;

  const wifi = defineCommand({
    name: 'wifi',
    group: GROUP,
    summaryKey: 'router.wifi.summary',
    args: {},
    permission: 'router.guest.qr',
    ephemeral: true,
    async run(ctx) {
      const g = await client.guestWifi();
      if (!g.ok) return serviceErrorMessage(ctx.t, g.error, label(ctx.t));
      if (g.value.passphrase === undefined) return { blocks: [{ kind: 'text', text: ctx.t('router.wifi.noSecret') }], severity: 'warning' };
      return qrMessage(ctx, g.value, g.value.passphrase, [], autoOff.get()?.offAt);
    },
  });

  const guestwifi = defineCommand({
    name: 'guestwifi',
    group: GROUP,
    summaryKey: 'router.guest.summary',
    args: {
      state: arg.choice(['on', 'off'] as const, { descriptionKey: 'router.guest.state', required: false }),
      duration: arg.duration({ descriptionKey: 'router.guest.duration', required: false, minMs: 5 * 60_000, maxMs: 7 * 86_400_000 }),
    },
    permission: 'router.guest.manage',
    mutates: (a) => a.state !== undefined, // without on/off it shows the state
    async run(ctx, { state, duration }) {
      if (duration !== undefined && state !== 'on')
        return { blocks: [{ kind: 'text', text: ctx.t('router.guest.durationOnlyWithOn') }], severity: 'warning' };
      if (state === undefined) {
        const g = await client.guestWifi();
        if (!g.ok) return serviceErrorMessage(ctx.t, g.error, label(ctx.t));
        const pending = autoOff.get();
        const text = g.value.disabled
          ? ctx.t('router.guest.isOff')
          : pending
            ? ctx.t('router.guest.isOnUntil', { left: formatDurationShort(Math.max(0, pending.offAt - ctx.now())) })
            : ctx.t('router.guest.isOn');
        const on = (d: string) =>
          ctx.action(ctx.t('router.guest.button.onFor', { duration: d }), 'guestwifi', { state: 'on', duration: d });
        return {
          title: ctx.t('router.wifi.title'),
          blocks: [{ kind: 'text', text }],
          actions: [
            [on('2h'), on('8h')],
            [
              ctx.action(ctx.t('router.guest.button.on'), 'guestwifi', { state: 'on' }),
              ctx.action(ctx.t('router.guest.button.off'), 'guestwifi', { state: 'off' }, { style: 'danger' }),
            ],
          ],
        };
      }
      if (state === 'on' && duration !== undefined) {
        const now = ctx.now();
        // The switch-off time is on disk before the WiFi goes on: a crash or a full disk never leaves it on for good.
        const change = await changeWithDeadline(
          () => autoOff.intend({ offAt: now + duration, chat: chatAddress(ctx.chat), setBy: ctx.principal.identity }, now),
          () => client.setGuestWifiEnabled(true),
        );
        if (change.status === 'not-recorded') return notRecordedMessage(ctx.t);
        if (change.status === 'failed') return serviceErrorMessage(ctx.t, change.error, label(ctx.t));
        await poller.refresh(); // keep /router and /status in step with the change
        return {
          blocks: [{ kind: 'text', text: ctx.t('router.guest.turnedOnFor', { left: formatDurationShort(duration) }) }],
          severity: 'success',
        };
      }
      const r = await client.setGuestWifiEnabled(state === 'on');
      if (!r.ok) return serviceErrorMessage(ctx.t, r.error, label(ctx.t));
      await poller.refresh();
      // On without a limit, or off: any earlier deadline no longer applies.
      autoOff.clear();
      return {
        blocks: [{ kind: 'text', text: ctx.t(state === 'on' ? 'router.guest.turnedOn' : 'router.guest.turnedOff') }],
        severity: 'success',
      };
    },
  });

  const rotatewifi = defineCommand({
    name: 'rotatewifi',
    group: GROUP,
    summaryKey: 'router.rotate.summary',
    args: {},
    permission: 'router.guest.rotate',
    destructive: true,
    confirmKey: 'router.rotate.confirm',
    mutates: true,
    ephemeral: true,
    async run(ctx) {
      const before = await client.guestWifi();
      if (!before.ok) return serviceErrorMessage(ctx.t, before.error, label(ctx.t));
      const passphrase = generatePassphrase().value;
      const r = await client.setGuestPassphrase(passphrase);
      if (!r.ok) return serviceErrorMessage(ctx.t, r.error, label(ctx.t));
      const msg = await qrMessage(ctx, before.value, passphrase, [ctx.t('router.rotate.done')], autoOff.get()?.offAt);
      return { ...msg, severity: 'success' };
    },
  });

  const devices = defineCommand({
    name: 'devices',
    group: GROUP,
    summaryKey: 'router.devices.summary',
    args: { network: arg.choice(['lan', 'guest', 'all'] as const, { descriptionKey: 'router.devices.network', required: false }) },
    permission: 'router.devices.read',
    async run(ctx, { network }) {
      const r = await client.dhcpLeases();
      if (!r.ok) return serviceErrorMessage(ctx.t, r.error, label(ctx.t));
      deps.observeLeases?.(r.value);
      const wanted = (l: Lease): boolean => !network || network === 'all' || l.network === network;
      const active = r.value.filter((l) => wanted(l) && l.status === 'bound' && !l.disabled);
      const inactive = r.value.filter((l) => wanted(l) && !active.includes(l)).length;
      const blocks: Block[] = [];
      for (const net of ['lan', 'guest', 'other'] as const) {
        const list = active.filter((l) => l.network === net).sort((a, b) => ipOrder(a.address) - ipOrder(b.address));
        if (list.length === 0) continue;
        blocks.push({ kind: 'text', text: ctx.t(`router.devices.${net}`, { n: list.length }) });
        blocks.push({
          kind: 'list',
          items: list.slice(0, MAX_DEVICES_PER_NETWORK).map((l) => {
            const mac = l.mac && normalizeMac(l.mac);
            const known = mac ? deps.devices?.get(mac) : undefined;
            const name = known?.name ?? l.hostName ?? l.comment ?? ctx.t('router.devices.unnamed');
            const owner = known?.ownerPersonId !== undefined ? deps.ownerName?.(known.ownerPersonId) : undefined;
            const cut = mac ? deps.pauses?.get(mac) : undefined;
            return [
              `${name} — ${l.address}`,
              mac,
              owner ? ctx.t('router.devices.owner', { owner }) : undefined,
              cut ? ctx.t(cut.kind === 'block' ? 'devices.state.blocked' : 'router.devices.paused') : undefined,
            ]
              .filter(Boolean)
              .join(' · ');
          }),
        });
      }
      if (blocks.length === 0) blocks.push({ kind: 'text', text: ctx.t('router.devices.none') });
      if (inactive > 0) blocks.push({ kind: 'text', text: ctx.t('router.devices.inactive', { n: inactive }) });
      return { title: ctx.t('router.devices.title'), blocks };
    },
  });

  const vpn = defineCommand({
    name: 'vpn',
    group: GROUP,
    summaryKey: 'router.vpn.summary',
    args: {},
    permission: 'router.vpn.read',
    async run(ctx) {
      const r = await client.wireguardPeers();
      if (!r.ok) return serviceErrorMessage(ctx.t, r.error, label(ctx.t));
      if (r.value.length === 0) return { title: ctx.t('router.vpn.title'), blocks: [{ kind: 'text', text: ctx.t('router.vpn.none') }] };
      const items = r.value.map((p) => {
        const hs = p.lastHandshakeSeconds;
        const active = !p.disabled && hs !== undefined && hs < VPN_ACTIVE_S;
        const handshake = p.disabled
          ? ctx.t('router.vpn.disabled')
          : hs === undefined
            ? ctx.t('router.vpn.never')
            : ctx.t('router.vpn.handshake', { age: formatAge(ctx.t, hs * 1000) });
        return ctx.t('router.vpn.peer', {
          icon: stateIcon(active ? 'ok' : 'idle'),
          name: p.label,
          address: p.allowedAddress.join(', ') || '—',
          handshake,
          rx: p.rxBytes === undefined ? '—' : formatBytes(p.rxBytes),
          tx: p.txBytes === undefined ? '—' : formatBytes(p.txBytes),
        });
      });
      return { title: ctx.t('router.vpn.title'), blocks: [{ kind: 'list', items }] };
    },
  });

  const router = defineCommand({
    name: 'router',
    group: GROUP,
    summaryKey: 'router.status.summary',
    args: {},
    permission: 'router.status.read',
    async run(ctx) {
      const read = await readSnapshotOrReply(poller, 30_000, ctx.t, { serviceLabel: label(ctx.t), checkingKey: 'router.status.checking' });
      if ('blocks' in read) return read;
      const { snap, value } = read;
      const res = value.resource;
      const fields = [
        ...(value.identity ? [{ label: ctx.t('router.status.name'), value: value.identity }] : []),
        ...(res.boardName ? [{ label: ctx.t('router.status.model'), value: res.boardName }] : []),
        { label: ctx.t('router.status.version'), value: res.version },
        { label: ctx.t('router.status.uptime'), value: formatDurationShort(res.uptimeSeconds * 1000) },
        { label: ctx.t('router.status.cpu'), value: formatPercent(res.cpuLoadPercent / 100) },
        {
          label: ctx.t('router.status.memory'),
          value: ctx.t('router.status.memoryValue', {
            used: formatBytes(res.totalMemoryBytes - res.freeMemoryBytes),
            total: formatBytes(res.totalMemoryBytes),
          }),
        },
        { label: ctx.t('router.status.publicIp'), value: value.publicIp ?? ctx.t('router.status.publicIpNone') },
        { label: ctx.t('router.status.guest'), value: guestState(ctx.t, value.guestEnabled) },
      ];
      const footer = snapshotFooter(ctx.t, snap, ctx.now());
      return {
        title: ctx.t('router.status.title'),
        severity: snap.status === 'failed' ? 'warning' : 'info',
        blocks: [
          ...(snap.status === 'failed'
            ? [
                {
                  kind: 'text' as const,
                  text: serviceErrorMessage(ctx.t, snap.error, label(ctx.t))
                    .blocks.map((b) => ('text' in b ? b.text : ''))
                    .join(' '),
                },
              ]
            : []),
          { kind: 'fields', fields },
        ],
        ...(footer ? { footer } : {}),
      };
    },
  });

  return [wifi, guestwifi, rotatewifi, devices, vpn, router];
}

/** "on" / "off" / "unknown" for the guest WiFi. */
export function guestState(t: Translate, enabled: boolean | undefined): string {
  return t(enabled === undefined ? 'router.status.unknown' : enabled ? 'router.status.on' : 'router.status.off');
}

function ipOrder(ip: string): number {
  return ip.split('.').reduce((n, p) => n * 256 + (Number(p) || 0), 0);
}
