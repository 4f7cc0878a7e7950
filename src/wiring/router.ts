/** The router area: RouterOS client, overview poller, guest WiFi auto-off, commands. */
import { textMessage } from '../core/outmessage.ts';
import type { StatusSection } from '../handlers/builtin/status-section.ts';
import { formatDurationShort } from '../handlers/args.ts';
import { GuestAutoOffWorker } from '../handlers/router/auto-off.ts';
import { guestState, routerCommands } from '../handlers/router/commands.ts';
import { GuestAutoOffStore } from '../handlers/router/store.ts';
import { RouterOsClient } from '../services/routeros/client.ts';
import { createRouterPoller } from '../services/routeros/poller.ts';
import type { FeatureModule, WiringContext } from './module.ts';

/** Builds the router module, or undefined when the config has no `router` section. */
export function routerModule(ctx: WiringContext): FeatureModule | undefined {
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
  const poller = createRouterPoller(client, { intervalMs: c.pollSeconds * 1000, clock: ctx.clock, log });
  const autoOff = new GuestAutoOffStore(ctx.db);
  const worker = new GuestAutoOffWorker(
    autoOff,
    () => client.setGuestWifiEnabled(false),
    ctx.clock,
    log,
    (done) => {
      ctx.notify(done.chat, (t) => textMessage(t('router.guest.autoOff')));
      void poller.refresh();
    },
  );

  const section: StatusSection = {
    id: 'router',
    labelKey: 'router.label',
    async read(t) {
      const s = await poller.settled();
      if (s.status === 'never') return { level: 'warning', text: t('router.status.checking') };
      if (s.status === 'failed')
        return { level: 'down', text: t(`error.${s.error.kind}`, { service: t('router.label'), detail: s.error.detail }) };
      const r = s.value.resource;
      return {
        level: 'ok',
        text: t('router.status.line', {
          uptime: formatDurationShort(r.uptimeSeconds * 1000),
          cpu: `${r.cpuLoadPercent} %`,
          guest: guestState(t, s.value.guestEnabled),
        }),
      };
    },
  };

  return {
    name: 'router',
    commands: routerCommands({ client, poller, autoOff }),
    statusSections: [section],
    // No router rules yet: the feed gives the engine the router's reachability as an alert.
    alertFeeds: [{ backend: 'router', labelKey: 'router.label', poller, rules: () => [] }],
    start() {
      poller.start();
      worker.start();
    },
    async stop() {
      await worker.stop();
      await poller.stop();
      await client.close();
    },
  };
}
