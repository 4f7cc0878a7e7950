/** The hypervisor area: Proxmox client, poller, commands, /status line, alert rules, power-cut control. */
import { err, ok, serviceError, type Result } from '../core/errors.ts';
import { proxmoxCommands } from '../handlers/proxmox/commands.ts';
import { findGuest } from '../handlers/proxmox/format.ts';
import { proxmoxDigest, proxmoxStatusSection } from '../handlers/proxmox/status.ts';
import { proxmoxConditions, type ProxmoxRuleOptions } from '../services/proxmox/alerts.ts';
import { ProxmoxClient, type Guest } from '../services/proxmox/client.ts';
import { snapshotValue } from '../services/poller.ts';
import { proxmoxPoller } from '../services/proxmox/poller.ts';
import type { FeatureModule, WiringContext } from './module.ts';

/** How often the power-cut orchestration looks whether a guest has stopped. */
const STOP_POLL_MS = 2_000;

/** Builds the Proxmox module, or undefined when the config has no `proxmox` section. */
export function proxmoxModule(ctx: WiringContext): FeatureModule | undefined {
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
  const poller = proxmoxPoller(client, { intervalMs: c.pollSeconds * 1000, clock: ctx.clock, log });
  const followers = new Set<Promise<void>>();
  const stopping = new AbortController();
  const rules: ProxmoxRuleOptions = {
    backupWindowHours: c.backupWindowHours,
    expectedRunning: c.expectedRunning,
    storageWarnPercent: c.storageWarnPercent,
    storageCritPercent: c.storageCritPercent,
  };

  /** A guest by vmid: from the snapshot, else live (the power cut must not depend on a tick). */
  const guest = async (vmid: number): Promise<Result<Guest>> => {
    const s = poller.snapshot;
    const cached = s.status === 'ok' ? findGuest(s.value.guests, String(vmid)) : undefined;
    if (cached) return ok(cached);
    const live = await client.guests();
    if (!live.ok) return live;
    const g = findGuest(live.value, String(vmid));
    return g ? ok(g) : err(serviceError('proxmox', 'rejected', `there is no guest ${vmid}`));
  };

  return {
    name: 'proxmox',
    commands: proxmoxCommands({ client, poller, backupWindowHours: c.backupWindowHours, followers, signal: stopping.signal }),
    statusSections: [proxmoxStatusSection(poller, c.backupWindowHours)],
    alertFeeds: [{ backend: 'proxmox', labelKey: 'proxmox.label', poller, rules: (value, now) => proxmoxConditions(value, now, rules) }],
    digestInput: () => proxmoxDigest(poller, c.backupWindowHours, () => ctx.clock.now()),
    completions: {
      // Discord autocomplete for the guest argument, from the cached snapshot (never slow).
      guest: () => {
        const v = snapshotValue(poller.snapshot);
        return (v?.guests ?? []).filter((g) => !g.template).map((g) => g.name);
      },
    },
    powerController: {
      async shutdownGuest(vmid) {
        const g = await guest(vmid);
        if (!g.ok) return g;
        const r = await client.power({ vmid, type: g.value.type, node: g.value.node }, 'shutdown');
        return r.ok ? ok(undefined) : r;
      },
      async waitStopped(vmid, timeoutMs) {
        const g = await guest(vmid);
        if (!g.ok) return g;
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const s = await client.guestStatus({ vmid, type: g.value.type, node: g.value.node });
          if (s.ok && s.value.status === 'stopped') return ok(undefined);
          if (Date.now() >= deadline) return err(serviceError('proxmox', 'timeout', `guest ${vmid} is still running`));
          await new Promise((resolve) => setTimeout(resolve, Math.min(STOP_POLL_MS, Math.max(0, deadline - Date.now()))));
        }
      },
      shutdownNode: () => client.nodeShutdown(),
      guestName(vmid) {
        const s = poller.snapshot;
        return s.status === 'ok' ? findGuest(s.value.guests, String(vmid))?.name : undefined;
      },
    },
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
