/**
 * /wake through the whole bot against the strict RouterOS fake: an admin wakes the server by its
 * configured MAC, a registered device by name, or a MAC; family is refused; every wake is audited.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/core/clock.ts';
import { FAKE_ROUTER_USERS, startRouterOsFake, type RouterOsFake } from '../../src/demo/routeros.ts';
import { OWNER, startTestApp, type TestApp } from '../support/app-harness.ts';

const admin = FAKE_ROUTER_USERS[0]!;
const NODE_MAC = '00:00:5E:00:53:10';

describe('/wake', () => {
  let fake: RouterOsFake;
  let h: TestApp;
  before(async () => {
    fake = await startRouterOsFake();
    h = await startTestApp(
      {
        router: { url: fake.url, username: admin.name, password: admin.password },
        alerts: {
          powerCut: { enabled: true, runsOn: 'outside', restore: { wakeOnLan: { mac: '00-00-5e-00-53-10', interface: 'bridge' } } },
        },
      },
      { clock: new ManualClock() },
    );
  });
  after(async () => {
    await h.close();
    await fake.close();
  });
  const audited = () =>
    h.app.db.prepare("SELECT identity, args, result FROM audit_log WHERE command = 'wake' ORDER BY id").all() as {
      identity: string;
      args: string;
      result: string;
    }[];

  test('an admin wakes the server through the configured interface; it is audited', async () => {
    const conv = await h.say(OWNER, '/wake node');
    assert.match(conv.texts.join('\n'), new RegExp(`The server \\(${NODE_MAC}\\): Wake-on-LAN sent through the router`));
    assert.deepEqual(
      fake.wakes.map((w) => [w.mac, w.interface]),
      [[NODE_MAC, 'bridge']],
    );
    const last = audited().at(-1)!;
    assert.equal(last.identity, OWNER);
    assert.equal(last.result, 'ok');
    assert.deepEqual(JSON.parse(last.args), { target: 'node' });
  });

  test('without a target it wakes the server', async () => {
    const before = fake.wakes.length;
    const conv = await h.say(OWNER, '/wake');
    assert.match(conv.texts.join('\n'), /The server \(00:00:5E:00:53:10\)/);
    assert.equal(fake.wakes.length, before + 1);
    assert.equal(fake.wakes.at(-1)?.mac, NODE_MAC);
  });

  test('family may not wake anything, and nothing is sent', async () => {
    const before = fake.wakes.length;
    const conv = await h.say(h.person('family'), '/wake node');
    assert.match(conv.texts.join('\n'), /not allowed/);
    assert.equal(fake.wakes.length, before);
    assert.equal(audited().at(-1)?.result, 'denied');
  });

  test('a MAC in any usual form; the router picks the interface', async () => {
    const conv = await h.say(OWNER, '/wake 00005e005399');
    assert.match(conv.texts.join('\n'), /00:00:5E:00:53:99/);
    assert.deepEqual(fake.wakes.at(-1), { mac: '00:00:5E:00:53:99', interface: undefined, at: fake.wakes.at(-1)!.at });
  });

  test('a device of the registry by its DHCP name', async () => {
    await h.say(OWNER, '/devices'); // the lease table is read: the household's devices are registered
    const lease = fake.menu('ip/dhcp-server/lease').find((l) => l['host-name'])!;
    const conv = await h.say(OWNER, `/wake ${lease['host-name']}`);
    assert.match(conv.texts.join('\n'), /Wake-on-LAN sent/);
    assert.equal(fake.wakes.at(-1)?.mac, lease['mac-address']!.toUpperCase());
  });

  test('an unknown name says so and sends nothing', async () => {
    const before = fake.wakes.length;
    const conv = await h.say(OWNER, '/wake no-such-box');
    assert.match(conv.texts.join('\n'), /No device matches "no-such-box"/);
    assert.equal(fake.wakes.length, before);
  });

  test('the router refusing is a plain error, and the audit says error', async () => {
    fake.failNext(400, JSON.stringify({ error: 400, message: 'Bad Request', detail: 'input does not match any value of interface' }));
    const conv = await h.say(OWNER, '/wake node');
    assert.match(conv.texts.join('\n'), /Router/);
    assert.doesNotMatch(conv.texts.join('\n'), /Wake-on-LAN sent/);
    assert.equal(audited().at(-1)?.result, 'failed');
  });

  test('in Spanish', async () => {
    const es = h.person('admin', 'telegram:7001');
    h.app.permissions.people.setLanguage(es, 'es');
    const conv = await h.say(es, '/wake node');
    assert.match(conv.texts.join('\n'), /El servidor \(00:00:5E:00:53:10\): Wake-on-LAN enviado a través del router/);
  });
});

test('/wake node without a configured MAC says where to set it and sends nothing', async () => {
  const fake = await startRouterOsFake();
  const h = await startTestApp({ router: { url: fake.url, username: admin.name, password: admin.password } }, { clock: new ManualClock() });
  try {
    const conv = await h.say(OWNER, '/wake');
    assert.match(conv.texts.join('\n'), /alerts\.powerCut\.restore\.wakeOnLan\.mac/);
    assert.equal(fake.wakes.length, 0);
  } finally {
    await h.close();
    await fake.close();
  }
});
