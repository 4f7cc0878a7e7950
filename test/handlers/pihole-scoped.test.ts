/**
 * Per-person unblocks and /blocked privacy: the whole bot against the RouterOS fake (whose
 * device is whose) and the Pi-hole v6 fake (groups, clients, allow entries with groups), on a
 * manual clock shared by both.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/core/clock.ts';
import { startFakePihole, type FakePihole } from '../../src/demo/pihole.ts';
import { FAKE_ROUTER_USERS, startRouterOsFake, type RouterOsFake } from '../../src/demo/routeros.ts';
import { waitFor } from '../support/real-server.ts';
import { buttonToken, OWNER, startTestApp, type TestApp } from '../support/app-harness.ts';

const ANA_PHONE = '192.168.1.32';
const LUCIA_PHONE = '192.168.1.31';
const TV = '192.168.1.20';
const SITE = 'links.shop.example';

describe('scoped unblocks', () => {
  const clock = new ManualClock(Date.UTC(2026, 10, 25, 18, 0, 0));
  let router: RouterOsFake;
  let pihole: FakePihole;
  let h: TestApp;
  let ana: string;
  let lucia: string;

  before(async () => {
    router = await startRouterOsFake({ now: () => clock.now() });
    pihole = await startFakePihole({ password: 'pw', seed: false, now: () => clock.now() });
    h = await startTestApp(
      {
        router: { url: router.url, username: FAKE_ROUTER_USERS[0]!.name, password: FAKE_ROUTER_USERS[0]!.password },
        pihole: { url: pihole.url, password: 'pw', protectedDomains: ['casino.example'] },
      },
      { clock },
    );
    ana = h.app.permissions.people.enroll('telegram:3001', 'Ana', 'family').identity;
    lucia = h.app.permissions.people.enroll('telegram:3002', 'Lucia', 'family').identity;
    await waitFor(() => (h.app.db.prepare('SELECT count(*) AS n FROM devices').get() as { n: number }).n > 0, { what: 'devices recorded' });
    await h.say(OWNER, '/device iPhone-de-Ana owner Ana');
    await h.say(OWNER, '/device Pixel-8 owner Lucia');
  });
  after(async () => {
    await h.close();
    await pihole.close();
    await router.close();
  });

  test("a family member's unblock reaches only their devices; another member's stays blocked", async () => {
    const c = await h.say(ana, `/unblock ${SITE} 30m`);
    assert.match(c.texts[0]!, /unblocked on your devices for 30m/);
    assert.equal(pihole.allowedFor(ANA_PHONE, SITE), true);
    assert.equal(pihole.allowedFor(LUCIA_PHONE, SITE), false);
    assert.equal(pihole.allowedFor(TV, SITE), false, 'a device nobody claimed stays blocked');
    const group = pihole.groupId(`chatops-person-${h.app.permissions.people.find(ana)!.personId}`);
    assert.ok(group !== undefined);
    assert.deepEqual(
      pihole.clients().find((x) => x.client === ANA_PHONE)?.groups,
      [0, group],
      'still in Default, so the blocklists keep applying',
    );
    // The "for everyone" button asks an admin instead.
    assert.ok(buttonToken(c.replies[0]?.message, /for everyone/));
  });

  test('two people hold the same site; each hold ends on its own, on time', async () => {
    await h.say(lucia, `/unblock ${SITE} 2h`);
    assert.equal(pihole.allowedFor(LUCIA_PHONE, SITE), true);
    assert.equal(pihole.allowedFor(ANA_PHONE, SITE), true);
    clock.advance(31 * 60_000);
    await waitFor(() => !pihole.allowedFor(ANA_PHONE, SITE), { what: "Ana's hold expired" });
    assert.equal(pihole.allowedFor(LUCIA_PHONE, SITE), true, "Lucia's hold remains");
    clock.advance(2 * 3_600_000);
    await waitFor(() => !pihole.domains().some((d) => d.domain === SITE), { what: 'the entry is gone once nobody holds it' });
  });

  test('protected domains stay refused per person too', async () => {
    const c = await h.say(ana, '/unblock casino.example');
    assert.match(c.texts[0]!, /casino\.example/);
    assert.equal(pihole.allowedFor(ANA_PHONE, 'casino.example'), false);
  });

  test("/blocked shows family only their own devices' lookups; the admin sees all", async () => {
    pihole.addBlockedQuery({ domain: 'ads.ana.example', clientIp: ANA_PHONE, clientName: 'iphone' });
    pihole.addBlockedQuery({ domain: 'ads.lucia.example', clientIp: LUCIA_PHONE, clientName: 'pixel' });
    const mine = (await h.say(ana, '/blocked')).texts.join('\n');
    assert.match(mine, /ads\.ana\.example/);
    assert.doesNotMatch(mine, /ads\.lucia\.example/);
    const all = (await h.say(OWNER, '/blocked')).texts.join('\n');
    assert.match(all, /ads\.ana\.example/);
    assert.match(all, /ads\.lucia\.example/);
  });

  test("an admin's re-block of the household's unblock says where it still holds: one person's own unblock", async () => {
    const site = 'both.example';
    await h.say(ana, `/unblock ${site} 30m`);
    const c = await h.say(OWNER, `/unblock ${site} 1h`);
    assert.match(c.texts[0]!, /both\.example (is unblocked|stays unblocked) for 1h/);
    const r = await h.press(OWNER, buttonToken(c.replies[0]?.message, /Block it again/));
    assert.equal(
      r.texts[0],
      'both.example is blocked again, except on the devices of someone who unblocked it for themselves (30m more at most).',
    );
    assert.equal(pihole.allowedFor(TV, site), false, 'blocked again for the household');
    assert.equal(pihole.allowedFor(ANA_PHONE, site), true, "Ana's own unblock still holds, as the reply says");
  });

  test('an admin unblocks for everyone (Default group)', async () => {
    const c = await h.say(OWNER, '/unblock shared.example 1h');
    assert.match(c.texts[0]!, /shared\.example is unblocked for 1h/);
    assert.equal(pihole.allowedFor(TV, 'shared.example'), true);
    assert.equal(pihole.allowedFor(ANA_PHONE, 'shared.example'), true);
  });
});
