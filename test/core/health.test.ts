/** /healthz judgement: each adapter state, the down-threshold, the outbox age threshold, the database. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assessHealth, type HealthFacts, type LinkFacts } from '../../src/core/health.ts';
import { ManualClock } from '../../src/core/clock.ts';

const T = { adapterDownMs: 300_000, oldestPendingMs: 900_000 };

function facts(
  clock: ManualClock,
  links: Record<string, LinkFacts>,
  outbox: HealthFacts['outbox'] = { pending: 0, oldestMs: null },
): HealthFacts {
  return { now: clock.now(), links, outbox, databaseWritable: true };
}

test('connected → reconnecting (healthy within the threshold, 503 past it) → connected again', () => {
  const clock = new ManualClock();
  const t0 = clock.now();
  let body = assessHealth(facts(clock, { telegram: { state: { kind: 'connected', since: t0 }, lastOkAt: t0 } }), T);
  assert.equal(body.ok, true);
  assert.deepEqual(body.adapters['telegram'], {
    state: 'connected',
    since: new Date(t0).toISOString(),
    sinceSeconds: 0,
    lastOkSecondsAgo: 0,
  });

  clock.advance(10_000);
  const down = { state: { kind: 'reconnecting', since: clock.now(), reason: 'network error (ECONNRESET)' }, lastOkAt: t0 } as const;
  clock.advance(299_000);
  body = assessHealth(facts(clock, { telegram: down }), T);
  assert.equal(body.ok, true, 'a short outage is not yet a failure');
  assert.equal(body.adapters['telegram']?.state, 'reconnecting');
  assert.equal(body.adapters['telegram']?.reason, 'network error (ECONNRESET)');
  assert.equal(body.adapters['telegram']?.lastOkSecondsAgo, 309);

  clock.advance(2000);
  body = assessHealth(facts(clock, { telegram: down }), T);
  assert.equal(body.ok, false);
  assert.deepEqual(body.problems, ['telegram down for 301 s']);

  body = assessHealth(facts(clock, { telegram: { state: { kind: 'connected', since: clock.now() }, lastOkAt: clock.now() } }), T);
  assert.equal(body.ok, true);
});

test('a rejected token is unhealthy at once; a first connection still pending is not', () => {
  const clock = new ManualClock();
  const failed = {
    state: { kind: 'failed', since: clock.now(), reason: 'the platform rejected the bot token' },
    lastOkAt: undefined,
  } as const;
  const body = assessHealth(facts(clock, { discord: failed }), T);
  assert.equal(body.ok, false);
  assert.deepEqual(body.problems, ['discord failed: the platform rejected the bot token']);
  assert.equal(body.adapters['discord']?.lastOkSecondsAgo, null);
  assert.equal(
    assessHealth(facts(clock, { discord: { state: { kind: 'connecting', since: clock.now() }, lastOkAt: undefined } }), T).ok,
    true,
  );
});

test('the oldest pending alert past its threshold and an unwritable database make it 503', () => {
  const clock = new ManualClock();
  const ok = { telegram: { state: { kind: 'connected', since: clock.now() }, lastOkAt: clock.now() } } as const;
  let body = assessHealth(facts(clock, ok, { pending: 3, oldestMs: 900_000 }), T);
  assert.equal(body.ok, true);
  assert.deepEqual(body.outbox, { pending: 3, oldestPendingSeconds: 900 });
  body = assessHealth(facts(clock, ok, { pending: 3, oldestMs: 900_001 }), T);
  assert.deepEqual(body.problems, ['oldest pending alert waiting 900 s']);
  body = assessHealth({ ...facts(clock, ok), databaseWritable: false }, T);
  assert.equal(body.ok, false);
  assert.equal(body.database, 'not writable');
});
