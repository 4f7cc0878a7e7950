/**
 * The Pi-hole area end to end: the whole bot (composition root, pipeline, permissions, SQLite)
 * against the fake Pi-hole on 127.0.0.1, as the owner and as a family member.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakePihole, type FakePihole } from '../../src/demo/pihole.ts';
import { ManualClock } from '../../src/core/clock.ts';
import { PiholeClient } from '../../src/services/pihole/client.ts';
import { OWNER, buttonToken, startTestApp, type TestApp } from '../support/app-harness.ts';
import { assertNoEnglish } from '../support/language.ts';
import { queuedText } from '../support/outbox.ts';
import { waitFor } from '../support/real-server.ts';

const PASSWORD = 'pihole-test-password';
const config = (fake: FakePihole, over: Record<string, unknown> = {}) => ({
  pihole: {
    url: `${fake.url}/admin/`,
    password: PASSWORD,
    protectedDomains: ['doubleclick.net'],
    unblock: { defaultMinutes: 60, maxMinutes: 120 },
    ...over,
  },
});
const allowed = (fake: FakePihole, domain: string): boolean => fake.domains().some((d) => d.type === 'allow' && d.domain === domain);

describe('Pi-hole commands', () => {
  let fake: FakePihole;
  let h: TestApp;
  let fam: string;
  const clock = new ManualClock(Date.now());

  before(async () => {
    fake = await startFakePihole({ password: PASSWORD });
    h = await startTestApp(config(fake), { clock });
    fam = h.person('family');
  });
  after(async () => {
    await h.close();
    assert.equal(fake.sessionCount(), 0, 'stopping the bot logs out of the Pi-hole');
    await fake.close();
  });

  test('/pihole for family: state, numbers, top lists, no pause buttons they could not press', async () => {
    const conv = await h.say(fam, '/pihole');
    const r = conv.replies[0]!;
    assert.match(r.text, /Blocking: on/);
    assert.match(r.text, /Blocked today: \d+ \(\d+\.\d %\)/);
    assert.match(r.text, /Most blocked:\n• \S+ \(\d+\)/);
    assert.match(r.text, /Busiest devices:/);
    assert.deepEqual(r.message.actions?.flat().map((a) => a.label) ?? [], []);
    assert.equal(fake.loginCount(), 1);
  });

  test('pause buttons are admin-only; the owner pauses and resumes', async () => {
    const menu = (await h.say(fam, '/pihole')).replies[0]!.message;
    assert.equal(menu.actions, undefined, 'family is shown no pause buttons');
    assert.equal(fake.blocking().enabled, true);

    const ownerMenu = (await h.say(OWNER, '/pihole')).replies[0]!.message;
    const paused = await h.press(OWNER, buttonToken(ownerMenu, /Pause 30m/));
    assert.match(paused.texts.join('\n'), /paused for 30m/);
    const b = fake.blocking();
    assert.equal(b.enabled, false);
    assert.ok(b.timerSec !== null && b.timerSec > 1790 && b.timerSec <= 1800);

    const status = await h.say(fam, '/pihole');
    assert.match(status.texts[0]!, /Blocking: paused, back on in (30m|29m)/);
    assert.equal(status.replies[0]!.message.actions, undefined, 'nor a resume button');
    const mine = (await h.say(OWNER, '/pihole')).replies[0]!.message;
    const resume = await h.press(OWNER, buttonToken(mine, /back on/));
    assert.match(resume.texts.join('\n'), /on again/);
    assert.equal(fake.blocking().enabled, true);
  });

  test('/pihole_pause with an argument, and without one offers choices', async () => {
    const r = await h.say(OWNER, '/pihole_pause 10m');
    assert.match(r.texts[0]!, /paused for 10m/);
    assert.equal(Math.round(fake.blocking().timerSec ?? 0), 600);
    const choose = await h.say(OWNER, '/pihole_pause');
    assert.equal(choose.replies[0]!.message.actions?.flat().length, 3);
    const bad = await h.say(OWNER, '/pihole_pause 3d');
    assert.match(bad.texts[0]!, /between|range|1d/i);
    await h.say(OWNER, '/pihole_resume');
    assert.equal(fake.blocking().enabled, true);
  });

  test('/blocked for a device lists its blocked domains with unblock buttons; pressing one unblocks for an hour', async () => {
    fake.addBlockedQuery({ domain: 'cdn.streaming.example', clientIp: '192.168.1.20', clientName: 'tv' });
    const conv = await h.say(fam, '/blocked tv');
    const r = conv.replies[0]!;
    assert.match(r.text, /Recently blocked for tv/);
    assert.match(r.text, /• cdn\.streaming\.example — tv, /);
    assert.doesNotMatch(r.text, /— admin-laptop/);
    const press = await h.press(fam, buttonToken(r.message, /Unblock cdn\.streaming\.example/));
    assert.match(press.texts.join('\n'), /cdn\.streaming\.example is unblocked for 1h/);
    assert.ok(allowed(fake, 'cdn.streaming.example'));
    // The re-block command is button-only: typed, it does not exist.
    assert.match((await h.say(fam, '/pihole-reblock cdn.streaming.example')).texts[0]!, /I do not know \/pihole-reblock/);
    assert.ok(allowed(fake, 'cdn.streaming.example'));
    await h.press(fam, buttonToken(press.replies.at(-1)!.message, /Block it again/));
    assert.ok(!allowed(fake, 'cdn.streaming.example'));
  });

  test('/blocked by address, by site, and nonsense', async () => {
    const ip = await h.say(fam, '/blocked 10.1.1.23');
    assert.match(ip.texts[0]!, /10\.1\.1\.23/);
    const site = await h.say(fam, '/blocked tv-vendor.example');
    assert.match(site.texts[0]!, /telemetry\.tv-vendor\.example|ads\.tv-vendor\.example/);
    assert.doesNotMatch(site.texts[0]!, /googleads/);
    const none = await h.say(fam, '/blocked www.wikipedia.org');
    assert.match(none.texts[0]!, /Nothing blocked recently matches www\.wikipedia\.org: no device, address or site/);
    const bad = await h.say(fam, '/blocked "tv; rm -rf"');
    assert.match(bad.texts[0]!, /Give a device name/);
  });

  test('/blocked with part of a site name finds the blocked domains containing it (not a device)', async () => {
    const kid = h.person('family'); // a second family member: the first one's rate limit stays untouched
    const word = await h.say(kid, '/blocked doubleclick');
    assert.match(word.texts[0]!, /Recently blocked for doubleclick/);
    assert.match(word.texts[0]!, /• googleads\.g\.doubleclick\.net — /);
    assert.doesNotMatch(word.texts[0]!, /tv-vendor/);
    const upper = await h.say(kid, '/blocked DoubleClick');
    assert.match(upper.texts[0]!, /googleads\.g\.doubleclick\.net/);
    // A dotted fragment that is no whole domain suffix still matches inside names.
    const dotted = await h.say(kid, '/blocked g.doubleclick');
    assert.match(dotted.texts[0]!, /googleads\.g\.doubleclick\.net/);
    // A device name still wins over a site containing the word.
    fake.addBlockedQuery({ domain: 'ads.tvguide.example', clientIp: '192.168.1.20', clientName: 'tv' });
    const device = await h.say(kid, '/blocked tv');
    assert.doesNotMatch(device.texts[0]!, /— (?!tv,)/);
    const nothing = await h.say(kid, '/blocked zzzunknown');
    assert.match(nothing.texts[0]!, /Nothing blocked recently matches zzzunknown/);
  });

  test('/unblock from a pasted link, capped to the configured maximum, then re-blocked with the button', async () => {
    const conv = await h.say(fam, '/unblock https://links.newsletter.example/click?id=42 5h');
    const text = conv.texts[0]!;
    assert.match(text, /used the site from the link: links\.newsletter\.example/);
    assert.match(text, /unblocked for 2h/);
    assert.match(text, /limit is 2h/);
    assert.ok(allowed(fake, 'links.newsletter.example'));
    const row = h.app.db
      .prepare("SELECT due_at AS expires_at, requested_by FROM deadlines WHERE kind = 'pihole-allow' AND target = ?")
      .get('links.newsletter.example') as { expires_at: number; requested_by: string };
    assert.equal(row.expires_at, clock.now() + 2 * 3_600_000);
    assert.equal(row.requested_by, fam);
    const list = await h.say(fam, '/unblock');
    assert.match(list.texts[0]!, /links\.newsletter\.example: blocked again in 2h/);
    const again = await h.press(fam, buttonToken(conv.replies[0]!.message, /Block it again now/));
    assert.match(again.texts.join('\n'), /is blocked again/);
    assert.ok(!allowed(fake, 'links.newsletter.example'));
  });

  test('bad domains get a clear answer and never reach the Pi-hole', async () => {
    const before = fake.domains().length;
    const cases: [string, RegExp][] = [
      ['/unblock ad.doubleclick.net', /protected list \(doubleclick\.net\)/],
      ['/unblock *.example.com', /Wildcards like \* need an admin/],
      ['/unblock 192.168.1.5', /is an address, not a site name/],
      ['/unblock tv', /needs a dot/],
      ['/unblock "exa mple.com"', /characters a site name cannot have/],
      ['/unblock -bad-.example.com', /not a valid site name/],
      ['/unblock ftp://files.example.com/x', /not a web link/],
      ['/unblock example.com soon', /duration|Duration|time/],
    ];
    for (const [line, re] of cases) {
      const r = await h.say(fam, line);
      assert.match(r.texts.join('\n'), re, line);
    }
    assert.equal(fake.domains().length, before);
  });

  test('unblocking a domain that is allowed for good changes nothing and schedules nothing', async () => {
    const r = await h.say(fam, '/unblock cloud.thehomelab.site');
    assert.match(r.texts[0]!, /already allowed for good/);
    assert.equal(
      h.app.db.prepare("SELECT COUNT(*) FROM deadlines WHERE kind = 'pihole-allow' AND target = ?").pluck().get('cloud.thehomelab.site'),
      0,
    );
  });

  test('IDN domains are unblocked as punycode and shown in Unicode', async () => {
    const r = await h.say(fam, '/unblock bücher.example 30m');
    assert.match(r.texts[0]!, /bücher\.example is unblocked for 30m/);
    assert.ok(allowed(fake, 'xn--bcher-kva.example'));
  });

  test('a permanent allow: family must ask, the request reaches the owner, approval adds it for good', async () => {
    const denied = await h.say(fam, '/allow shop.example');
    assert.match(denied.texts[0]!, /ask an admin to approve/);
    const asked = await h.press(fam, buttonToken(denied.replies[0]!.message, /Ask an admin/));
    assert.match(asked.texts.join('\n'), /asked the admins/);
    // The request goes to the owner's private chat through the outbox; take its Approve button.
    const payload = await waitFor(
      () =>
        h.app.db
          .prepare("SELECT payload FROM alert_outbox WHERE destination = ? AND payload LIKE '%shop.example%' ORDER BY id DESC")
          .pluck()
          .get(OWNER) as string | undefined,
    );
    const msg = JSON.parse(payload) as { message: { actions?: { label: string; token: string }[][] } };
    const approve = msg.message.actions?.flat().find((a) => a.label === 'Approve');
    assert.ok(approve, payload);
    await h.press(OWNER, approve.token);
    await waitFor(() => allowed(fake, 'shop.example'), { what: 'shop.example allowed' });
  });

  test('/allow as the owner, including a regex; family cannot ask for a regex through approval either', async () => {
    const exact = await h.say(OWNER, '/allow telemetry.tv-vendor.example');
    assert.match(exact.texts[0]!, /now allowed for good/);
    const re = await h.say(OWNER, '/allow *.games.example regex');
    assert.match(re.texts[0]!, /now allowed for good/);
    assert.ok(fake.domains().some((d) => d.kind === 'regex' && d.type === 'allow' && d.domain === '(\\.|^)games\\.example$'));
    const dup = await h.say(OWNER, '/allow telemetry.tv-vendor.example');
    assert.match(dup.texts[0]!, /was already allowed/);
  });

  test('an approval does not lift the admin-only pattern check', async () => {
    const denied = await h.say(fam, '/allow ^[a-c].* regex');
    await h.press(fam, buttonToken(denied.replies[0]!.message, /Ask an admin/));
    const payload = await waitFor(
      () =>
        h.app.db
          .prepare("SELECT payload FROM alert_outbox WHERE destination = ? AND payload LIKE '%kind = regex%' ORDER BY id DESC")
          .pluck()
          .get(OWNER) as string | undefined,
    );
    const msg = JSON.parse(payload) as { message: { actions?: { label: string; token: string }[][] } };
    await h.press(OWNER, msg.message.actions!.flat().find((a) => a.label === 'Approve')!.token);
    const told = await waitFor(
      () =>
        h.app.db
          .prepare("SELECT payload FROM alert_outbox WHERE destination = ? AND payload LIKE '%Only an admin%' ORDER BY id DESC")
          .pluck()
          .get(fam) as string | undefined,
      { what: 'the requester is told patterns are admin-only' },
    );
    assert.ok(told);
    assert.ok(!fake.domains().some((d) => d.kind === 'regex' && d.domain === '^[a-c].*'), 'the pattern was not added');
    clock.advance(61_000); // the family member's rate limit starts afresh for the next tests
  });

  test('a temporary unblock made permanent is no longer removed on expiry', async () => {
    await h.say(fam, '/unblock keep.example 1h');
    assert.equal(
      h.app.db.prepare("SELECT COUNT(*) FROM deadlines WHERE kind = 'pihole-allow' AND target = ?").pluck().get('keep.example'),
      1,
    );
    const r = await h.say(OWNER, '/allow keep.example');
    assert.match(r.texts[0]!, /now allowed for good/);
    assert.equal(
      h.app.db.prepare("SELECT COUNT(*) FROM deadlines WHERE kind = 'pihole-allow' AND target = ?").pluck().get('keep.example'),
      0,
    );
  });

  test('/status has a Pi-hole line', async () => {
    const r = await h.say(fam, '/status');
    assert.match(r.texts[0]!, /Ad blocker \(Pi-hole\): blocking on · \d+\.\d % blocked today/);
  });
});

describe('Pi-hole failures seen from chat', () => {
  test('all API seats in use: a clear answer, nothing secret', async (t) => {
    const fake = await startFakePihole({ password: PASSWORD, maxSessions: 2 });
    fake.occupyAllSeats();
    const h = await startTestApp(config(fake));
    t.after(async () => {
      await h.close();
      await fake.close();
    });
    const r = await h.say(OWNER, '/pihole');
    assert.match(r.texts[0]!, /all API sessions are in use/);
    assert.doesNotMatch(r.texts[0]!, new RegExp(PASSWORD));
    const u = await h.say(OWNER, '/unblock example.org');
    assert.match(u.texts[0]!, /all API sessions are in use/);
  });

  test('wrong password: says the credentials were refused', async (t) => {
    const fake = await startFakePihole({ password: 'the-real-one' });
    const h = await startTestApp(config(fake));
    t.after(async () => {
      await h.close();
      await fake.close();
    });
    const r = await h.say(OWNER, '/blocked');
    assert.match(r.texts[0]!, /refused the credentials: password rejected/);
  });
});

describe('temporary unblock across a restart', () => {
  test('added, bot restarted (new process state, same database), expires by the clock, removed from the Pi-hole', async (t) => {
    const fake = await startFakePihole({ password: PASSWORD });
    const dir = mkdtempSync(join(tmpdir(), 'pihole-restart-'));
    t.after(async () => {
      await fake.close();
      rmSync(dir, { recursive: true, force: true });
    });
    const clock = new ManualClock(Date.now());

    const first = await startTestApp(config(fake), { clock, dir });
    const fam = first.person('family', 'telegram:3001');
    const r = await first.say(fam, '/unblock links.newsletter.example 30m');
    assert.match(r.texts[0]!, /unblocked for 30m/);
    assert.ok(allowed(fake, 'links.newsletter.example'));
    await first.close();
    assert.equal(fake.sessionCount(), 0, 'seat given back on shutdown');

    clock.advance(31 * 60_000);
    const second = await startTestApp(config(fake), { clock, dir });
    t.after(() => second.close());
    await waitFor(() => !allowed(fake, 'links.newsletter.example'), { what: 'the expired allow entry to be removed' });
    await waitFor(() => second.app.db.prepare("SELECT COUNT(*) FROM deadlines WHERE kind = 'pihole-allow'").pluck().get() === 0, {
      what: 'the row to be gone',
    });
    const told = await waitFor(
      () =>
        second.app.db
          .prepare("SELECT payload FROM alert_outbox WHERE destination = ? AND payload LIKE '%blocked again%'")
          .pluck()
          .get(fam) as string | undefined,
    );
    assert.match(told, /links\.newsletter\.example is blocked again/);
  });
});

describe('a temporary unblock ending, told to a Spanish reader', () => {
  test('the family member who unblocked it hears in Spanish that it is blocked again', async (t) => {
    const fake = await startFakePihole({ password: PASSWORD });
    const clock = new ManualClock(Date.now());
    const h = await startTestApp(config(fake), { clock });
    t.after(async () => {
      await h.close();
      await fake.close();
    });
    const fam = h.person('family', 'telegram:3002');
    await h.say(fam, '/lang es');
    const r = await h.say(fam, '/unblock links.newsletter.example 30m');
    assert.ok(allowed(fake, 'links.newsletter.example'), r.texts.join('\n'));
    clock.advance(31 * 60_000);
    await waitFor(() => !allowed(fake, 'links.newsletter.example'), { what: 'the expired allow entry to be removed' });
    const text = await waitFor(() => queuedText(h, fam, '%links.newsletter.example%'), { what: 'the end of the unblock told' });
    assert.match(text, /links\.newsletter\.example vuelve a estar bloqueado/);
    assertNoEnglish(h.app.messages, text, ['links', 'newsletter', 'example']);
  });
});

describe('a temporary unblock ending, in /audit for the Pi-hole', () => {
  test("the bot's removal at the deadline is listed by /audit service pihole, after the person's /unblock", async (t) => {
    const fake = await startFakePihole({ password: PASSWORD });
    const clock = new ManualClock(Date.now());
    const h = await startTestApp(config(fake), { clock });
    t.after(async () => {
      await h.close();
      await fake.close();
    });
    const fam = h.person('family', 'telegram:3003');
    await h.say(fam, '/unblock links.newsletter.example 30m');
    clock.advance(31 * 60_000);
    await waitFor(() => h.app.db.prepare("SELECT COUNT(*) FROM deadlines WHERE kind = 'pihole-allow'").pluck().get() === 0, {
      what: 'the deadline carried out',
    });
    const items = (await h.say(OWNER, '/audit service pihole')).replies[0]?.message.blocks.flatMap((b) =>
      b.kind === 'list' ? b.items : [],
    );
    assert.equal(items?.length, 2, JSON.stringify(items));
    assert.match(items[0]!, / · system:deadline · \/expire kind=pihole-allow target=links\.newsletter\.example .*→ done/);
    assert.match(items[1]!, / · family \d+ · \/unblock domain=links\.newsletter\.example/);
  });
});

describe('Pi-hole alert feed', () => {
  test('blocking left off for more than 30 minutes raises an info alert with a resume button; resolved when back on', async (t) => {
    const fake = await startFakePihole({ password: PASSWORD });
    const clock = new ManualClock(Date.now());
    const h = await startTestApp({ ...config(fake), alerts: { bindings: [{ chat: OWNER, sources: ['dns'] }] } }, { clock });
    const other = new PiholeClient({ baseUrl: fake.url, password: PASSWORD });
    t.after(async () => {
      await other.close();
      await h.close();
      await fake.close();
    });
    const alerts = (re: RegExp) =>
      (h.app.db.prepare('SELECT payload FROM alert_outbox WHERE destination = ?').pluck().all(OWNER) as string[]).filter((p) => re.test(p));

    await other.setBlocking(false); // someone turned it off in the Pi-hole web UI
    clock.advance(31_000);
    await h.say(OWNER, '/pihole'); // refreshes the snapshot: disabled, not alerted yet
    assert.deepEqual(alerts(/pihole:blocking_disabled/), []);
    clock.advance(31 * 60_000);
    await h.say(OWNER, '/pihole');
    // The outbox keeps message keys; each chat renders them in its own language on delivery.
    const raised = await waitFor(() => alerts(/"kind":"raise".*"summaryKey":"pihole\.alert\.blocking_disabled"/)[0], { what: 'the alert' });
    assert.match(raised, /"severity":"info"/);
    assert.match(raised, /"command":"pihole_resume"/);
    assert.equal(
      h.app.messages.t('en', 'pihole.alert.blocking_disabled', { minutes: 30 }),
      'Ad blocking has been off for more than 30 minutes',
    );

    await other.setBlocking(true);
    clock.advance(31_000);
    await h.say(OWNER, '/pihole');
    await waitFor(() => alerts(/"kind":"resolve"/).length > 0, { what: 'the recovery' });
  });
});
