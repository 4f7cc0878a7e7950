/**
 * The demo household: the demo router and the demo Pi-hole describe the same devices (names,
 * addresses), and demo mode knows whose they are, so a family member's /mydevices, scoped
 * /unblock and /pausenet work out of the box — visible in the fakes' own state.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO_DEVICES, DEMO_PEOPLE, demoDevice } from '../../src/demo/household.ts';
import { piholeDemoBackend } from '../../src/demo/pihole-backend.ts';
import { routerDemoBackend } from '../../src/demo/routeros-backend.ts';
import { PAUSE_LIST } from '../../src/handlers/devices/pause.ts';
import { PiholeClient } from '../../src/services/pihole/client.ts';
import { RouterOsClient } from '../../src/services/routeros/client.ts';
import { OWNER, startDemoTestApp } from '../support/app-harness.ts';

interface Sections {
  router: { url: string; username: string; password: string };
  pihole: { url: string; password: string };
}

const routerClient = (c: Sections['router']) => new RouterOsClient({ baseUrl: c.url, username: c.username, password: c.password });
const piholeClient = (c: Sections['pihole']) => new PiholeClient({ baseUrl: c.url, password: c.password, timeoutMs: 3000 });
const unwrap = <T>(r: { ok: true; value: T } | { ok: false; error: unknown }): T => {
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value;
};

describe('demo household: one source of truth for the router and Pi-hole', () => {
  test('every Pi-hole client (top clients and the blocked-query log) is a router lease with the same name', async () => {
    const router = await routerDemoBackend.start();
    const pihole = await piholeDemoBackend.start();
    const rc = routerClient((router.config as unknown as Sections).router);
    const pc = piholeClient((pihole.config as unknown as Sections).pihole);
    try {
      const leases = unwrap(await rc.dhcpLeases());
      const byIp = new Map(leases.map((l) => [l.address, l]));
      const clients = unwrap(await pc.topClients(100));
      assert.ok(clients.length >= 8, 'the household asks Pi-hole for names');
      for (const c of clients) {
        const lease = byIp.get(c.ip);
        assert.ok(lease, `Pi-hole client ${c.ip} has a router lease`);
        assert.equal(c.name, lease.hostName ?? null, `${c.ip}: Pi-hole and the router use one name`);
      }
      const blocked = unwrap(await pc.blockedQueries({ limit: 500 }));
      assert.ok(blocked.length > 0);
      for (const q of blocked) assert.equal(q.clientName, byIp.get(q.clientIp)?.hostName ?? null, `blocked query from ${q.clientIp}`);
      // The router leases exactly the household's devices, MACs included.
      assert.deepEqual(
        leases.map((l) => [l.mac?.toUpperCase(), l.address, l.hostName]),
        DEMO_DEVICES.map((d) => [d.mac, d.ip, d.hostName]),
      );
      // Every owned device is a real lease of the router.
      for (const d of DEMO_DEVICES.filter((x) => x.owner)) assert.ok(byIp.get(d.ip)?.hostName === d.hostName);
    } finally {
      await rc.close();
      await pc.close();
      await router.close();
      await pihole.close();
    }
  });
});

describe('demo household in the bot', () => {
  test("a family member's /mydevices, scoped /unblock and /pausenet work from the first start", async (t) => {
    const h = await startDemoTestApp();
    t.after(() => h.close());
    const lucia = DEMO_PEOPLE.find((p) => p.displayName === 'Lucia')!.identity;
    const ana = DEMO_PEOPLE.find((p) => p.displayName === 'Ana')!.identity;

    let c = await h.say(lucia, '/mydevices');
    assert.match(c.texts[0]!, /Pixel-8/);
    assert.match(c.texts[0]!, /iPad-de-Lucia/);
    assert.doesNotMatch(c.texts[0]!, /iPhone-de-Ana|LG-webOS-TV/);
    c = await h.say(OWNER, '/mydevices');
    assert.match(c.texts[0]!, /admin-laptop/, 'the owner has a device too');
    c = await h.say(OWNER, '/devices');
    assert.match(c.texts.join('\n'), /iPhone-de-Ana/);

    const lab = h.labConfig as unknown as Sections;
    const pc = piholeClient(lab.pihole);
    const rc = routerClient(lab.router);
    t.after(async () => {
      await pc.close();
      await rc.close();
    });

    // Scoped unblock: Lucia's devices join her group; Ana's phone stays as it was.
    c = await h.say(lucia, '/unblock ads.games.example 30m');
    assert.match(c.texts[0]!, /on your devices/);
    const ipad = unwrap(await pc.clientEntry(demoDevice('iPad-de-Lucia').ip));
    const pixel = unwrap(await pc.clientEntry(demoDevice('Pixel-8').ip));
    assert.ok(ipad && ipad.groups.length === 2 && pixel && pixel.groups.length === 2, 'both of her devices are in her group');
    assert.equal(unwrap(await pc.clientEntry(demoDevice('iPhone-de-Ana').ip)), undefined);

    // Pause: her own tablet at once; Ana's phone needs an admin.
    c = await h.say(lucia, '/pausenet iPad-de-Lucia 30m');
    assert.match(c.texts[0]!, /Internet paused for iPad-de-Lucia/);
    assert.deepEqual(
      unwrap(await rc.addressListEntries(PAUSE_LIST)).map((e) => e.address),
      [demoDevice('iPad-de-Lucia').ip],
    );
    c = await h.say(lucia, '/pausenet iPhone-de-Ana 30m');
    assert.match(c.texts[0]!, /not yours/);
    c = await h.say(ana, '/mydevices');
    assert.match(c.texts[0]!, /iPhone-de-Ana/);
    assert.doesNotMatch(c.texts[0]!, /paused/);
  });
});
