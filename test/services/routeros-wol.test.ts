/**
 * Wake-on-LAN through the router: the client against the strict RouterOS fake (`/tool/wol`),
 * including the router's refusals and a line cut mid-request.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RouterOsClient } from '../../src/services/routeros/client.ts';
import { FAKE_ROUTER_USERS, startRouterOsFake, type RouterOsFake } from '../../src/demo/routeros.ts';
import { startCutProxy } from '../support/cut-proxy.ts';

const admin = FAKE_ROUTER_USERS[0]!;
const monitor = FAKE_ROUTER_USERS[1]!;

async function withRouter(fn: (c: RouterOsClient, fake: RouterOsFake) => Promise<void>, user = admin): Promise<void> {
  const fake = await startRouterOsFake();
  const client = new RouterOsClient({ baseUrl: fake.url, username: user.name, password: user.password, timeoutMs: 3000 });
  try {
    await fn(client, fake);
  } finally {
    await client.close();
    await fake.close();
  }
}

const post = (fake: RouterOsFake, body: unknown): Promise<Response> =>
  fetch(`${fake.url}/rest/tool/wol`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${admin.name}:${admin.password}`).toString('base64')}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify(body),
  });

describe('Wake-on-LAN through RouterOS /tool/wol', () => {
  test('sends the MAC as RouterOS prints it, through the named interface', async () => {
    await withRouter(async (c, fake) => {
      const r = await c.wakeOnLan('00-00-5e-00-53-10', 'bridge');
      assert.deepEqual(r, { ok: true, value: undefined });
      assert.deepEqual(
        fake.wakes.map((w) => [w.mac, w.interface]),
        [['00:00:5E:00:53:10', 'bridge']],
      );
    });
  });

  test('without an interface the router picks one', async () => {
    await withRouter(async (c, fake) => {
      assert.ok((await c.wakeOnLan('00:00:5E:00:53:10')).ok);
      assert.equal(fake.wakes[0]?.interface, undefined);
    });
  });

  test('a malformed MAC never reaches the router', async () => {
    await withRouter(async (c, fake) => {
      const before = fake.requestCount;
      const r = await c.wakeOnLan('00:00:5E:00:53');
      assert.ok(!r.ok && r.error.kind === 'rejected' && /MAC/.test(r.error.detail));
      assert.equal(fake.requestCount, before);
      assert.equal(fake.wakes.length, 0);
    });
  });

  test('the fake refuses as RouterOS does: missing or malformed mac, unknown parameter', async () => {
    await withRouter(async (_c, fake) => {
      const missing = await post(fake, { interface: 'bridge' });
      assert.equal(missing.status, 400);
      assert.deepEqual(await missing.json(), { error: 400, message: 'Bad Request', detail: 'missing value(s) of argument(s) mac' });
      const bad = await post(fake, { mac: 'not-a-mac' });
      assert.equal(bad.status, 400);
      assert.equal(((await bad.json()) as { detail: string }).detail, 'invalid value for argument mac');
      const extra = await post(fake, { mac: '00:00:5E:00:53:10', port: '9' });
      assert.equal(((await extra.json()) as { detail: string }).detail, 'unknown parameter port');
      assert.equal(fake.wakes.length, 0);
    });
  });

  test('an interface the router has not → rejected with the router’s words, nothing sent', async () => {
    await withRouter(async (c, fake) => {
      const r = await c.wakeOnLan('00:00:5E:00:53:10', 'ether9');
      assert.ok(!r.ok);
      assert.equal(r.error.kind, 'rejected');
      assert.equal(r.error.status, 400);
      assert.match(r.error.detail, /input does not match any value of interface/);
      assert.equal(fake.wakes.length, 0);
    });
  });

  test('a user without the write policy cannot wake anything', async () => {
    await withRouter(async (c, fake) => {
      const r = await c.wakeOnLan('00:00:5E:00:53:10');
      assert.ok(!r.ok && r.error.kind === 'rejected' && /write policy/.test(r.error.detail));
      assert.equal(fake.wakes.length, 0);
    }, monitor);
  });

  test('an oversized or non-JSON success reply is a protocol error', async () => {
    await withRouter(async (c, fake) => {
      fake.failNext(200, JSON.stringify([{ x: 'y'.repeat(64 * 1024) }]));
      const big = await c.wakeOnLan('00:00:5E:00:53:10');
      assert.ok(!big.ok && big.error.kind === 'protocol', JSON.stringify(big));
      fake.failNext(200, '<html>login</html>');
      const html = await c.wakeOnLan('00:00:5E:00:53:10');
      assert.ok(!html.ok && html.error.kind === 'protocol');
    });
  });

  test('a cut line → unreachable, and the next try after the line returns goes through', async () => {
    const fake = await startRouterOsFake();
    const proxy = await startCutProxy(fake.url, true);
    const c = new RouterOsClient({ baseUrl: proxy.url, username: admin.name, password: admin.password, timeoutMs: 2000 });
    try {
      const r = await c.wakeOnLan('00:00:5E:00:53:10');
      assert.ok(!r.ok && r.error.kind === 'unreachable', JSON.stringify(r));
      assert.equal(fake.wakes.length, 0);
      proxy.setCut(false);
      assert.ok((await c.wakeOnLan('00:00:5E:00:53:10')).ok);
      assert.equal(fake.wakes.length, 1);
    } finally {
      await c.close();
      await proxy.close();
      await fake.close();
    }
  });

  test('a hung line times out instead of waiting for ever', async () => {
    const fake = await startRouterOsFake();
    const proxy = await startCutProxy(fake.url);
    proxy.setMode('hang');
    const c = new RouterOsClient({ baseUrl: proxy.url, username: admin.name, password: admin.password, timeoutMs: 300 });
    try {
      const r = await c.wakeOnLan('00:00:5E:00:53:10');
      assert.ok(!r.ok && r.error.kind === 'timeout', JSON.stringify(r));
      assert.equal(fake.wakes.length, 0);
    } finally {
      await c.close();
      await proxy.close();
      await fake.close();
    }
  });
});
