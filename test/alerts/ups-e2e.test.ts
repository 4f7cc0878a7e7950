import { test } from 'node:test';
import assert from 'node:assert/strict';
import { systemClock } from '../../src/core/clock.ts';
import { openDatabase } from '../../src/core/db.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { connectFeed } from '../../src/alerts/feed.ts';
import { alertMigrations } from '../../src/alerts/migrations.ts';
import { OutboxWorker } from '../../src/alerts/worker.ts';
import { AlertService } from '../../src/alerts/service.ts';
import { upsConditions } from '../../src/services/nut/alerts.ts';
import { NutClient } from '../../src/services/nut/client.ts';
import { createNutPoller } from '../../src/services/nut/poller.ts';
import { requireBinary, waitFor } from '../support/real-server.ts';
import { DUMMY_UPS_BIN, NUT_PACKAGES, startRealUpsd, UPSD_BIN } from '../support/upsd.ts';

const OL = { 'ups.status': 'OL CHRG', 'battery.charge': '100', 'battery.runtime': '3300', 'ups.load': '18', 'input.voltage': '230.1' };
const OB = { ...OL, 'ups.status': 'OB DISCHRG', 'battery.charge': '91', 'battery.runtime': '2900', 'input.voltage': '0' };
const OB_LB = { ...OB, 'ups.status': 'OB DISCHRG LB', 'battery.charge': '12', 'battery.runtime': '180' };

test('real upsd: OL → OB → OB LB → OL becomes raise/raise/resolve/resolve, in order, within seconds', async (t) => {
  if (!requireBinary(t, UPSD_BIN, NUT_PACKAGES) || !requireBinary(t, DUMMY_UPS_BIN, NUT_PACKAGES)) return;
  const upsd = await startRealUpsd(OL);
  t.after(() => upsd.close());
  const db = openDatabase(':memory:', alertMigrations);
  const log = silentLogger();
  const service = new AlertService({
    db,
    clock: systemClock,
    log,
    bindings: [{ destination: 'telegram:100' }, { destination: 'discord:200', minSeverity: 'critical' }],
  });
  const client = new NutClient({ host: upsd.host, port: upsd.port, timeoutMs: 2000 });
  const poller = createNutPoller(client, upsd.ups, systemClock, log, 200);
  connectFeed(poller, { backend: 'nut', rules: (s) => upsConditions(s) }, service, log, () => systemClock.now());
  const delivered: { destination: string; text: string; at: number }[] = [];
  const worker = new OutboxWorker({
    db,
    clock: systemClock,
    log,
    groupWindowMs: 0,
    idleMs: 50,
    render: (p) => ({
      blocks: [{ kind: 'text', text: p.type === 'alert' ? `${p.event.kind}:${p.event.alert.key}:${p.event.alert.params.charge}` : p.type }],
    }),
    deliver: async (destination, m) => {
      delivered.push({ destination, text: m.blocks[0]?.kind === 'text' ? m.blocks[0].text : '', at: Date.now() });
      return { ok: true, ref: String(delivered.length) };
    },
  });
  worker.start();
  poller.start();
  t.after(async () => {
    await poller.stop();
    await worker.stop();
    db.close();
  });
  await waitFor(() => poller.snapshot.status === 'ok' && poller.snapshot.value.status.has('OL'), {
    timeoutMs: 15_000,
    what: 'first poll on mains',
  });
  assert.equal(service.outbox.list().length, 0, 'the starting state raises nothing');

  const flip = async (vars: Record<string, string>, count: number, what: string) => {
    const t0 = Date.now();
    upsd.writeDev(vars);
    await waitFor(() => delivered.filter((d) => d.destination === 'telegram:100').length >= count, { timeoutMs: 15_000, what });
    return Date.now() - t0;
  };
  const latencies = [await flip(OB, 1, 'on battery'), await flip(OB_LB, 2, 'low battery'), await flip(OL, 4, 'back on mains')];
  const chat = delivered.filter((d) => d.destination === 'telegram:100').map((d) => d.text);
  assert.deepEqual(chat, [
    'raise:ups:fakeups:on_battery:91',
    'raise:ups:fakeups:low_battery:12',
    'resolve:ups:fakeups:on_battery:12',
    'resolve:ups:fakeups:low_battery:12',
  ]);
  assert.deepEqual(
    delivered.filter((d) => d.destination === 'discord:200').map((d) => d.text),
    chat,
    'critical-only binding gets the same power messages',
  );
  for (const ms of latencies) assert.ok(ms < 6000, `alert delivered ${ms} ms after the UPS changed`);
  const rows = service.outbox.list(['sent']);
  assert.equal(rows.length, 8);
  assert.ok(rows.every((r) => r.status === 'sent' && r.ref));
  assert.deepEqual(service.active(), []);
  const resolve = rows.find((r) => r.payload.type === 'alert' && r.payload.event.kind === 'resolve');
  assert.ok(resolve?.payload.type === 'alert' && (resolve.payload.event.durationMs ?? 0) > 0);
  t.diagnostic(`latencies ms: ${latencies.join(', ')}`);
});
