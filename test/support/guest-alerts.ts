/** Shared set-up of the guest-alert tests: the fake Proxmox on a ManualClock and a config watching both guests. */
import { ManualClock } from '../../src/core/clock.ts';
import { startProxmoxFake, type ProxmoxFake } from '../../src/demo/proxmox.ts';
import { OWNER, type TestApp } from './app-harness.ts';

/** The key of docker's "not running" alert. */
export const DOCKER_KEY = 'guest:proxmox1:101:stopped';

/** A fake Proxmox whose time is the returned ManualClock (14:00 UTC), tasks finishing at once. */
export async function clockedProxmox(opts: { backupDurationMs?: number } = {}): Promise<{ clock: ManualClock; pve: ProxmoxFake }> {
  const clock = new ManualClock(Date.UTC(2026, 10, 25, 14, 0, 0));
  const pve = await startProxmoxFake({ taskDurationMs: 0, unauthDelayMs: 0, now: () => clock.now(), ...opts });
  return { clock, pve };
}

/** A config expecting nas and docker to run, polled only on demand, alerts to the console. */
export function guestAlertConfig(pve: ProxmoxFake, proxmox: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    timezone: 'UTC',
    proxmox: {
      url: pve.url,
      node: pve.node,
      tokenId: pve.tokenId,
      tokenSecret: pve.tokenSecret,
      pollSeconds: 3600,
      expectedRunning: [100, 101],
      ...proxmox,
    },
    alerts: { bindings: [{ chat: 'console:main' }], debounceSeconds: 30 },
  };
}

/** Lets the poller's snapshot go stale, then /guests refreshes it (and the engine evaluates it); returns the reply. */
export async function pollGuests(h: TestApp, clock: ManualClock, ms = 2 * 60_000): Promise<string> {
  clock.advance(ms);
  return (await h.say(OWNER, '/guests')).texts[0] ?? '';
}
