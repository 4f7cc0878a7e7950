import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RouterOsClient, type RouterOsOptions } from '../../src/services/routeros/client.ts';
import { FAKE_ROUTER_USERS, startRouterOsFake, type RouterOsFake, type RouterOsFakeOptions } from '../../src/demo/routeros.ts';
import { selfSigned } from '../support/tls.ts';

const admin = FAKE_ROUTER_USERS[0]!;
const monitor = FAKE_ROUTER_USERS[1]!;
const viewer = FAKE_ROUTER_USERS[2]!;

async function withRouter(
  fakeOpts: RouterOsFakeOptions,
  clientOpts: Partial<RouterOsOptions>,
  fn: (c: RouterOsClient, fake: RouterOsFake) => Promise<void>,
): Promise<void> {
  const fake = await startRouterOsFake(fakeOpts);
  const client = new RouterOsClient({ baseUrl: fake.url, username: admin.name, password: admin.password, timeoutMs: 3000, ...clientOpts });
  try {
    await fn(client, fake);
  } finally {
    await client.close();
    await fake.close();
  }
}

describe('RouterOS client reading the fake router', () => {
  let fake: RouterOsFake;
  let client: RouterOsClient;
  before(async () => {
    fake = await startRouterOsFake();
    client = new RouterOsClient({ baseUrl: fake.url, username: monitor.name, password: monitor.password });
  });
  after(async () => {
    await client.close();
    await fake.close();
  });

  test('resource coerces strings to numbers and parses uptime', async () => {
    const r = await client.resource();
    assert.ok(r.ok, JSON.stringify(r));
    assert.match(r.value.version, /^7\./);
    assert.equal(r.value.cpuLoadPercent, 7);
    assert.equal(r.value.totalMemoryBytes, 1073741824);
    assert.equal(r.value.boardName, 'hAP ax^2');
    assert.ok(r.value.uptimeSeconds >= 3 * 86400 + 4 * 3600, `uptime ${r.value.uptimeSeconds}`);
  });

  test('identity and public IP from the WAN interface', async () => {
    const id = await client.identity();
    assert.deepEqual(id, { ok: true, value: 'router1' });
    const ip = await client.publicIp();
    assert.deepEqual(ip, { ok: true, value: '203.0.113.45' });
  });

  test('public IP is undefined when the WAN interface has no address', async () => {
    const other = new RouterOsClient({ baseUrl: fake.url, username: monitor.name, password: monitor.password, wanInterface: 'ether1' });
    assert.deepEqual(await other.publicIp(), { ok: true, value: undefined });
    await other.close();
  });

  test('guest WiFi with inline SSID and passphrase', async () => {
    const g = await client.guestWifi();
    assert.ok(g.ok, JSON.stringify(g));
    assert.equal(g.value.ssid, 'thehomelab-guest');
    assert.equal(g.value.passphrase, 'maple-tiger-cloud-piano-4827');
    assert.equal(g.value.disabled, false);
    assert.equal(g.value.running, true);
    assert.equal(g.value.hidden, false);
  });

  test('a user without the sensitive policy sees no passphrase', async () => {
    const c = new RouterOsClient({ baseUrl: fake.url, username: viewer.name, password: viewer.password });
    const g = await c.guestWifi();
    assert.ok(g.ok);
    assert.equal(g.value.passphrase, undefined);
    await c.close();
  });

  test('DHCP leases are classified LAN / guest by subnet', async () => {
    const r = await client.dhcpLeases();
    assert.ok(r.ok, JSON.stringify(r));
    const nas = r.value.find((l) => l.hostName === 'nas');
    assert.equal(nas?.address, '192.168.1.5');
    assert.equal(nas?.network, 'lan');
    assert.equal(nas?.dynamic, false);
    assert.equal(nas?.lastSeenSeconds, 65);
    const guests = r.value.filter((l) => l.network === 'guest');
    assert.equal(guests.length, 3);
    assert.ok(guests.every((l) => l.address.startsWith('10.1.1.')));
    const waiting = r.value.find((l) => l.hostName === 'visitor-laptop');
    assert.equal(waiting?.status, 'waiting');
    assert.equal(waiting?.expiresAfterSeconds, undefined);
  });

  test('the DHCP server name wins over the subnet when configured', async () => {
    const c = new RouterOsClient({
      baseUrl: fake.url,
      username: monitor.name,
      password: monitor.password,
      guest: { subnet: '172.16.0.0/24', dhcpServer: 'dhcp-guest' },
    });
    const r = await c.dhcpLeases();
    assert.ok(r.ok);
    assert.equal(r.value.filter((l) => l.network === 'guest').length, 3);
    await c.close();
  });

  test('WireGuard peers with handshake age and transfer', async () => {
    const r = await client.wireguardPeers();
    assert.ok(r.ok, JSON.stringify(r));
    const ana = r.value.find((p) => p.label === 'ana-phone');
    assert.deepEqual(ana?.allowedAddress, ['192.168.100.2/32']);
    assert.equal(ana?.lastHandshakeSeconds, 65);
    assert.equal(ana?.rxBytes, 104857600);
    assert.equal(ana?.txBytes, 524288000);
    assert.equal(r.value.find((p) => p.label === 'old-tablet')?.lastHandshakeSeconds, undefined);
  });
});

describe('RouterOS client writes', () => {
  test('guest WiFi off and on again', async () => {
    await withRouter({}, {}, async (c, fake) => {
      assert.deepEqual(await c.setGuestWifiEnabled(false), { ok: true, value: undefined });
      const guest = fake.menu('interface/wifi').find((w) => w.name === 'wifi-guest');
      assert.equal(guest?.disabled, 'true');
      const g = await c.guestWifi();
      assert.ok(g.ok);
      assert.equal(g.value.disabled, true);
      assert.equal(g.value.running, false);
      assert.ok((await c.setGuestWifiEnabled(true)).ok);
      assert.equal(guest?.disabled, 'false');
    });
  });

  test('passphrase change inline leaves the family WiFi alone', async () => {
    await withRouter({}, {}, async (c, fake) => {
      assert.ok((await c.setGuestPassphrase('otter-cabin-lemon-9342')).ok);
      const g = await c.guestWifi();
      assert.ok(g.ok);
      assert.equal(g.value.passphrase, 'otter-cabin-lemon-9342');
      assert.equal(fake.menu('interface/wifi').find((w) => w.name === 'wifi1')?.['security.passphrase'], 'family-wifi-secret-2024');
    });
  });

  test('named security profile: read from and written to the profile', async () => {
    await withRouter({ guestSecurityProfile: true }, {}, async (c, fake) => {
      const g = await c.guestWifi();
      assert.ok(g.ok, JSON.stringify(g));
      assert.equal(g.value.securityProfile, 'guest-sec');
      assert.equal(g.value.passphrase, 'maple-tiger-cloud-piano-4827');
      assert.ok((await c.setGuestPassphrase('walnut-quail-reef-2345')).ok);
      assert.equal(fake.menu('interface/wifi/security')[0]?.passphrase, 'walnut-quail-reef-2345');
      const again = await c.guestWifi();
      assert.ok(again.ok);
      assert.equal(again.value.passphrase, 'walnut-quail-reef-2345');
    });
  });

  test('a security profile shared with the family WiFi is not changed; the guest AP gets an override', async () => {
    await withRouter({ guestSecurityProfile: true }, {}, async (c, fake) => {
      const wifi1 = fake.menu('interface/wifi').find((w) => w.name === 'wifi1')!;
      wifi1.security = 'guest-sec';
      assert.ok((await c.setGuestPassphrase('walnut-quail-reef-2345')).ok);
      assert.equal(fake.menu('interface/wifi/security')[0]?.passphrase, 'maple-tiger-cloud-piano-4827');
      const guest = fake.menu('interface/wifi').find((w) => w.name === 'wifi-guest');
      assert.equal(guest?.['security.passphrase'], 'walnut-quail-reef-2345');
    });
  });

  test('an invalid passphrase is refused before any request', async () => {
    await withRouter({}, {}, async (c, fake) => {
      const before = fake.requestCount;
      for (const bad of ['short', 'x'.repeat(64), 'contraseña-larga-123']) {
        const r = await c.setGuestPassphrase(bad);
        assert.equal(r.ok, false);
        if (!r.ok) assert.equal(r.error.kind, 'rejected');
      }
      assert.equal(fake.requestCount, before);
    });
  });
});

describe('RouterOS client failures', () => {
  test('wrong password → auth error without the password in it', async () => {
    await withRouter({}, { password: 'wrong-secret-xyz' }, async (c) => {
      const r = await c.resource();
      assert.equal(r.ok, false);
      if (!r.ok) {
        assert.equal(r.error.kind, 'auth');
        assert.equal(r.error.status, 401);
        assert.doesNotMatch(JSON.stringify(r.error), /wrong-secret-xyz/);
      }
    });
  });

  test('a read-only user cannot write: rejected with a clear detail, state unchanged', async () => {
    await withRouter({}, { username: monitor.name, password: monitor.password }, async (c, fake) => {
      const r = await c.setGuestWifiEnabled(false);
      assert.equal(r.ok, false);
      if (!r.ok) {
        assert.equal(r.error.kind, 'rejected');
        assert.match(r.error.detail, /write/);
      }
      const p = await c.setGuestPassphrase('otter-cabin-lemon-9342');
      assert.equal(p.ok, false);
      if (!p.ok) assert.doesNotMatch(p.error.detail, /otter-cabin/);
      assert.equal(fake.menu('interface/wifi').find((w) => w.name === 'wifi-guest')?.disabled, 'false');
    });
  });

  test('"not enough permissions" as a 400 is also a permission error', async () => {
    await withRouter({}, {}, async (c, fake) => {
      fake.failNext(400, JSON.stringify({ error: 400, message: 'Bad Request', detail: 'not enough permissions (9)' }));
      const r = await c.setGuestWifiEnabled(false);
      assert.ok(!r.ok && r.error.kind === 'rejected' && /write policy/.test(r.error.detail));
    });
  });

  test('500 → protocol error with the router detail', async () => {
    await withRouter({}, {}, async (c, fake) => {
      fake.failNext(500, JSON.stringify({ error: 500, message: 'Internal Server Error', detail: 'interrupted' }));
      const r = await c.identity();
      assert.ok(!r.ok);
      assert.equal(r.error.kind, 'protocol');
      assert.equal(r.error.status, 500);
      assert.match(r.error.detail, /interrupted/);
    });
  });

  test('a malformed body → protocol error', async () => {
    await withRouter({}, {}, async (c, fake) => {
      fake.failNext(200, '<html>captive portal</html>');
      const r = await c.dhcpLeases();
      assert.ok(!r.ok && r.error.kind === 'protocol');
      fake.failNext(200, JSON.stringify([{ '.id': '*1' }]));
      const r2 = await c.dhcpLeases();
      assert.ok(!r2.ok && r2.error.kind === 'protocol');
    });
  });

  test('a missing guest interface → rejected naming it', async () => {
    await withRouter({}, { guestInterface: 'wifi-visitors' }, async (c) => {
      const r = await c.guestWifi();
      assert.ok(!r.ok && r.error.kind === 'rejected' && /wifi-visitors/.test(r.error.detail));
    });
  });

  test('404 for an unknown menu', async () => {
    await withRouter({}, {}, async (c, fake) => {
      fake.failNext(404, JSON.stringify({ error: 404, message: 'Not Found', detail: 'no such command or directory' }));
      const r = await c.wireguardPeers();
      assert.ok(!r.ok && r.error.kind === 'rejected' && r.error.status === 404);
    });
  });
});

describe('RouterOS before 7.13: the wifiwave2 menu', () => {
  test('reads, toggles and rotates the guest AP under /interface/wifiwave2 on 7.12.1', async () => {
    await withRouter({ version: '7.12.1 (stable)' }, {}, async (c, fake) => {
      const g = await c.guestWifi();
      assert.ok(g.ok, JSON.stringify(g));
      assert.equal(g.value.ssid, 'thehomelab-guest');
      assert.ok((await c.setGuestWifiEnabled(false)).ok);
      const guest = fake.menu('interface/wifiwave2').find((w) => w.name === 'wifi-guest');
      assert.equal(guest?.disabled, 'true');
      assert.ok((await c.setGuestPassphrase('walnut-quail-reef-2345')).ok);
      assert.equal(guest?.['security.passphrase'], 'walnut-quail-reef-2345');
      assert.throws(() => fake.menu('interface/wifi'), /no menu/);
    });
  });

  test('the fake answers 404 for /interface/wifi before 7.13, as the router does', async () => {
    await withRouter({ version: '7.12.1 (stable)' }, {}, async (_c, fake) => {
      const res = await fetch(`${fake.url}/rest/interface/wifi`, {
        headers: { authorization: `Basic ${Buffer.from(`${admin.name}:${admin.password}`).toString('base64')}` },
      });
      assert.equal(res.status, 404);
    });
  });

  test('7.13 and later use /interface/wifi', async () => {
    await withRouter({ version: '7.13 (stable)' }, {}, async (c) => {
      const g = await c.guestWifi();
      assert.ok(g.ok && g.value.name === 'wifi-guest');
    });
  });

  test('an unreadable version string: the menu that answers wins', async () => {
    await withRouter({ version: '7.12.1 (stable)' }, {}, async (c, fake) => {
      fake.menu('system/resource')[0]!.version = 'development build';
      const g = await c.guestWifi();
      assert.ok(g.ok && g.value.ssid === 'thehomelab-guest', JSON.stringify(g));
    });
  });
});

describe('RouterOS WireGuard counters read leniently', () => {
  test('a peer with an unreadable rx/tx keeps the list; the field is just unknown', async () => {
    await withRouter({}, {}, async (c, fake) => {
      const peers = fake.menu('interface/wireguard/peers');
      peers[0]!.rx = '';
      peers[1]!.tx = '1.5MiB';
      peers[2]!.rx = 'n/a';
      const r = await c.wireguardPeers();
      assert.ok(r.ok, JSON.stringify(r));
      assert.equal(r.value[0]?.rxBytes, undefined);
      assert.equal(r.value[0]?.txBytes, 524288000);
      assert.equal(r.value[1]?.txBytes, 1572864);
      assert.equal(r.value[2]?.rxBytes, undefined);
    });
  });
});

describe('RouterOS over HTTPS with a pinned certificate', () => {
  const tls = selfSigned('router1.test');
  const other = selfSigned('someone-else');

  test('the right pin connects', async () => {
    await withRouter({ tls }, { fingerprint: tls.fingerprint256 }, async (c, fake) => {
      assert.ok(fake.url.startsWith('https://'));
      const r = await c.identity();
      assert.deepEqual(r, { ok: true, value: 'router1' });
    });
  });

  test('a pin mismatch is refused before any request is sent', async () => {
    await withRouter({ tls }, { fingerprint: other.fingerprint256 }, async (c, fake) => {
      const r = await c.identity();
      assert.ok(!r.ok);
      assert.equal(r.error.kind, 'unreachable');
      assert.match(r.error.detail, /pinned/);
      assert.equal(fake.requestCount, 0);
    });
  });

  test('no pin: the self-signed certificate is not trusted', async () => {
    await withRouter({ tls }, {}, async (c) => {
      const r = await c.identity();
      assert.ok(!r.ok && r.error.kind === 'unreachable');
    });
  });
});

describe('router overview poller', () => {
  test('one refresh reads resource, identity, public IP and guest state', async () => {
    const { createRouterPoller } = await import('../../src/services/routeros/poller.ts');
    const { ManualClock } = await import('../../src/core/clock.ts');
    const { silentLogger } = await import('../../src/core/logger.ts');
    await withRouter({}, { username: viewer.name, password: viewer.password }, async (c, fake) => {
      const poller = createRouterPoller(c, { intervalMs: 60_000, clock: new ManualClock(), log: silentLogger() });
      const snap = await poller.refresh();
      assert.equal(snap.status, 'ok');
      if (snap.status === 'ok') {
        assert.equal(snap.value.identity, 'router1');
        assert.equal(snap.value.publicIp, '203.0.113.45');
        assert.equal(snap.value.guestEnabled, true);
      }
      await fake.close();
      const down = await poller.refresh();
      assert.equal(down.status, 'failed');
      if (down.status === 'failed') {
        assert.equal(down.error.kind, 'unreachable');
        assert.equal(down.last?.value.identity, 'router1');
      }
    });
  });
});
