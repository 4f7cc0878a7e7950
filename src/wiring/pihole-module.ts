/** The Pi-hole area: client with one reused session, poller, temporary-allow expiry, commands, alerts. */
import { dnsCheck } from '../alerts/restore-checks.ts';
import { textMessage } from '../core/outmessage.ts';
import { piholeCommands } from '../handlers/pihole/commands.ts';
import { piholeStatusSection } from '../handlers/pihole/status.ts';
import { personAllowDeadlines, tempAllowDeadlines } from '../handlers/pihole/expiry.ts';
import { TempAllowStore, type TempAllow } from '../handlers/pihole/store.ts';
import { ScopedAllows } from '../handlers/pihole/scope.ts';
import { deviceLabel, DeviceStore } from '../handlers/devices/store.ts';
import { ok } from '../core/errors.ts';
import { piholeConditions } from '../services/pihole/alerts.ts';
import { PiholeClient } from '../services/pihole/client.ts';
import { createPiholePoller } from '../services/pihole/poller.ts';
import type { FeatureModule, WiringContext } from './module.ts';

/** Builds the Pi-hole module, or undefined when the config has no `pihole` section. */
export function piholeModule(ctx: WiringContext): FeatureModule | undefined {
  const c = ctx.config.pihole;
  if (!c) return undefined;
  const log = ctx.log.child({ backend: 'pihole' });
  // The API lives under /api of the Pi-hole's own address; accept a pasted …/admin or …/api too.
  const baseUrl = c.url.replace(/\/+$/, '').replace(/\/(admin|api)$/, '');
  const client = new PiholeClient({ baseUrl, password: c.password, ...(c.fingerprint ? { fingerprint: c.fingerprint } : {}) });
  const poller = createPiholePoller(client, { intervalMs: c.pollSeconds * 1000, clock: ctx.clock, scheduler: ctx.scheduler, log });
  const store = new TempAllowStore(ctx.deadlines.store);
  // Per-person unblocks need to know whose device is whose (the router area records them).
  const devices = new DeviceStore(ctx.db);
  const allows = new ScopedAllows(client, store);
  const allowed = () => client.listDomains('allow', 'exact');
  const expired = (e: TempAllow): void => {
    ctx.notify(e.chat, (t) => textMessage(t('pihole.unblock.expired', { domain: e.display })));
    void poller.refresh();
  };
  ctx.deadlines.worker.register(
    tempAllowDeadlines(
      {
        // The household's hold ends; people still holding the domain for their devices keep it.
        remove: (domain) => allows.sync(domain, {}).then((r) => (r.ok ? ok(true) : r)),
        add: (domain) => allows.sync(domain),
        allowed,
      },
      expired,
    ),
  );
  ctx.deadlines.worker.register(personAllowDeadlines({ sync: (domain, except) => allows.sync(domain, except), allowed }, expired));

  return {
    name: 'pihole',
    restoreChecks: [dnsCheck(poller)],
    commands: piholeCommands({
      client,
      poller,
      store,
      unblock: { defaultMs: c.unblock.defaultMinutes * 60_000, maxMs: c.unblock.maxMinutes * 60_000 },
      protectedDomains: c.protectedDomains,
      scoped: {
        allows,
        devicesOf: (personId) => devices.ownedBy(personId).map((d) => ({ ip: d.ip, label: deviceLabel(d) })),
        registryInUse: () => !devices.isEmpty(),
      },
      visibleClients: (p) =>
        p.role === 'owner' || p.role === 'admin' || devices.isEmpty()
          ? undefined
          : new Set(devices.ownedBy(p.personId).flatMap((d) => (d.ip ? [d.ip] : []))),
      changed: () => void poller.refresh(),
    }),
    statusSections: [piholeStatusSection(poller)],
    alertFeeds: [{ backend: 'pihole', poller, rules: (s) => piholeConditions(s) }],
    start() {
      poller.start();
    },
    async stop() {
      await poller.stop();
      await client.close(); // gives the API seat back
    },
  };
}
