/** The hypervisor area: Proxmox client, poller, commands, /status line, alert rules, power-cut control. */
import { proxmoxCommands } from '../handlers/proxmox/commands.ts';
import { proxmoxDigest, proxmoxStatusSection } from '../handlers/proxmox/status.ts';
import { proxmoxConditions, type ProxmoxRuleOptions } from '../services/proxmox/alerts.ts';
import { ProxmoxClient } from '../services/proxmox/client.ts';
import { guestLabel } from '../services/proxmox/types.ts';
import { ProxmoxPower } from '../services/proxmox/power.ts';
import { snapshotValue } from '../services/poller.ts';
import { proxmoxPoller } from '../services/proxmox/poller.ts';
import { GuestStops } from '../handlers/proxmox/stops.ts';
import type { PowerController } from '../alerts/powercut.ts';
import type { FeatureModule, WiringContext } from './module.ts';

/** The hypervisor module, which also shuts guests and the node down for a power cut (wired explicitly by the root). */
export interface ProxmoxModule extends FeatureModule {
  readonly powerController: PowerController;
}

/** Builds the Proxmox module, or undefined when the config has no `proxmox` section. */
export function proxmoxModule(ctx: WiringContext): ProxmoxModule | undefined {
  const c = ctx.config.proxmox;
  if (!c) return undefined;
  const log = ctx.log.child({ backend: 'proxmox' });
  const client = new ProxmoxClient({
    baseUrl: c.url,
    node: c.node,
    tokenId: c.tokenId,
    tokenSecret: c.tokenSecret,
    username: c.username,
    password: c.password,
    fingerprint: c.fingerprint,
    clock: ctx.clock,
  });
  const poller = proxmoxPoller(client, { intervalMs: c.pollSeconds * 1000, clock: ctx.clock, scheduler: ctx.scheduler, log });
  const followers = new Set<Promise<void>>();
  const stopping = new AbortController();
  const rules: ProxmoxRuleOptions = {
    backupWindowHours: c.backupWindowHours,
    expectedRunning: c.expectedRunning,
    storageWarnPercent: c.storageWarnPercent,
    storageCritPercent: c.storageCritPercent,
    backupGraceMs: c.backupGraceMinutes * 60_000,
  };
  // Guests the bot stopped itself: their "not running" is held, and /guests says who and when.
  const stops = new GuestStops(ctx.db);
  poller.onRefresh((snap) => {
    if (snap.status === 'ok') stops.reconcile(snap.value.guests, ctx.clock.now());
  });

  const power = new ProxmoxPower(client, poller, ctx.clock, { runsOn: ctx.config.alerts.powerCut?.runsOn ?? 'auto' });

  return {
    name: 'proxmox',
    commands: proxmoxCommands({
      client,
      poller,
      backupWindowHours: c.backupWindowHours,
      followers,
      signal: stopping.signal,
      stops,
      timezone: ctx.config.timezone,
      backupGraceMs: rules.backupGraceMs,
    }),
    statusSections: [proxmoxStatusSection(poller, c.backupWindowHours)],
    alertFeeds: [
      { backend: 'proxmox', poller, rules: (value, now) => proxmoxConditions(value, now, rules, { stoppedByBot: stops.all() }) },
    ],
    digestInput: () => proxmoxDigest(poller, c.backupWindowHours, () => ctx.clock.now()),
    completions: {
      // Discord autocomplete for the guest argument, from the cached snapshot (never slow).
      guest: () => {
        const v = snapshotValue(poller.snapshot);
        return (v?.guests ?? []).filter((g) => !g.template).map((g) => g.name);
      },
    },
    guests: () =>
      (snapshotValue(poller.snapshot)?.guests ?? [])
        .filter((g) => !g.template)
        .map((g) => ({ vmid: g.vmid, name: g.name, label: guestLabel(g) })),
    powerController: power,
    start() {
      poller.start();
    },
    async stop() {
      stopping.abort();
      await Promise.allSettled([...followers]);
      await poller.stop();
      await client.close();
    },
  };
}
