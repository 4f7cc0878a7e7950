import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/core/clock.ts';
import { ok } from '../../src/core/errors.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { startProxmoxFake } from '../../src/demo/proxmox.ts';
import { PowerCutOrchestrator, type PowerCutStep } from '../../src/alerts/powercut.ts';
import { proxmoxPowerController } from '../../src/alerts/proxmox-power.ts';
import { ProxmoxClient } from '../../src/services/proxmox/client.ts';

async function setup(dryRun: boolean) {
  const fake = await startProxmoxFake({ taskDurationMs: 50, unauthDelayMs: 0 });
  const client = new ProxmoxClient({
    baseUrl: fake.url,
    node: fake.node,
    tokenId: fake.tokenId,
    tokenSecret: fake.tokenSecret,
    timeoutMs: 3000,
  });
  let nodeShutdowns = 0;
  const controller = proxmoxPowerController(client, {
    pollMs: 20,
    shutdownNode: async () => {
      nodeShutdowns++;
      return ok(undefined);
    },
  });
  const guests = await client.guests();
  assert.ok(guests.ok, JSON.stringify(guests));
  const steps: PowerCutStep[] = [];
  const order = guests.value.filter((g) => g.status === 'running').map((g) => g.vmid);
  const o = new PowerCutOrchestrator(
    { enabled: true, dryRun, onBatteryMinutes: 10, shutdownOrder: order, shutdownNode: true, guestTimeoutMs: 5000 },
    controller,
    (s) => steps.push(s),
    new ManualClock(),
    silentLogger(),
  );
  return { fake, client, o, steps, order, nodeShutdowns: () => nodeShutdowns };
}

test('power cut against the fake Proxmox, real mode: every running guest is shut down in order, then the node', async (t) => {
  const s = await setup(false);
  t.after(async () => {
    await s.client.close();
    await s.fake.close();
  });
  assert.ok(s.order.length >= 2, `the fake has running guests: ${s.order.join(',')}`);
  s.o.observe({ onBattery: true, lowBattery: true });
  await s.o.idle();
  for (const vmid of s.order) assert.equal(s.fake.guest(vmid)?.status, 'stopped', `guest ${vmid} stopped`);
  assert.equal(s.nodeShutdowns(), 1);
  const last = s.steps.at(-1)!;
  assert.equal(last.phase, 'finished');
  assert.deepEqual(
    last.lines.map((l) => l.status),
    [...s.order.map(() => 'stopped'), 'shutting-down'],
  );
  assert.ok(
    last.lines.every((l) => l.target === 'node' || l.name),
    'guests are named in the report',
  );
});

test('power cut against the fake Proxmox, dry run: nothing changes', async (t) => {
  const s = await setup(true);
  t.after(async () => {
    await s.client.close();
    await s.fake.close();
  });
  s.o.observe({ onBattery: true, lowBattery: true });
  await s.o.idle();
  for (const vmid of s.order) assert.equal(s.fake.guest(vmid)?.status, 'running');
  assert.equal(s.nodeShutdowns(), 0);
  assert.deepEqual(
    s.steps.at(-1)!.lines.map((l) => l.status),
    [...s.order.map(() => 'would-shutdown'), 'would-shutdown'],
  );
});
