/**
 * Power-cut orchestration end to end: the whole bot with the fake upsd and the fake Proxmox
 * (the proxmox module's PowerController). Low battery shuts the guests down in the configured
 * order and then the node, reporting in the alert chat; dry run touches nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { systemClock } from '../../src/core/clock.ts';
import { DEMO_UPS_STATES, startFakeUpsd } from '../../src/demo/nut.ts';
import { startProxmoxFake } from '../../src/demo/proxmox.ts';
import { startTestApp } from '../support/app-harness.ts';
import { waitFor } from '../support/real-server.ts';

async function run(dryRun: boolean) {
  const ups = await startFakeUpsd();
  const pve = await startProxmoxFake({ taskDurationMs: 50, unauthDelayMs: 0 });
  const h = await startTestApp(
    {
      nut: { host: ups.host, port: ups.port, ups: 'ups', pollSeconds: 0.2 },
      proxmox: { url: pve.url, node: pve.node, tokenId: pve.tokenId, tokenSecret: pve.tokenSecret, pollSeconds: 60 },
      alerts: {
        bindings: [{ chat: 'console:main' }],
        powerCut: { enabled: true, dryRun, onBatteryMinutes: 10, shutdownOrder: [101, 100], shutdownNode: true },
      },
    },
    { clock: systemClock },
  );
  const reports = () =>
    (
      h.app.db
        .prepare("SELECT payload FROM alert_outbox WHERE json_extract(payload, '$.notice.kind') = 'powercut' ORDER BY id")
        .pluck()
        .all() as string[]
    ).map((p) => JSON.parse(p).notice.step as { phase: string; lines: { vmid?: number; name?: string; status: string }[] });
  return {
    ups,
    pve,
    h,
    reports,
    async close() {
      await h.close();
      await pve.close();
      await ups.close();
    },
  };
}

test('real mode: low battery shuts down docker, then nas, then the node, step by step', async (t) => {
  const s = await run(false);
  t.after(() => s.close());
  assert.equal(s.pve.guest(100)?.status, 'running');
  s.ups.set('ups', DEMO_UPS_STATES.lowBattery);
  await waitFor(() => s.reports().some((r) => r.phase === 'finished'), { timeoutMs: 20_000, what: 'power-cut run finished' });
  assert.equal(s.pve.guest(101)?.status, 'stopped');
  assert.equal(s.pve.guest(100)?.status, 'stopped');
  assert.equal(s.pve.nodeShutdowns, 1);
  const last = s.reports().at(-1)!;
  assert.deepEqual(
    last.lines.map((l) => `${l.name ?? 'node'}:${l.status}`),
    ['docker:stopped', 'nas:stopped', 'node:shutting-down'],
  );
});

test('dry run: the same story is reported, nothing is touched', async (t) => {
  const s = await run(true);
  t.after(() => s.close());
  s.ups.set('ups', DEMO_UPS_STATES.lowBattery);
  await waitFor(() => s.reports().some((r) => r.phase === 'finished'), { timeoutMs: 20_000, what: 'dry run finished' });
  assert.equal(s.pve.guest(101)?.status, 'running');
  assert.equal(s.pve.guest(100)?.status, 'running');
  assert.equal(s.pve.nodeShutdowns, 0);
  assert.deepEqual(
    s
      .reports()
      .at(-1)!
      .lines.map((l) => l.status),
    ['would-shutdown', 'would-shutdown', 'would-shutdown'],
  );
});
