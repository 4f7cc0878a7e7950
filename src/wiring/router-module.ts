/** The router area: RouterOS client, overview poller, guest WiFi auto-off, commands. */
import { textMessage } from '../core/outmessage.ts';
import { deviceLabel } from '../handlers/devices/store.ts';
import { guestAutoOffDeadlines } from '../handlers/router/auto-off.ts';
import { routerCommands } from '../handlers/router/commands.ts';
import { routerStatusSection } from '../handlers/router/status.ts';
import { GuestAutoOffStore } from '../handlers/router/store.ts';
import { newDeviceMessage, newDeviceRoute } from '../handlers/devices/announce.ts';
import { deviceCommands } from '../handlers/devices/commands.ts';
import type { DeviceCommandDeps } from '../handlers/devices/deps.ts';
import { DevicePauses } from '../handlers/devices/pause.ts';
import { pauseCommands } from '../handlers/devices/pause-commands.ts';
import { deviceStatusSection } from '../handlers/devices/status.ts';
import { seedKnownDevices } from '../handlers/devices/seed.ts';
import { DeviceStore } from '../handlers/devices/store.ts';
import { DeviceTracker } from '../handlers/devices/tracker.ts';
import { RouterOsClient } from '../services/routeros/client.ts';
import { Poller } from '../services/poller.ts';
import { createRouterPoller } from '../services/routeros/poller.ts';
import { routerConditions } from '../services/routeros/alerts.ts';
import type { Result } from '../core/errors.ts';
import { wakeCommands } from '../handlers/router/wake.ts';
import { POWER_RESTORE } from './audited-power.ts';
import type { FeatureModule, WiringContext } from './module.ts';

/** The router module, with the one capability other areas use: waking the Proxmox node. */
export interface RouterModule extends FeatureModule {
  /** Wake-on-LAN to the node (alerts.powerCut.restore.wakeOnLan), audited; absent when no MAC is configured. */
  readonly wakeNode?: () => Promise<Result<void>>;
}

/** Builds the router module, or undefined when the config has no `router` section. */
export function routerModule(ctx: WiringContext): RouterModule | undefined {
  const c = ctx.config.router;
  if (!c) return undefined;
  const log = ctx.log.child({ backend: 'router' });
  const client = new RouterOsClient({
    baseUrl: c.url,
    username: c.username,
    password: c.password,
    fingerprint: c.fingerprint,
    guestInterface: c.guestInterface,
    wanInterface: c.wanInterface,
  });
  const poller = createRouterPoller(client, { intervalMs: c.pollSeconds * 1000, clock: ctx.clock, scheduler: ctx.scheduler, log });
  const autoOff = new GuestAutoOffStore(ctx.deadlines.store);
  ctx.deadlines.worker.register(
    guestAutoOffDeadlines(
      (on) => client.setGuestWifiEnabled(on),
      (done) => {
        log.info({ chat: done.chat }, 'guest WiFi turned off automatically');
        ctx.notify(done.chat, (t) => textMessage(t('router.guest.autoOff')));
        void poller.refresh();
      },
    ),
  );

  // Devices: every lease refresh records sightings; a MAC never seen before is announced once.
  const devices = new DeviceStore(ctx.db);
  const tracker = new DeviceTracker(devices, (d) =>
    ctx.announce?.(newDeviceRoute(d), (t, button, lang) =>
      newDeviceMessage(t, button, d, { lang, timezone: ctx.config.timezone, now: ctx.clock.now() }),
    ),
  );
  // Demo mode: the simulated household's devices are known, with their owners, from the start.
  if (ctx.household) {
    const people = ctx.shared?.permissions.people;
    const firstOwner = () => people?.all().find((p) => p.role === 'owner')?.personId;
    seedKnownDevices(
      devices,
      ctx.household.devices,
      (o) => (o === 'owner' ? firstOwner() : people?.resolve(o.identity)?.personId),
      ctx.clock.now(),
    );
  }
  const leases = new Poller('router-leases', () => client.dhcpLeases(), c.pollSeconds * 1000, ctx.clock, log, ctx.scheduler);
  const pauses = new DevicePauses(client, devices, ctx.deadlines.store, ctx.clock, log, ctx.shared?.audit);
  leases.onRefresh((s) => {
    if (s.status !== 'ok') return;
    tracker.observe(s.value, ctx.clock.now());
    void pauses.repair(); // the router may have lost pause entries (a reboot drops timed ones)
  });
  ctx.deadlines.worker.register(
    pauses.deadlineKind((p) => {
      const d = devices.get(p.mac);
      ctx.notify(p.chat, (t) => textMessage(t('devices.pause.ended', { name: d ? deviceLabel(d) : p.mac })));
    }),
  );
  const pausedDevices = deviceStatusSection(devices, pauses, ctx.config.timezone);
  const access = ctx.shared?.access;
  const people = ctx.shared?.permissions.people;
  const deviceDeps: DeviceCommandDeps = {
    store: devices,
    pauses,
    people: { find: (q) => people?.find(q), all: () => people?.all() ?? [] },
    may: (p, chat, permission) => access?.can(p, chat, permission) ?? false,
    timezone: ctx.config.timezone,
  };

  // The restore's own wake is audited like a command (who: the power restore), intent first.
  const wol = ctx.config.alerts.powerCut?.restore.wakeOnLan;
  const node = wol ? { mac: wol.mac, interface: wol.interface } : undefined;
  const wakeNode = wol
    ? async (): Promise<Result<void>> => {
        const audit = ctx.shared?.audit;
        const id = audit?.record({
          at: ctx.clock.now(),
          identity: POWER_RESTORE,
          chat: POWER_RESTORE,
          command: 'wake',
          args: { target: 'node', mac: wol.mac },
          result: 'started',
          service: 'router',
        });
        const r = await client.wakeOnLan(wol.mac, wol.interface);
        if (id !== undefined) audit!.complete(id, r.ok ? 'ok' : 'error', r.ok ? undefined : r.error.detail);
        return r;
      }
    : undefined;

  return {
    name: 'router',
    ...(wakeNode ? { wakeNode } : {}),
    commands: [
      ...routerCommands({
        client,
        poller,
        autoOff,
        devices,
        pauses,
        ownerName: (id) => people?.all().find((p) => p.personId === id)?.displayName,
        observeLeases: (l) => void tracker.observe(l, ctx.clock.now()),
      }),
      ...deviceCommands(deviceDeps),
      ...wakeCommands({ send: (mac, iface) => client.wakeOnLan(mac, iface), ...(node ? { node } : {}), devices: deviceDeps }),
      ...pauseCommands(deviceDeps),
    ],
    statusSections: [routerStatusSection(poller), pausedDevices],
    alertsSections: [pausedDevices],
    muteTargets: ['network-guest'],
    // The router's reachability, and the internet link (its consequences are held while it is down).
    alertFeeds: [
      { backend: 'router', poller, rules: (v) => routerConditions(v, c.wanInterface) },
      // The lease table: no rules of its own (new devices are announced by the tracker), but
      // /simulate and the engine refresh it with the other feeds.
      { backend: 'devices', poller: leases, rules: () => [] },
    ],
    start() {
      poller.start();
      leases.start();
    },
    async stop() {
      await leases.stop();
      await poller.stop();
      await client.close();
    },
  };
}
