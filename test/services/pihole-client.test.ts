import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { startFakePihole } from '../../src/demo/pihole.ts';
import { PiholeClient, BLOCKED_STATUSES } from '../../src/services/pihole/client.ts';
import type { ServiceError } from '../../src/core/errors.ts';

const PASSWORD = 'correct horse battery staple';

/** A fake with a hand-moved clock, and a client for it. */
async function setup(t: TestContext | undefined, opts: Parameters<typeof startFakePihole>[0] = {}) {
  let now = Date.UTC(2026, 10, 25, 12, 0, 0);
  const fake = await startFakePihole({ password: PASSWORD, now: () => now, ...opts });
  const client = new PiholeClient({ baseUrl: fake.url, password: opts.password ?? PASSWORD, timeoutMs: 3000 });
  const done = async (): Promise<void> => {
    await client.close();
    await fake.close();
  };
  // Cleanup runs even when an assertion fails half-way (close() is idempotent).
  t?.after(done);
  return {
    fake,
    client,
    advance: (sec: number) => {
      now += sec * 1000;
    },
    done,
  };
}

function unwrap<T>(r: { ok: true; value: T } | { ok: false; error: ServiceError }): T {
  if (!r.ok) throw new Error(`expected success, got ${JSON.stringify(r.error)}`);
  return r.value;
}

function failure(r: { ok: boolean; error?: ServiceError }): ServiceError {
  assert.equal(r.ok, false, 'expected a failure');
  return r.error!;
}

describe('PiholeClient sessions', () => {
  test('reuses one SID for many calls and logs out on close', async (t) => {
    const s = await setup(t);
    unwrap(await s.client.blockingStatus());
    unwrap(await s.client.summary());
    unwrap(await s.client.topBlocked());
    assert.equal(s.fake.loginCount(), 1);
    assert.equal(s.client.loginCount, 1);
    assert.equal(s.fake.sessionCount(), 1);
    await s.client.close();
    assert.equal(s.fake.sessionCount(), 0, 'close() gives the seat back');
    const after = failure(await s.client.summary());
    assert.equal(after.kind, 'rejected');
    assert.equal(s.fake.loginCount(), 1, 'a closed client does not log in again');
    await s.fake.close();
  });

  test('concurrent first calls share one login', async (t) => {
    const s = await setup(t);
    const results = await Promise.all([s.client.summary(), s.client.blockingStatus(), s.client.topClients(), s.client.recentBlocked()]);
    for (const r of results) unwrap(r as never);
    assert.equal(s.fake.loginCount(), 1);
    await s.done();
  });

  test('each call extends the session; after the timeout it logs in again transparently', async (t) => {
    const s = await setup(t, { sessionTimeoutSec: 1800 });
    unwrap(await s.client.blockingStatus());
    s.advance(1700);
    unwrap(await s.client.blockingStatus());
    s.advance(1700);
    unwrap(await s.client.blockingStatus());
    assert.equal(s.fake.loginCount(), 1, 'sliding validity kept the session alive');
    s.advance(1801);
    unwrap(await s.client.blockingStatus());
    assert.equal(s.fake.loginCount(), 2, 'expired session replaced by a new login');
    assert.equal(s.fake.sessionCount(), 1);
    await s.done();
  });

  test('a session revoked on the Pi-hole is renewed on the 401', async (t) => {
    const s = await setup(t);
    unwrap(await s.client.summary());
    s.fake.expireSessions();
    const sum = unwrap(await s.client.summary());
    assert.ok(sum.queriesTotal > 0);
    assert.equal(s.fake.loginCount(), 2);
    await s.done();
  });

  test('all seats in use: a clear rejected error, no retry storm', async (t) => {
    const s = await setup(t, { maxSessions: 4 });
    s.fake.occupyAllSeats();
    const e = failure(await s.client.summary());
    assert.equal(e.kind, 'rejected');
    assert.equal(e.status, 429);
    assert.match(e.detail, /all API sessions are in use/);
    assert.equal(s.fake.requests.filter((r) => r.path === '/api/auth').length, 1);
    s.fake.expireSessions();
    unwrap(await s.client.summary());
    await s.done();
  });

  test('login rate limiting is reported as rejected, not as bad credentials', async (t) => {
    const s = await setup(t);
    s.fake.setLoginRateLimited(true);
    const e = failure(await s.client.blockingStatus());
    assert.equal(e.kind, 'rejected');
    assert.match(e.detail, /too many/);
    await s.done();
  });

  test('wrong password is an auth error that does not echo the password', async () => {
    let t = Date.now();
    const fake = await startFakePihole({ password: PASSWORD, now: () => t });
    const client = new PiholeClient({ baseUrl: fake.url, password: 'hunter2-wrong-password' });
    const e = failure(await client.summary());
    assert.equal(e.kind, 'auth');
    assert.doesNotMatch(JSON.stringify(e), /hunter2|correct horse/);
    t += 1;
    await client.close();
    await fake.close();
  });

  test('a Pi-hole without password works without SID', async (t) => {
    const s = await setup(t, { password: '' });
    const b = unwrap(await s.client.blockingStatus());
    assert.equal(b.state, 'enabled');
    await s.done();
  });

  test('connection refused is unreachable', async () => {
    const port = await new Promise<number>((resolve) => {
      const srv = createServer();
      srv.listen(0, '127.0.0.1', () => {
        const p = (srv.address() as { port: number }).port;
        srv.close(() => resolve(p));
      });
    });
    const client = new PiholeClient({ baseUrl: `http://127.0.0.1:${port}`, password: PASSWORD, timeoutMs: 2000 });
    const e = failure(await client.summary());
    assert.equal(e.kind, 'unreachable');
    await client.close();
  });
});

describe('PiholeClient blocking and stats', () => {
  let s: Awaited<ReturnType<typeof setup>>;
  before(async () => {
    s = await setup(undefined);
  });
  after(async () => {
    await s.done();
  });

  test('pause with a timer flips back by itself', async () => {
    const paused = unwrap(await s.client.setBlocking(false, 300));
    assert.equal(paused.state, 'disabled');
    assert.equal(paused.timerSec, 300);
    s.advance(120);
    assert.equal(unwrap(await s.client.blockingStatus()).timerSec, 180);
    s.advance(181);
    const back = unwrap(await s.client.blockingStatus());
    assert.deepEqual(back, { state: 'enabled', timerSec: null });
  });

  test('resume without timer is permanent', async () => {
    unwrap(await s.client.setBlocking(false));
    assert.deepEqual(unwrap(await s.client.blockingStatus()), { state: 'disabled', timerSec: null });
    assert.deepEqual(unwrap(await s.client.setBlocking(true)), { state: 'enabled', timerSec: null });
  });

  test('bad timers are refused before any request', async () => {
    const before = s.fake.requests.length;
    for (const t of [0, -5, 1.5, Number.NaN, 8 * 24 * 3600]) {
      assert.equal(failure(await s.client.setBlocking(false, t)).kind, 'rejected');
    }
    assert.equal(s.fake.requests.length, before);
  });

  test('summary numbers are consistent', async () => {
    const sum = unwrap(await s.client.summary());
    assert.ok(sum.queriesTotal > 0);
    assert.ok(sum.queriesBlocked > 0 && sum.queriesBlocked < sum.queriesTotal);
    assert.ok(Math.abs(sum.percentBlocked - (100 * sum.queriesBlocked) / sum.queriesTotal) < 0.1);
    assert.ok(sum.clientsActive > 0 && sum.clientsActive <= sum.clientsTotal);
    assert.ok(sum.gravityUpdatedAt !== null && sum.gravityUpdatedAt < Date.UTC(2026, 10, 25, 12, 0, 0));
  });

  test('top blocked is sorted and limited; top clients carry names', async () => {
    const top = unwrap(await s.client.topBlocked(3));
    assert.equal(top.length, 3);
    assert.ok(top[0]!.count >= top[1]!.count && top[1]!.count >= top[2]!.count);
    const clients = unwrap(await s.client.topClients(20));
    assert.ok(
      clients.some((c) => c.ip === '192.168.1.20' && c.name === 'LG-webOS-TV'),
      'named as the router leases it',
    );
    assert.ok(
      clients.some((c) => c.ip.startsWith('10.1.1.')),
      'guest network present',
    );
  });

  test('blocked queries by client name, IP and domain', async () => {
    s.fake.addBlockedQuery({ domain: 'ads.newtv.example', clientIp: '192.168.1.20', clientName: 'tv' });
    const tv = unwrap(await s.client.blockedQueries({ clientName: 'tv', limit: 10 }));
    assert.ok(tv.length > 0);
    assert.equal(tv[0]!.domain, 'ads.newtv.example', 'newest first');
    assert.ok(tv.every((q) => q.clientName === 'tv' && BLOCKED_STATUSES.has(q.status)));
    const byIp = unwrap(await s.client.blockedQueries({ clientIp: '10.1.1.23' }));
    assert.ok(byIp.length > 0 && byIp.every((q) => q.clientIp === '10.1.1.23'));
    const byDomain = unwrap(await s.client.blockedQueries({ domain: '*tv-vendor.example' }));
    assert.ok(byDomain.length > 0 && byDomain.every((q) => q.domain.endsWith('tv-vendor.example')));
    const none = unwrap(await s.client.blockedQueries({ domain: 'www.wikipedia.org' }));
    assert.deepEqual(none, [], 'allowed traffic is not in the blocked log');
    const recent = unwrap(await s.client.recentBlocked(1));
    assert.deepEqual(recent, ['ads.newtv.example']);
  });

  test('a query blocked while the gravity database was busy (DBBUSY) counts as blocked', async () => {
    s.fake.addBlockedQuery({ domain: 'ads.busy.example', clientIp: '192.168.1.20', clientName: 'tv', status: 'DBBUSY' });
    const tv = unwrap(await s.client.blockedQueries({ clientName: 'tv', limit: 5 }));
    assert.equal(tv[0]?.domain, 'ads.busy.example');
    assert.equal(tv[0]?.status, 'DBBUSY');
  });
});

describe('PiholeClient domain lists', () => {
  for (const duplicateMode of ['400', 'processed'] as const) {
    test(`add, duplicate (${duplicateMode}), list, remove`, async (t) => {
      const s = await setup(t, { duplicateMode });
      const added = unwrap(await s.client.addDomain('allow', 'exact', 'links.newsletter.example', 'bot: 1h for ana'));
      assert.equal(added.created, true);
      if (added.created) {
        assert.equal(added.entry.domain, 'links.newsletter.example');
        assert.equal(added.entry.comment, 'bot: 1h for ana');
      }
      const dup = unwrap(await s.client.addDomain('allow', 'exact', 'links.newsletter.example'));
      assert.equal(dup.created, false);
      const allow = unwrap(await s.client.listDomains('allow', 'exact'));
      assert.deepEqual(allow.map((d) => d.domain).sort(), ['cloud.thehomelab.site', 'links.newsletter.example']);
      assert.equal(unwrap(await s.client.removeDomain('allow', 'exact', 'links.newsletter.example')), true);
      assert.equal(unwrap(await s.client.removeDomain('allow', 'exact', 'links.newsletter.example')), false);
      assert.ok(!s.fake.domains().some((d) => d.domain === 'links.newsletter.example'));
      await s.done();
    });
  }

  test('IDN goes in as punycode and comes back with its Unicode form', async (t) => {
    const s = await setup(t);
    const added = unwrap(await s.client.addDomain('allow', 'exact', 'xn--bcher-kva.de'));
    assert.ok(added.created && added.entry.unicode === 'bücher.de');
    await s.done();
  });

  test('regex entries survive the URI round trip', async (t) => {
    const s = await setup(t);
    const re = '(\\.|^)ads\\.example\\.com$';
    assert.equal(unwrap(await s.client.addDomain('deny', 'regex', re)).created, true);
    assert.ok(unwrap(await s.client.listDomains('deny', 'regex')).some((d) => d.domain === re));
    assert.equal(unwrap(await s.client.removeDomain('deny', 'regex', re)), true);
    await s.done();
  });

  test('bad entries are rejected with the Pi-hole reason', async (t) => {
    const s = await setup(t);
    const badRegex = failure(await s.client.addDomain('allow', 'regex', '(unclosed'));
    assert.equal(badRegex.kind, 'rejected');
    assert.match(badRegex.detail, /Regex validation failed/);
    const spaces = failure(await s.client.addDomain('allow', 'exact', 'a b.com'));
    assert.equal(spaces.kind, 'rejected');
    assert.equal(failure(await s.client.addDomain('allow', 'exact', '')).kind, 'rejected');
    await s.done();
  });
});

describe('PiholeClient broken replies', () => {
  test('500, malformed JSON, wrong shape, 503', async (t) => {
    const s = await setup(t);
    unwrap(await s.client.blockingStatus()); // log in first so the injected replies hit the data call
    s.fake.failNext({ status: 500, body: '', path: '/api/stats' });
    const e500 = failure(await s.client.summary());
    assert.equal(e500.kind, 'protocol');
    assert.equal(e500.status, 500);
    s.fake.failNext({ status: 200, body: '{"queries": {"total": 1', path: '/api/stats' });
    assert.match(failure(await s.client.summary()).detail, /not valid JSON/);
    s.fake.failNext({ status: 200, body: '{"queries":{"total":"many"},"clients":{}}', path: '/api/stats' });
    assert.match(failure(await s.client.summary()).detail, /unexpected reply shape at queries/);
    s.fake.failNext({ status: 503, body: '<html>down</html>', path: '/api/dns' });
    assert.equal(failure(await s.client.blockingStatus()).kind, 'unreachable');
    s.fake.failNext({ status: 200, body: '{"session":', path: '/api/auth' });
    s.fake.expireSessions();
    assert.equal(failure(await s.client.summary()).kind, 'protocol', 'broken login reply');
    unwrap(await s.client.summary());
    await s.done();
  });

  test('no error detail ever carries the password or a SID', async (t) => {
    const s = await setup(t, { maxSessions: 1 });
    const errors: ServiceError[] = [];
    unwrap(await s.client.summary());
    s.fake.expireSessions();
    s.fake.occupyAllSeats();
    const r = await s.client.summary();
    if (!r.ok) errors.push(r.error);
    s.fake.failNext({ status: 500, body: JSON.stringify({ error: { key: 'x', message: 'boom', hint: null } }) });
    const r2 = await s.client.addDomain('allow', 'exact', 'a.example');
    if (!r2.ok) errors.push(r2.error);
    assert.equal(errors.length, 2);
    const text = JSON.stringify(errors);
    assert.doesNotMatch(text, new RegExp(PASSWORD));
    assert.doesNotMatch(text, /[A-Za-z0-9+/]{22}==/, 'no base64 session ids');
    await s.done();
  });
});
