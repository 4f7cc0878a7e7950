import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeNextcloud, type FakeNextcloudOptions } from '../../src/demo/nextcloud.ts';
import { NextcloudClient, type NextcloudOptions } from '../../src/services/nextcloud/client.ts';
import type { Result, ServiceError } from '../../src/core/errors.ts';
import { ManualClock } from '../../src/core/clock.ts';

const APP_PASSWORD = 'Xk2p9-QmT7r-Lw3zA-Nc8vB-Yd4sE';
const TOKEN = 'serverinfo-token-0123456789';

async function setup(t: TestContext, client: Partial<NextcloudOptions> = {}, fake: FakeNextcloudOptions = {}) {
  const nc = await startFakeNextcloud({ appPassword: APP_PASSWORD, serverinfoToken: TOKEN, ...fake });
  const c = new NextcloudClient({ baseUrl: nc.url, username: 'admin', appPassword: APP_PASSWORD, timeoutMs: 3000, ...client });
  t.after(async () => {
    await c.close();
    await nc.close();
  });
  return { nc, c };
}

function unwrap<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(`expected success, got ${JSON.stringify(r.error)}`);
  return r.value;
}

function failure<T>(r: Result<T>): ServiceError {
  assert.equal(r.ok, false, 'expected a failure');
  return (r as { error: ServiceError }).error;
}

describe('NextcloudClient', () => {
  test('status.php needs no credentials and reports maintenance and upgrades', async (t) => {
    const { nc } = await setup(t);
    const anon = new NextcloudClient({ baseUrl: nc.url });
    t.after(() => anon.close());
    const s = unwrap(await anon.status());
    assert.deepEqual(s, {
      installed: true,
      maintenance: false,
      needsDbUpgrade: false,
      version: '30.0.4.1',
      versionString: '30.0.4',
      productName: 'Nextcloud',
    });
    nc.setMaintenance(true);
    nc.setNeedsDbUpgrade(true);
    const m = unwrap(await anon.status());
    assert.equal(m.maintenance, true);
    assert.equal(m.needsDbUpgrade, true);
    assert.equal(nc.requests.at(-1)?.auth, 'none');
  });

  test('serverinfo with an app password (Basic + OCS-APIRequest + format=json)', async (t) => {
    const { nc, c } = await setup(t);
    const info = unwrap(await c.serverInfo());
    assert.equal(info.version, '30.0.4.1');
    assert.equal(info.users, 4);
    assert.equal(info.files, 48_213);
    assert.equal(info.freeSpaceBytes, 412_316_860_416);
    assert.deepEqual(info.cpuLoad, [0.42, 0.35, 0.31]);
    assert.equal(info.memTotalBytes, 4_194_304 * 1024, 'KiB converted to bytes');
    assert.deepEqual(info.activeUsers, { last5min: 1, last1h: 2, last24h: 4 });
    assert.deepEqual(info.php, { version: '8.2.26', memoryLimitBytes: 536_870_912, uploadMaxBytes: 536_870_912 });
    assert.deepEqual(info.database, { type: 'mysql', version: '10.11.6', sizeBytes: 318_767_104 });
    const req = nc.requests.at(-1)!;
    assert.equal(req.auth, 'basic');
    assert.equal(req.ocsHeader, true);
  });

  test('serverinfo with NC-Token only', async (t) => {
    const { nc, c } = await setup(t, { username: undefined, appPassword: undefined, serverinfoToken: TOKEN });
    unwrap(await c.serverInfo());
    assert.equal(nc.requests.at(-1)?.auth, 'token');
    const users = failure(await c.users());
    assert.equal(users.kind, 'auth', 'the user list needs Basic auth');
  });

  test('users list and count via the provisioning API', async (t) => {
    const { c } = await setup(t);
    assert.deepEqual(unwrap(await c.users()), ['admin', 'ana', 'lucia', 'pablo']);
    assert.deepEqual(unwrap(await c.users({ search: 'LU' })), ['lucia']);
    assert.deepEqual(unwrap(await c.users({ limit: 2, offset: 1 })), ['ana', 'lucia']);
    assert.equal(unwrap(await c.userCount()), 4);
  });

  test('an expired or revoked app password is an auth error naming the app password', async (t) => {
    const { nc, c } = await setup(t);
    unwrap(await c.serverInfo());
    nc.revokeAppPassword();
    for (const e of [failure(await c.serverInfo()), failure(await c.users())]) {
      assert.equal(e.kind, 'auth');
      assert.equal(e.status, 401);
      assert.match(e.detail, /app password rejected or expired/);
      assert.doesNotMatch(JSON.stringify(e), new RegExp(APP_PASSWORD));
    }
  });

  test('serverinfo 401: a valid non-admin account is told apart from a wrong password', async (t) => {
    const { nc } = await setup(t, {}, { userAppPasswords: { ana: 'ana-app-password' } });
    const ana = new NextcloudClient({ baseUrl: nc.url, username: 'ana', appPassword: 'ana-app-password' });
    const wrong = new NextcloudClient({ baseUrl: nc.url, username: 'admin', appPassword: 'not-it' });
    t.after(async () => {
      await ana.close();
      await wrong.close();
    });
    const notAdmin = failure(await ana.serverInfo());
    assert.equal(notAdmin.kind, 'auth');
    assert.match(notAdmin.detail, /not an admin/);
    assert.match(failure(await wrong.serverInfo()).detail, /app password rejected or expired/);
  });

  test('a refused login backs off (doubling) instead of feeding the brute-force throttler every poll', async (t) => {
    const clock = new ManualClock(Date.now());
    const { nc, c } = await setup(t, { clock });
    nc.revokeAppPassword();
    assert.match(failure(await c.serverInfo()).detail, /app password rejected/);
    assert.equal(nc.failedLogins, 1);
    for (let i = 0; i < 5; i++) assert.equal(failure(await c.serverInfo()).kind, 'auth');
    assert.equal(failure(await c.users()).kind, 'auth');
    assert.equal(nc.failedLogins, 1, 'no request while backing off');
    clock.advance(5 * 60_000);
    failure(await c.serverInfo());
    assert.equal(nc.failedLogins, 2, 'one try after 5 min');
    clock.advance(5 * 60_000);
    failure(await c.serverInfo());
    assert.equal(nc.failedLogins, 2, 'the next wait is 10 min');
    clock.advance(5 * 60_000);
    failure(await c.serverInfo());
    assert.equal(nc.failedLogins, 3);
  });

  test('the fake throttles an address after too many failed logins (429 for everyone there)', async (t) => {
    const { nc, c } = await setup(t, {}, { maxFailedLogins: 2 });
    const bad = new NextcloudClient({ baseUrl: nc.url, username: 'admin', appPassword: 'nope' });
    const bad2 = new NextcloudClient({ baseUrl: nc.url, username: 'admin', appPassword: 'nope' });
    t.after(async () => {
      await bad.close();
      await bad2.close();
    });
    failure(await bad.serverInfo());
    failure(await bad2.serverInfo());
    assert.match(failure(await c.serverInfo()).detail, /throttling/);
  });

  test('a wrong serverinfo token is an auth error', async (t) => {
    const { c } = await setup(t, { username: undefined, appPassword: undefined, serverinfoToken: 'wrong-token' });
    const e = failure(await c.serverInfo());
    assert.equal(e.kind, 'auth');
    assert.match(e.detail, /token rejected/);
    assert.doesNotMatch(e.detail, /wrong-token/);
  });

  test('no credentials at all: serverinfo refuses before calling', async (t) => {
    const { nc } = await setup(t);
    const anon = new NextcloudClient({ baseUrl: nc.url });
    t.after(() => anon.close());
    const before = nc.requests.length;
    assert.equal(failure(await anon.serverInfo()).kind, 'auth');
    assert.equal(nc.requests.length, before);
  });

  test('maintenance mode: status.php still answers, OCS is unavailable', async (t) => {
    const { nc, c } = await setup(t);
    nc.setMaintenance(true);
    assert.equal(unwrap(await c.status()).maintenance, true);
    const e = failure(await c.serverInfo());
    assert.equal(e.kind, 'unreachable');
    assert.match(e.detail, /maintenance/);
  });

  test('Nextcloud that cannot boot: status.php 500 with empty body', async (t) => {
    const { nc, c } = await setup(t);
    nc.setBroken(true);
    const e = failure(await c.status());
    assert.equal(e.kind, 'protocol');
    assert.equal(e.status, 500);
  });

  test('broken replies: 500, malformed JSON, wrong shape, OCS failure with HTTP 200, 404, 429', async (t) => {
    const { nc, c } = await setup(t);
    nc.failNext({ status: 500, body: '', path: '/ocs' });
    assert.equal(failure(await c.serverInfo()).kind, 'protocol');
    nc.failNext({ status: 200, body: '{"ocs":{"meta":', path: '/ocs' });
    assert.match(failure(await c.serverInfo()).detail, /not valid JSON/);
    nc.failNext({ status: 200, body: '{"ocs":{"meta":{"status":"ok","statuscode":200},"data":{"nextcloud":{}}}}', path: '/ocs' });
    assert.match(failure(await c.serverInfo()).detail, /unexpected reply shape at ocs\.data\.nextcloud/);
    nc.failNext({
      status: 200,
      body: '{"ocs":{"meta":{"status":"failure","statuscode":102,"message":"user already exists"},"data":[]}}',
      path: '/ocs',
    });
    const v1 = failure(await c.users());
    assert.equal(v1.kind, 'rejected');
    assert.equal(v1.detail, 'user already exists');
    nc.failNext({ status: 404, body: '{"ocs":{"meta":{"status":"failure","statuscode":998,"message":""},"data":[]}}', path: '/ocs' });
    assert.match(failure(await c.serverInfo()).detail, /serverinfo app/);
    nc.failNext({ status: 429, body: '{"message":"Reached maximum delay"}', path: '/ocs' });
    assert.match(failure(await c.serverInfo()).detail, /throttling/);
    nc.failNext({ status: 200, body: '<html>login</html>', path: '/status.php' });
    assert.equal(failure(await c.status()).kind, 'protocol');
  });

  test('the fake refuses Basic auth without OCS-APIRequest and answers XML without format=json', async (t) => {
    const { nc } = await setup(t);
    const basic = `Basic ${Buffer.from(`admin:${APP_PASSWORD}`).toString('base64')}`;
    const noHeader = await fetch(`${nc.url}/ocs/v2.php/apps/serverinfo/api/v1/info?format=json`, { headers: { authorization: basic } });
    assert.equal(noHeader.status, 401);
    const xml = await fetch(`${nc.url}/ocs/v2.php/cloud/users`, { headers: { authorization: basic, 'OCS-APIRequest': 'true' } });
    assert.match(await xml.text(), /^<\?xml/);
  });
});
