import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NutClient } from '../../src/services/nut/client.ts';
import { requireBinary, waitFor } from '../support/real-server.ts';
import { DUMMY_UPS_BIN, NUT_PACKAGES, startRealUpsd, UPSD_BIN, type RealUpsd } from '../support/upsd.ts';

const ONLINE = {
  'ups.status': 'OL CHRG',
  'battery.charge': '87',
  'battery.runtime': '1620',
  'input.voltage': '229.8',
  'ups.load': '23',
  'ups.mfr': 'PowerWalker',
  'ups.model': 'VI 1000 STL',
};

test('NutClient against a real upsd + dummy-ups', async (t) => {
  if (!requireBinary(t, UPSD_BIN, NUT_PACKAGES) || !requireBinary(t, DUMMY_UPS_BIN, NUT_PACKAGES)) return;
  const upsd: RealUpsd = await startRealUpsd(ONLINE);
  t.after(() => upsd.close());
  const client = new NutClient({ host: upsd.host, port: upsd.port, timeoutMs: 3000, username: 'botuser', password: 'botpass' });
  await waitFor(
    async () => {
      const r = await client.vars(upsd.ups);
      return r.ok && r.value.status.has('OL');
    },
    { timeoutMs: 15_000, what: 'upsd serving the dummy UPS' },
  );

  await t.test('LIST UPS names the dummy UPS with its description', async () => {
    const r = await client.listUps();
    assert.deepEqual(r, { ok: true, value: [{ name: 'fakeups', description: 'Fake UPS for bot tests' }] });
  });

  await t.test('LIST VAR is typed', async () => {
    const r = await client.vars(upsd.ups);
    assert.ok(r.ok, JSON.stringify(r));
    assert.equal(r.value.charge, 87);
    assert.equal(r.value.runtimeSeconds, 1620);
    assert.equal(r.value.load, 23);
    assert.equal(r.value.inputVoltage, 229.8);
    assert.equal(r.value.model, 'PowerWalker VI 1000 STL');
  });

  await t.test('a .dev change shows up (OL → OB LB)', async () => {
    upsd.writeDev({ ...ONLINE, 'ups.status': 'OB LB', 'battery.charge': '15' });
    const s = await waitFor(
      async () => {
        const r = await client.vars(upsd.ups);
        return r.ok && r.value.status.has('LB') ? r.value : undefined;
      },
      { timeoutMs: 10_000, what: 'OB LB' },
    );
    assert.equal(s.charge, 15);
    upsd.writeDev(ONLINE);
  });

  await t.test('an unknown UPS is rejected (ERR UNKNOWN-UPS)', async () => {
    const r = await client.vars('nosuch');
    assert.ok(!r.ok);
    assert.equal(r.error.kind, 'rejected');
    assert.match(r.error.detail, /UNKNOWN-UPS/);
  });

  // Last: stops the driver.
  await t.test('a stopped driver is unreachable (ERR DRIVER-NOT-CONNECTED)', async () => {
    await upsd.stopDriver();
    const e = await waitFor(
      async () => {
        const r = await client.vars(upsd.ups);
        return r.ok ? undefined : r.error;
      },
      { timeoutMs: 10_000, what: 'driver failure' },
    );
    assert.equal(e.kind, 'unreachable');
    assert.match(e.detail, /DRIVER-NOT-CONNECTED|DATA-STALE/);
  });
});
