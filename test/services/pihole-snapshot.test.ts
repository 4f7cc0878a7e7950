import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startFakePihole } from '../../src/demo/pihole.ts';
import { PiholeClient } from '../../src/services/pihole/client.ts';
import { piholeFetcher, createPiholePoller, type PiholeSnapshot } from '../../src/services/pihole/poller.ts';
import { piholeConditions, PIHOLE_ALERT_KEYS, PIHOLE_RESUME_COMMAND } from '../../src/services/pihole/alerts.ts';
import { ManualClock } from '../../src/core/clock.ts';
import { silentLogger } from '../../src/core/logger.ts';

const summary = {
  queriesTotal: 100,
  queriesBlocked: 10,
  percentBlocked: 10,
  uniqueDomains: 20,
  clientsActive: 3,
  clientsTotal: 4,
  gravityDomains: 1000,
  gravityUpdatedAt: null,
};
const snap = (state: PiholeSnapshot['blocking']['state'], timerSec: number | null = null): PiholeSnapshot => ({
  blocking: { state, timerSec },
  summary,
});

describe('Pi-hole snapshot fetch', () => {
  test('one refresh: blocking, summary and top lists, one login', async (t) => {
    const fake = await startFakePihole({ password: 'pw' });
    const client = new PiholeClient({ baseUrl: fake.url, password: 'pw' });
    t.after(async () => {
      await client.close();
      await fake.close();
    });
    const r = await piholeFetcher(client, { top: 3 })();
    assert.ok(r.ok);
    assert.equal(r.value.blocking.state, 'enabled');
    assert.ok(r.value.summary.queriesTotal > 0);
    assert.equal(r.value.topBlocked?.length, 3);
    assert.equal(r.value.topClients?.length, 3);
    assert.equal(r.value.topError, undefined);
    assert.equal(fake.loginCount(), 1);
  });

  test('a failing top list only blanks its part; a failing summary fails the refresh', async (t) => {
    const fake = await startFakePihole({ password: 'pw' });
    const client = new PiholeClient({ baseUrl: fake.url, password: 'pw' });
    t.after(async () => {
      await client.close();
      await fake.close();
    });
    await client.blockingStatus();
    fake.failNext({ status: 500, body: '', path: '/api/stats/top_clients' });
    const partial = await piholeFetcher(client)();
    assert.ok(partial.ok);
    assert.equal(partial.value.topBlocked, undefined);
    assert.equal(partial.value.topError?.kind, 'protocol');
    fake.failNext({ status: 500, body: '', path: '/api/stats/summary' });
    const failed = await piholeFetcher(client)();
    assert.equal(failed.ok, false);
  });

  test('the poller serves the snapshot to commands', async (t) => {
    const fake = await startFakePihole({ password: 'pw' });
    const client = new PiholeClient({ baseUrl: fake.url, password: 'pw' });
    t.after(async () => {
      await client.close();
      await fake.close();
    });
    const poller = createPiholePoller(client, { intervalMs: 60_000, clock: new ManualClock(), log: silentLogger() });
    const s = await poller.refresh();
    assert.equal(s.status, 'ok');
  });
});

describe('Pi-hole rules', () => {
  test('blocking enabled: nothing', () => assert.deepEqual(piholeConditions(snap('enabled')), []));

  test('blocking disabled: info with a hold and a resume button', () => {
    const [c, ...rest] = piholeConditions(snap('disabled', 600), { disabledHoldMs: 45 * 60_000 });
    assert.deepEqual(rest, []);
    assert.equal(c?.key, 'pihole:blocking_disabled');
    assert.equal(c?.severity, 'info');
    assert.equal(c?.source, 'dns');
    assert.equal(c?.holdMs, 45 * 60_000, 'the engine raises it only after it held that long');
    assert.deepEqual(c?.params, { minutes: 45 });
    assert.equal(c?.summaryKey, PIHOLE_ALERT_KEYS.blockingDisabled);
    assert.equal(c?.action?.command, PIHOLE_RESUME_COMMAND);
    assert.equal(c?.dependsOn, 'pihole');
  });

  test('default hold is 30 minutes; backend name is configurable', () => {
    const [c] = piholeConditions(snap('disabled'), { backend: 'pihole2' });
    assert.equal(c?.holdMs, 30 * 60_000);
    assert.equal(c?.key, 'pihole2:blocking_disabled');
  });

  test('blocking failed: warning', () => {
    const cs = piholeConditions(snap('failed'));
    assert.deepEqual(
      cs.map((c) => [c.key, c.severity]),
      [['pihole:blocking_failed', 'warning']],
    );
  });

  test('unknown state: nothing (no guessing)', () => assert.deepEqual(piholeConditions(snap('unknown')), []));
});
