/**
 * The whole bot on a Raspberry Pi outside the node: a real upsd + dummy-ups, the Proxmox fake
 * and the strict RouterOS fake. Low battery hands the plan to Proxmox and the node powers off;
 * the bot stays up. Mains returns, the node stays off, the router wakes it (`/tool/wol`, the
 * fake powers the Proxmox fake on), and the restore report says it was woken. The plan's calls,
 * the wake and the guests' starts are each audited (system:power-cut, system:power-restore).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { systemClock } from '../../src/core/clock.ts';
import type { RestoreReport } from '../../src/alerts/restore.ts';
import { startProxmoxFake } from '../../src/demo/proxmox.ts';
import { FAKE_ROUTER_USERS, startRouterOsFake } from '../../src/demo/routeros.ts';
import { startTestApp } from '../support/app-harness.ts';
import { requireBinary, waitFor } from '../support/real-server.ts';
import { DUMMY_UPS_BIN, NUT_PACKAGES, startRealUpsd, UPSD_BIN } from '../support/upsd.ts';

const OL = { 'ups.status': 'OL CHRG', 'battery.charge': '100', 'battery.runtime': '3300', 'input.voltage': '230.1' };
const OB_LB = { ...OL, 'ups.status': 'OB DISCHRG LB', 'battery.charge': '17', 'battery.runtime': '240', 'input.voltage': '0' };
const NODE_MAC = '00:00:5E:00:53:10';

test('a bot outside the node wakes it through the router after a power cut, once, and the report says so', async (t) => {
  if (!requireBinary(t, UPSD_BIN, NUT_PACKAGES) || !requireBinary(t, DUMMY_UPS_BIN, NUT_PACKAGES)) return;
  const upsd = await startRealUpsd(OL);
  t.after(() => upsd.close());
  const pve = await startProxmoxFake({ taskDurationMs: 300, unauthDelayMs: 0 });
  t.after(() => pve.close());
  // The node's card hears the magic packet: the fake router powers the fake node on.
  const router = await startRouterOsFake({ onWake: (w) => w.mac === NODE_MAC && pve.powerOn() });
  t.after(() => router.close());
  const admin = FAKE_ROUTER_USERS[0]!;
  const h = await startTestApp(
    {
      console: true,
      nut: { host: upsd.host, port: upsd.port, ups: upsd.ups, pollSeconds: 0.2 },
      proxmox: { url: pve.url, node: pve.node, tokenId: pve.tokenId, tokenSecret: pve.tokenSecret, pollSeconds: 60 },
      router: { url: router.url, username: admin.name, password: admin.password, pollSeconds: 60 },
      alerts: {
        bindings: [{ chat: 'console:main' }],
        powerCut: {
          enabled: true,
          dryRun: false,
          runsOn: 'outside',
          shutdownOrder: [101, 100],
          shutdownNode: true,
          restore: {
            onMainsMinutes: 0,
            guestTimeoutSeconds: 30,
            wakeOnLan: { mac: NODE_MAC, interface: 'bridge', afterMinutesOnMains: 0, bootTimeoutMinutes: 1 },
          },
        },
      },
    },
    { clock: systemClock },
  );
  t.after(() => h.close());
  const restores = (): RestoreReport[] =>
    (
      h.app.db
        .prepare("SELECT payload FROM alert_outbox WHERE json_extract(payload, '$.notice.kind') = 'restore' ORDER BY id")
        .pluck()
        .all() as string[]
    ).map((p) => JSON.parse(p).notice.report as RestoreReport);

  upsd.writeDev(OB_LB);
  await waitFor(() => pve.off, { timeoutMs: 20_000, what: 'node powered off' });
  assert.equal(router.wakes.length, 0, 'nothing is woken on battery');
  upsd.writeDev(OL);
  await waitFor(() => restores().length > 0, { timeoutMs: 40_000, what: 'restore report' });
  assert.deepEqual(
    router.wakes.map((w) => [w.mac, w.interface]),
    [[NODE_MAC, 'bridge']],
    'one packet, to the node, through the configured interface',
  );
  const report = restores()[0]!;
  assert.equal(report.lines[0]?.key, 'alerts.restore.nodeWoken');
  assert.equal(report.lines[0]?.light, 'green');
  assert.equal(report.lines[0]?.params.node, 'proxmox1');
  assert.ok(
    report.lines.every((l) => l.light === 'green'),
    JSON.stringify(report.lines),
  );
  const wake = h.app.db.prepare("SELECT identity, result FROM audit_log WHERE command = 'wake'").all();
  assert.deepEqual(wake, [{ identity: 'system:power-restore', result: 'ok' }], 'the automatic wake is audited');
  // Every hypervisor change the bot made by itself is audited, in the order it was made.
  const power = (
    h.app.db
      .prepare(
        "SELECT identity, command, args, result FROM audit_log WHERE identity LIKE 'system:power-%' AND command <> 'wake' ORDER BY id",
      )
      .all() as { identity: string; command: string; args: string; result: string }[]
  ).map((r) => [r.identity, r.command, JSON.parse(r.args) as Record<string, string>, r.result]);
  assert.deepEqual(power, [
    ['system:power-cut', 'power-plan', { call: 'PUT /nodes/proxmox1/lxc/101/config startup=order=2' }, 'ok'],
    ['system:power-cut', 'power-plan', { call: 'PUT /nodes/proxmox1/qemu/100/config startup=order=1' }, 'ok'],
    ['system:power-cut', 'power-plan', { call: 'POST /nodes/proxmox1/status command=shutdown' }, 'ok'],
    ['system:power-restore', 'start', { targets: '100' }, 'ok'],
    ['system:power-restore', 'start', { targets: '101' }, 'ok'],
  ]);
  const sent = h.app.db.prepare('SELECT wake_sent_at FROM power_cuts').pluck().get();
  assert.equal(typeof sent, 'number', 'the journal holds the wake');
});
