/**
 * Issue 17's decisions that need an admin, end to end on the demo household (router and
 * Pi-hole fakes, people and devices seeded as in demo mode): a family member claims an
 * unassigned device, pauses someone else's device, and asks to unblock a site for everyone —
 * each only after the owner presses Approve, and each doing exactly what was asked.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/core/clock.ts';
import { DEMO_PEOPLE, demoDevice, demoHousehold } from '../../src/demo/household.ts';
import { startFakePihole, type FakePihole } from '../../src/demo/pihole.ts';
import { FAKE_ROUTER_USERS, startRouterOsFake, type RouterOsFake } from '../../src/demo/routeros.ts';
import { PAUSE_LIST } from '../../src/handlers/devices/pause.ts';
import { waitFor } from '../support/real-server.ts';
import { buttonToken, OWNER, startTestApp, type TestApp } from '../support/app-harness.ts';

const ANA = DEMO_PEOPLE.find((p) => p.displayName === 'Ana')!.identity;
const LUCIA = DEMO_PEOPLE.find((p) => p.displayName === 'Lucia')!.identity;

describe('admin approvals for devices and unblocks (demo household)', () => {
  const clock = new ManualClock(Date.UTC(2026, 10, 25, 18, 0, 0));
  let router: RouterOsFake;
  let pihole: FakePihole;
  let h: TestApp;

  /** Waits for the owner's approval request that mentions `what`, and presses its Approve. */
  async function approve(what: string): Promise<void> {
    const payload = await waitFor(
      () =>
        h.app.db
          .prepare('SELECT payload FROM alert_outbox WHERE destination = ? AND payload LIKE ? ORDER BY id DESC')
          .pluck()
          .get(OWNER, `%${what}%`) as string | undefined,
      { what: `the approval request for ${what}` },
    );
    const msg = JSON.parse(payload) as { message: { actions?: { label: string; token: string }[][] } };
    const token = msg.message.actions?.flat().find((a) => a.label === 'Approve')?.token;
    assert.ok(token, 'the request has an Approve button');
    await h.press(OWNER, token);
  }

  const ownerOf = (mac: string) => h.app.db.prepare('SELECT owner_person_id FROM devices WHERE mac = ?').pluck().get(mac) as number | null;

  before(async () => {
    router = await startRouterOsFake({ now: () => clock.now() });
    pihole = await startFakePihole({ password: 'pw', seed: false, now: () => clock.now() });
    h = await startTestApp(
      {
        router: { url: router.url, username: FAKE_ROUTER_USERS[0]!.name, password: FAKE_ROUTER_USERS[0]!.password },
        pihole: { url: pihole.url, password: 'pw' },
      },
      { clock, household: demoHousehold() },
    );
  });
  after(async () => {
    await h.close();
    await pihole.close();
    await router.close();
  });

  test('a family member claims an unassigned device; it is theirs only after the admin approves', async () => {
    const tv = demoDevice('LG-webOS-TV');
    assert.equal(ownerOf(tv.mac), null, 'nobody owns the TV yet');
    const c = await h.say(ANA, '/device LG-webOS-TV mine');
    assert.match(c.texts[0]!, /An admin has to confirm that LG-webOS-TV is yours/);
    await h.press(ANA, buttonToken(c.replies[0]!.message, /Ask an admin/));
    assert.equal(ownerOf(tv.mac), null, 'asking changes nothing');
    await approve(tv.mac);
    await waitFor(() => ownerOf(tv.mac) === h.app.permissions.people.find(ANA)!.personId, { what: 'the TV to be Ana’s' });
    const mine = await h.say(ANA, '/mydevices');
    assert.match(mine.texts[0]!, /LG-webOS-TV/);
  });

  test("pausing someone else's device runs only after the admin approves, exactly as asked", async () => {
    const phone = demoDevice('iPhone-de-Ana');
    const c = await h.say(LUCIA, '/pausenet iPhone-de-Ana 45m');
    assert.match(c.texts[0]!, /not yours/);
    await h.press(LUCIA, buttonToken(c.replies[0]!.message, /Ask an admin/));
    assert.deepEqual(router.listed(PAUSE_LIST), [], 'asking pauses nothing');
    await approve('iPhone-de-Ana');
    await waitFor(() => router.listed(PAUSE_LIST).includes(phone.ip), { what: 'Ana’s phone paused' });
    const due = h.app.db.prepare("SELECT due_at FROM deadlines WHERE kind = 'device-pause' AND target = ?").pluck().get(phone.mac);
    assert.equal(due, clock.now() + 45 * 60_000, 'the approved pause is the one asked for');
    await h.say(OWNER, '/resumenet iPhone-de-Ana');
    assert.deepEqual(router.listed(PAUSE_LIST), []);
  });

  test('a family unblock is for their devices; "for everyone" happens only when an admin approves', async () => {
    const site = 'videos.school.example';
    const c = await h.say(LUCIA, `/unblock ${site} 30m`);
    assert.match(c.texts[0]!, /on your devices/);
    assert.equal(pihole.allowedFor(demoDevice('Pixel-8').ip, site), true);
    assert.equal(pihole.allowedFor(demoDevice('iPhone-de-Ana').ip, site), false);
    await h.press(LUCIA, buttonToken(c.replies[0]!.message, /everyone/i));
    assert.equal(pihole.allowedFor(demoDevice('iPhone-de-Ana').ip, site), false, 'asking changes nothing');
    await approve(site);
    await waitFor(() => pihole.allowedFor(demoDevice('iPhone-de-Ana').ip, site), { what: 'the site allowed for everyone' });
  });
});
