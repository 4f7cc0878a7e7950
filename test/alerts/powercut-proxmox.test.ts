/**
 * Power cut end to end: the whole bot with a real upsd + dummy-ups and the fake Proxmox, which
 * models `stopall`, the node's own shutdown (pve-guests runs stopall, then powers off) and the
 * guests' `startup: order=`. The plan is handed to Proxmox: the startup orders are set, the last
 * message leaves before the call that stops the bot's own guest, and Proxmox finishes alone.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { systemClock } from '../../src/core/clock.ts';
import type { RestoreReport } from '../../src/alerts/restore.ts';
import { startProxmoxFake } from '../../src/demo/proxmox.ts';
import { NutClient } from '../../src/services/nut/client.ts';
import { startTestApp } from '../support/app-harness.ts';
import { requireBinary, waitFor } from '../support/real-server.ts';
import { DUMMY_UPS_BIN, NUT_PACKAGES, startRealUpsd, UPSD_BIN } from '../support/upsd.ts';

const OL = { 'ups.status': 'OL CHRG', 'battery.charge': '100', 'battery.runtime': '3300', 'input.voltage': '230.1' };
const OB = { ...OL, 'ups.status': 'OB DISCHRG', 'battery.charge': '81', 'battery.runtime': '2400', 'input.voltage': '0' };
const OB_LB = { ...OB, 'ups.status': 'OB DISCHRG LB', 'battery.charge': '17', 'battery.runtime': '240' };

type Step = { phase: string; calls?: string[]; sequence?: string[][]; node?: string; self?: string; detail?: string };

async function run(t: TestContext, dryRun: boolean, apiVersion: 7 | 8 = 7) {
  if (!requireBinary(t, UPSD_BIN, NUT_PACKAGES) || !requireBinary(t, DUMMY_UPS_BIN, NUT_PACKAGES)) return undefined;
  const upsd = await startRealUpsd(OL);
  const pve = await startProxmoxFake({ taskDurationMs: 300, unauthDelayMs: 0, apiVersion });
  const config = {
    console: true,
    nut: { host: upsd.host, port: upsd.port, ups: upsd.ups, pollSeconds: 0.2 },
    proxmox: { url: pve.url, node: pve.node, tokenId: pve.tokenId, tokenSecret: pve.tokenSecret, pollSeconds: 60 },
    alerts: {
      bindings: [{ chat: 'console:main' }],
      powerCut: { enabled: true, dryRun, onBatteryMinutes: 10, shutdownOrder: [101, 100], shutdownNode: true, runsOn: 101 },
    },
  };
  // One database across the restart (the harness keeps a directory it was given).
  const dir = mkdtempSync(join(tmpdir(), 'powercut-'));
  const h = await startTestApp(config, { clock: systemClock, dir });
  const notices = (): { step: Step; sentAt: number | null }[] =>
    (
      h.app.db
        .prepare(
          "SELECT payload, sent_at AS sentAt FROM alert_outbox WHERE json_extract(payload, '$.notice.kind') = 'powercut' ORDER BY id",
        )
        .all() as { payload: string; sentAt: number | null }[]
    ).map((r) => ({ step: JSON.parse(r.payload).notice.step as Step, sentAt: r.sentAt }));
  const restores = (): RestoreReport[] =>
    (
      s.h.app.db
        .prepare("SELECT payload FROM alert_outbox WHERE json_extract(payload, '$.notice.kind') = 'restore' ORDER BY id")
        .pluck()
        .all() as string[]
    ).map((p) => JSON.parse(p).notice.report as RestoreReport);
  const s = {
    upsd,
    pve,
    h,
    config,
    notices,
    restores,
    async close() {
      await s.h.close();
      await pve.close();
      await upsd.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  t.after(() => s.close());
  return s;
}

test('real run: low battery hands the plan to Proxmox; the last message leaves before docker stops, then nas, then the node', async (t) => {
  const s = await run(t, false);
  if (!s) return;
  s.upsd.writeDev(OB);
  await waitFor(() => s.notices().some((n) => n.step.phase === 'armed'), { timeoutMs: 10_000, what: 'armed' });
  s.upsd.writeDev(OB_LB);
  await waitFor(() => s.pve.off, { timeoutMs: 20_000, what: 'node powered off' });
  const handover = s.notices().find((n) => n.step.phase === 'handover');
  assert.ok(handover, 'the last message was queued');
  assert.deepEqual(handover.step.sequence, [['docker (CT 101)'], ['nas (VM 100)']]);
  assert.equal(handover.step.node, 'proxmox1');
  assert.equal(handover.step.self, 'docker (CT 101)');
  const docker = s.pve.guest(101)!;
  const nas = s.pve.guest(100)!;
  assert.equal(docker.startup, 'order=2');
  assert.equal(nas.startup, 'order=1');
  assert.ok(handover.sentAt !== null && handover.sentAt <= docker.stoppedAt!, 'the last word left before the bot’s guest stopped');
  assert.ok(docker.stoppedAt! < nas.stoppedAt!, 'docker stops before the NAS it uses');
  assert.equal(s.pve.nodeShutdowns, 1);
  const stopTasks = s.pve
    .tasks()
    .filter((x) => /shutdown$/.test(x.type))
    .map((x) => `${x.type}:${x.id}`)
    .reverse();
  assert.deepEqual(stopTasks, ['vzshutdown:101', 'qmshutdown:100']);
  const outage = s.h.app.db.prepare('SELECT state, lowest_charge AS charge FROM power_cuts').get() as { state: string; charge: number };
  assert.deepEqual(outage, { state: 'handed-over', charge: 17 });

  // The bot went down with docker. Power returns: the node boots, but the NAS does not come back
  // by itself (onboot off). The bot starts again on the same database and owes a restore report.
  await s.h.close();
  s.pve.guest(100)!.onboot = false;
  s.upsd.writeDev(OL);
  const nut = new NutClient({ host: s.upsd.host, port: s.upsd.port, timeoutMs: 2_000 });
  await waitFor(
    async () => {
      const v = await nut.vars(s.upsd.ups);
      return v.ok && v.value.raw['ups.status'] === 'OL CHRG';
    },
    { timeoutMs: 10_000, what: 'dummy-ups reads the new state' },
  );
  s.pve.powerOn();
  await waitFor(() => s.pve.guest(101)?.status === 'running', { timeoutMs: 10_000, what: 'docker back after boot' });
  assert.equal(s.pve.guest(100)?.status, 'stopped');
  s.h = await startTestApp(s.config, { clock: systemClock, dir: s.h.dir });
  await waitFor(() => s.restores().length > 0, { timeoutMs: 30_000, what: 'restore report' });
  const report = s.restores()[0]!;
  assert.equal(report.lowestCharge, 17);
  assert.equal(report.lowestRuntimeSeconds, 240);
  assert.ok(report.outageEnd > report.outageStart);
  assert.deepEqual(report.sequence, [['docker (CT 101)'], ['nas (VM 100)']]);
  assert.deepEqual(
    report.lines.map((l) => `${l.light}:${l.key.replace('alerts.restore.', '')}:${l.params.guest ?? l.params.node ?? ''}`),
    ['green:nodeUp:proxmox1', 'green:guestStarted:nas (VM 100)', 'green:guestUp:docker (CT 101)'],
  );
  assert.equal(s.pve.guest(100)?.status, 'running', 'the NAS was started after the node gate');
  const state = s.h.app.db.prepare('SELECT state FROM power_cuts').pluck().get();
  assert.equal(state, 'restored', 'one report per outage, even after another restart');
});

test('dry run shows exactly the calls it would make and touches nothing', async (t) => {
  const s = await run(t, true);
  if (!s) return;
  s.upsd.writeDev(OB_LB);
  await waitFor(() => s.notices().some((n) => n.step.phase === 'finished'), { timeoutMs: 20_000, what: 'dry run finished' });
  const done = s.notices().find((n) => n.step.phase === 'finished')!.step;
  assert.deepEqual(done.calls, [
    'PUT /nodes/proxmox1/lxc/101/config startup=order=2',
    'PUT /nodes/proxmox1/qemu/100/config startup=order=1',
    'POST /nodes/proxmox1/status command=shutdown',
  ]);
  assert.equal(s.pve.guest(101)?.status, 'running');
  assert.equal(s.pve.guest(101)?.startup, undefined);
  assert.equal(s.pve.nodeShutdowns, 0);
});
