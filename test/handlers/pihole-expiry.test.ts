/**
 * Temporary allows through the shared deadline worker: a real SQLite file reopened as a
 * "restarted" process would, a hand-moved clock, and the fake Pi-hole. Checks are triggered
 * directly, so "not yet" is as deterministic as "now".
 */
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../src/core/db.ts';
import { ManualClock } from '../../src/core/clock.ts';
import { err, ok, serviceError } from '../../src/core/errors.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { startFakePihole } from '../../src/demo/pihole.ts';
import { PiholeClient } from '../../src/services/pihole/client.ts';
import { DeadlineStore, DeadlineWorker, deadlineMigrations } from '../../src/core/deadlines.ts';
import { TempAllowStore, piholeMigrations, type TempAllow } from '../../src/handlers/pihole/store.ts';
import { tempAllowDeadlines, type TempAllowBackend } from '../../src/handlers/pihole/expiry.ts';
import { TEMP_COMMENT } from '../../src/handlers/pihole/unblock.ts';

const MIN = 60_000;

async function setup(t: TestContext) {
  const dir = mkdtempSync(join(tmpdir(), 'pihole-expiry-'));
  const fake = await startFakePihole({ password: 'pw', seed: false });
  const clock = new ManualClock(Date.UTC(2026, 10, 25, 12, 0, 0));
  const closers: (() => unknown)[] = [];
  /** One "process": its own DB connection, store, client and worker. */
  const boot = () => {
    const db = openDatabase(join(dir, 'bot.db'), [...deadlineMigrations, ...piholeMigrations]);
    const deadlines = new DeadlineStore(db);
    const store = new TempAllowStore(deadlines);
    const client = new PiholeClient({ baseUrl: fake.url, password: 'pw' });
    const backend: TempAllowBackend = {
      remove: (d) => client.removeDomain('allow', 'exact', d),
      add: (d) => client.addDomain('allow', 'exact', d, TEMP_COMMENT),
      allowed: () => client.listDomains('allow', 'exact'),
    };
    const expired: TempAllow[] = [];
    const makeWorker = (b: TempAllowBackend, onExpired: (e: TempAllow) => void) => {
      const w = new DeadlineWorker(deadlines, clock, silentLogger());
      w.register(tempAllowDeadlines(b, onExpired));
      closers.push(() => w.stop());
      return w;
    };
    const worker = makeWorker(backend, (e) => expired.push(e));
    const stop = async () => {
      await worker.stop();
      await client.close();
      db.close();
    };
    closers.push(stop);
    return { db, deadlines, store, client, backend, worker, makeWorker, expired, stop };
  };
  t.after(async () => {
    for (const c of closers) await Promise.resolve(c()).catch(() => undefined);
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const allowed = (d: string): boolean => fake.domains().some((x) => x.domain === d && x.type === 'allow');
  return { fake, clock, boot, allowed };
}

const entry = (domain: string, expiresAt: number): TempAllow => ({
  domain,
  display: domain,
  expiresAt,
  chat: 'telegram:3001',
  requestedBy: 'telegram:3001',
});

describe('temporary allow expiry', () => {
  test('survives a restart: not removed before its time, removed after, told once', async (t) => {
    const { clock, boot, allowed } = await setup(t);
    const a = boot();
    await a.client.addDomain('allow', 'exact', 'links.newsletter.example');
    a.store.put(entry('links.newsletter.example', clock.now() + 60 * MIN), clock.now());
    await a.stop();

    clock.advance(30 * MIN);
    const b = boot();
    await b.worker.check();
    assert.ok(allowed('links.newsletter.example'), 'still allowed half-way');
    assert.deepEqual(b.expired, []);
    await b.stop();

    clock.advance(31 * MIN);
    const c = boot();
    await c.worker.check();
    assert.ok(!allowed('links.newsletter.example'), 'removed after expiry');
    assert.deepEqual(c.store.all(), []);
    assert.deepEqual(
      c.expired.map((e) => e.domain),
      ['links.newsletter.example'],
    );
    await c.worker.check();
    assert.equal(c.expired.length, 1, 'told once');
  });

  test('start() checks at once (expired while the bot was down)', async (t) => {
    const { clock, boot, allowed } = await setup(t);
    const a = boot();
    await a.client.addDomain('allow', 'exact', 'down.example');
    a.store.put(entry('down.example', clock.now() + MIN), clock.now());
    clock.advance(2 * MIN);
    a.worker.start();
    await a.worker.stop(); // waits for the start-up check in flight
    assert.ok(!allowed('down.example'));
  });

  test('Pi-hole unreachable at expiry: kept, retried after a minute, then removed', async (t) => {
    const { clock, boot, fake, allowed } = await setup(t);
    const a = boot();
    await a.client.addDomain('allow', 'exact', 'retry.example');
    a.store.put(entry('retry.example', clock.now() + MIN), clock.now());
    clock.advance(2 * MIN);
    fake.failNext({ status: 503, body: '', path: '/api/domains' });
    await a.worker.check();
    assert.ok(allowed('retry.example'));
    assert.equal(a.store.all().length, 1, 'deadline kept');
    clock.advance(30_000);
    await a.worker.check();
    assert.ok(allowed('retry.example'), 'no hammering before the retry time');
    clock.advance(31_000);
    await a.worker.check();
    assert.ok(!allowed('retry.example'));
    assert.equal(a.expired.length, 1);
  });

  test('an entry someone already removed in Pi-hole just ends', async (t) => {
    const { clock, boot } = await setup(t);
    const a = boot();
    a.store.put(entry('gone.example', clock.now() + MIN), clock.now());
    clock.advance(2 * MIN);
    await a.worker.check();
    assert.deepEqual(a.store.all(), []);
    assert.equal(a.expired.length, 1);
  });

  test('extended while being removed: the entry goes back and the new deadline stands', async (t) => {
    const { clock, boot, allowed } = await setup(t);
    const a = boot();
    await a.client.addDomain('allow', 'exact', 'race.example');
    a.store.put(entry('race.example', clock.now() + MIN), clock.now());
    clock.advance(2 * MIN);
    const later = clock.now() + 60 * MIN;
    const worker = a.makeWorker(
      {
        ...a.backend,
        remove: async (d) => {
          a.store.put(entry(d, later), clock.now()); // someone ran /unblock again meanwhile
          return a.client.removeDomain('allow', 'exact', d);
        },
      },
      () => assert.fail('must not report expiry'),
    );
    await worker.check();
    assert.ok(allowed('race.example'), 'put back');
    assert.equal(a.store.get('race.example')?.expiresAt, later);
  });

  test('failure paths use results, never throws', async (t) => {
    const { clock, boot } = await setup(t);
    const a = boot();
    a.store.put(entry('x.example', clock.now()), clock.now());
    const worker = a.makeWorker(
      { remove: async () => err(serviceError('pihole', 'unreachable', 'down')), add: async () => ok(true), allowed: async () => ok([]) },
      () => undefined,
    );
    await worker.check();
    assert.equal(a.store.all().length, 1);
  });
});

describe('an /unblock a crash interrupted (intent recorded, allow maybe added)', () => {
  const intent = (a: { store: TempAllowStore }, domain: string, at: number, now: number): void => {
    a.store.intend(entry(domain, at), now); // the process dies here: never confirmed nor abandoned
  };

  test('the allow was added: the deadline stands and the entry is removed on time', async (t) => {
    const { clock, boot, allowed } = await setup(t);
    const a = boot();
    intent(a, 'added.example', clock.now() + 30 * MIN, clock.now());
    await a.client.addDomain('allow', 'exact', 'added.example', `${TEMP_COMMENT} until later`);
    await a.stop();

    const b = boot();
    await b.worker.check();
    assert.equal(b.deadlines.get('pihole-allow', 'added.example')?.phase, 'active');
    assert.ok(allowed('added.example'), 'not before its time');
    clock.advance(31 * MIN);
    await b.worker.check();
    assert.ok(!allowed('added.example'), 'removed on time');
    assert.deepEqual(b.store.all(), []);
  });

  test('the allow never reached Pi-hole: the intent is dropped', async (t) => {
    const { clock, boot } = await setup(t);
    const a = boot();
    intent(a, 'never.example', clock.now() + 30 * MIN, clock.now());
    await a.stop();
    const b = boot();
    await b.worker.check();
    assert.deepEqual(b.store.all(), []);
  });

  test('someone else allows it for good: reconciliation never takes their entry away', async (t) => {
    const { clock, boot, allowed } = await setup(t);
    const a = boot();
    await a.client.addDomain('allow', 'exact', 'forgood.example', 'added by hand');
    intent(a, 'forgood.example', clock.now() + MIN, clock.now());
    await a.stop();
    clock.advance(2 * MIN);
    const b = boot();
    await b.worker.check();
    await b.worker.check();
    assert.ok(allowed('forgood.example'));
    assert.deepEqual(b.store.all(), []);
  });

  test('Pi-hole down at start-up: the intent waits, then resolves', async (t) => {
    const { clock, boot, fake, allowed } = await setup(t);
    const a = boot();
    intent(a, 'later.example', clock.now() + MIN, clock.now());
    await a.client.addDomain('allow', 'exact', 'later.example', TEMP_COMMENT);
    await a.stop();
    clock.advance(2 * MIN);
    const b = boot();
    fake.failNext({ status: 503, body: '', path: '/api/domains' });
    await b.worker.check();
    assert.equal(b.deadlines.get('pihole-allow', 'later.example')?.phase, 'intent', 'kept, unresolved');
    assert.ok(allowed('later.example'));
    clock.advance(61_000);
    await b.worker.check();
    assert.ok(!allowed('later.example'), 'reconciled as applied, then expired');
  });

  test('a running command’s intent is not touched by the worker', async (t) => {
    const { clock, boot } = await setup(t);
    const a = boot();
    const pending = a.store.intend(entry('inflight.example', clock.now() + MIN), clock.now());
    await a.worker.check();
    assert.equal(a.deadlines.get('pihole-allow', 'inflight.example')?.phase, 'intent');
    pending.confirm();
    assert.equal(a.deadlines.get('pihole-allow', 'inflight.example')?.phase, 'active');
  });
});
