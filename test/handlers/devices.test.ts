/**
 * People own devices, /pausenet on the router, new-device announcements: the whole bot
 * against the RouterOS fake (address lists with router-side timeouts), on a manual clock.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../src/core/clock.ts';
import type { OutMessage } from '../../src/core/outmessage.ts';
import { FAKE_ROUTER_USERS, startRouterOsFake, type RouterOsFake } from '../../src/demo/routeros.ts';
import { DEADLINE_ACTOR } from '../../src/core/deadlines.ts';
import { DEVICE_REPAIR, PAUSE_LIST } from '../../src/handlers/devices/pause.ts';
import { PAUSE_KIND } from '../../src/handlers/devices/store.ts';
import { macVendor } from '../../src/services/oui/vendor.ts';
import { waitFor } from '../support/real-server.ts';
import { assertNoEnglish } from '../support/language.ts';
import { queuedText } from '../support/outbox.ts';
import { buttonToken, OWNER, startTestApp, type TestApp } from '../support/app-harness.ts';

/** The audit rows of what the bot changed by itself (the pause's repair, its deadline's end). */
const systemRows = (h: TestApp) =>
  (
    h.app.db
      .prepare('SELECT identity, command, args, result FROM audit_log WHERE identity IN (?, ?) ORDER BY id')
      .all(DEVICE_REPAIR, DEADLINE_ACTOR) as { identity: string; command: string; args: string; result: string }[]
  ).map((r) => ({ ...r, args: JSON.parse(r.args) as Record<string, string> }));

const admin = FAKE_ROUTER_USERS[0]!;
const config = (fake: RouterOsFake) => ({
  router: { url: fake.url, username: admin.name, password: admin.password },
  alerts: { bindings: [{ chat: 'telegram:-100500' }] },
});

/** Announcements queued for the family group (the outbox row's rendered message). */
function announced(h: TestApp): { message: OutMessage; severity: string; dedup: string }[] {
  const rows = h.app.db
    .prepare("SELECT payload, severity, dedup_key AS dedup FROM alert_outbox WHERE dedup_key LIKE 'device-new:%' ORDER BY id")
    .all() as { payload: string; severity: string; dedup: string }[];
  return rows.map((r) => ({ message: (JSON.parse(r.payload) as { message: OutMessage }).message, severity: r.severity, dedup: r.dedup }));
}

const knownDevices = (h: TestApp): number => (h.app.db.prepare('SELECT count(*) AS n FROM devices').get() as { n: number }).n;

describe('devices, pauses and new-device alerts', () => {
  let fake: RouterOsFake;
  let h: TestApp;
  let dir: string;
  const clock = new ManualClock(Date.UTC(2026, 10, 25, 18, 0, 0));
  let ana: string;
  let lucia: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'devices-test-'));
    fake = await startRouterOsFake({ now: () => clock.now() });
    h = await startTestApp(config(fake), { clock, dir });
    ana = h.app.permissions.people.enroll('telegram:3001', 'Ana', 'family').identity;
    lucia = h.app.permissions.people.enroll('telegram:3002', 'Lucia', 'family').identity;
    await waitFor(() => knownDevices(h) >= 8, { what: 'the first lease refresh recorded the baseline' });
  });
  after(async () => {
    await h.close();
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the first lease table is the baseline: nothing already there is announced', () => {
    assert.deepEqual(announced(h), []);
  });

  test('an admin assigns and names devices; /mydevices and /devices show owners and MACs', async () => {
    const ownerName = h.app.permissions.people.find(ana)!.displayName;
    let c = await h.say(OWNER, '/device iPhone-de-Ana owner ana');
    assert.match(c.texts[0]!, new RegExp(`now belongs to ${ownerName}`));
    c = await h.say(OWNER, '/device 00:00:5e:00:53:31 name Lucia phone');
    assert.match(c.texts[0]!, /now called "Lucia phone"/);
    c = await h.say(OWNER, `/device 192.168.1.31 owner ${lucia}`);
    assert.match(c.texts[0]!, /Lucia phone now belongs to/);

    c = await h.say(ana, '/mydevices');
    assert.match(c.texts[0]!, /iPhone-de-Ana/);
    assert.doesNotMatch(c.texts[0]!, /Lucia phone/);

    c = await h.say(OWNER, '/devices');
    assert.match(c.texts[0]!, /00:00:5E:00:53:32/);
    assert.match(c.texts[0]!, new RegExp(`${ownerName}'s`));
    // Family may neither assign nor list everyone's devices.
    c = await h.say(ana, `/device Pixel-8 owner ${ana}`);
    assert.match(c.texts[0]!, /Only an admin/);
    c = await h.say(ana, '/devices');
    assert.doesNotMatch(c.texts.join('\n'), /00:00:5E/);
  });

  test('family pauses their own device; the router refuses it until the time is up, across a restart', async () => {
    let c = await h.say(ana, '/pausenet iPhone-de-Ana 30m');
    assert.match(c.texts[0]!, /Internet paused for iPhone-de-Ana until 18:30/);
    assert.deepEqual(fake.listed(PAUSE_LIST), ['192.168.1.32']);
    const rule = fake.menu('ip/firewall/filter')[0]!;
    assert.equal(rule['src-address-list'], PAUSE_LIST, 'the reject rule comes before FastTrack and accept');
    c = await h.say(OWNER, '/status');
    assert.match(c.texts.join('\n'), /iPhone-de-Ana until 18:30/);
    c = await h.say(OWNER, '/alerts');
    assert.match(c.texts.join('\n'), /Paused devices: .*iPhone-de-Ana until 18:30/);

    // Someone else's device needs an admin: the family member gets an "ask an admin" button.
    c = await h.say(lucia, '/pausenet iPhone-de-Ana 1h');
    assert.match(c.texts[0]!, /not yours/);
    assert.ok(buttonToken(c.replies[0]?.message, /Ask an admin/));

    // Restart; the router lost the entry meanwhile (a reboot drops timed entries): it is put back.
    await h.close();
    const entry = fake.menu('ip/firewall/address-list').findIndex((e) => e.list === PAUSE_LIST);
    fake.menu('ip/firewall/address-list').splice(entry, 1);
    h = await startTestApp(config(fake), { clock, dir });
    await waitFor(() => fake.listed(PAUSE_LIST).length === 1, { what: 'the pause was reconciled at start' });
    // The bot's own router change is audited, with what it put back.
    await waitFor(() => systemRows(h).some((r) => r.result === 'ok'), { what: 'the repair audited' });
    assert.deepEqual(systemRows(h), [
      {
        identity: DEVICE_REPAIR,
        command: 'repair',
        args: { mac: '00:00:5E:00:53:32', address: '192.168.1.32', change: 'put-back' },
        result: 'ok',
      },
    ]);

    // Time passes while the bot is down: at start the pause ends and the asker hears so.
    await h.close();
    clock.advance(31 * 60_000);
    h = await startTestApp(config(fake), { clock, dir });
    await waitFor(
      () =>
        (
          h.app.db.prepare("SELECT count(*) AS n FROM alert_outbox WHERE payload LIKE '%Internet is back for iPhone-de-Ana%'").get() as {
            n: number;
          }
        ).n === 1,
      { what: 'the end of the pause was announced' },
    );
    assert.deepEqual(fake.listed(PAUSE_LIST), []);
    // The end of the pause, carried out by the bot at start, is audited as the deadline's undo.
    assert.deepEqual(
      systemRows(h)
        .filter((r) => r.identity === DEADLINE_ACTOR)
        .map((r) => [r.command, r.args.kind, r.args.target, r.result]),
      [['expire', PAUSE_KIND, '00:00:5E:00:53:32', 'ok']],
    );
    c = await h.say(ana, '/mydevices');
    assert.doesNotMatch(c.texts[0]!, /paused/);
  });

  test('/resumenet ends a pause early; family cannot resume a device that is not theirs', async () => {
    await h.say(OWNER, '/pausenet Pixel-8 until 21:00');
    assert.deepEqual(fake.listed(PAUSE_LIST), ['192.168.1.31']);
    let c = await h.say(ana, '/resumenet Pixel-8');
    assert.match(c.texts[0]!, /Only an admin/);
    c = await h.say(lucia, '/resumenet Pixel-8');
    assert.match(c.texts[0]!, /Internet is back for Lucia phone/);
    assert.deepEqual(fake.listed(PAUSE_LIST), []);
  });

  test('the end of a pause reaches a Spanish asker in Spanish', async () => {
    await h.say(ana, '/lang es');
    try {
      const c = await h.say(ana, '/pausenet iPhone-de-Ana 30m');
      assert.deepEqual(fake.listed(PAUSE_LIST), ['192.168.1.32'], c.texts.join('\n'));
      clock.advance(31 * 60_000);
      const text = await waitFor(() => queuedText(h, ana, '%Vuelve el internet para iPhone-de-Ana%'), {
        what: 'the end of the pause told in Spanish',
      });
      assertNoEnglish(h.app.messages, text, ['iPhone']);
      await waitFor(() => fake.listed(PAUSE_LIST).length === 0, { what: 'the pause lifted on the router' });
    } finally {
      await h.say(ana, '/lang en');
    }
  });

  test('a pause until tomorrow morning says "tomorrow 07:00", in the reader’s language', async () => {
    // The clock is past 18:00 UTC (the household's zone here): 07:00 is tomorrow.
    let c = await h.say(ana, '/pausenet iPhone-de-Ana until 07:00');
    assert.match(c.texts[0]!, /^Internet paused for iPhone-de-Ana until tomorrow 07:00\./);
    await h.say(ana, '/resumenet iPhone-de-Ana');
    await h.say(ana, '/lang es');
    try {
      c = await h.say(ana, '/pausenet iPhone-de-Ana hasta las 07:00');
      assert.match(c.texts[0]!, /^Internet en pausa para iPhone-de-Ana hasta mañana 07:00\./);
      c = await h.say(ana, '/mydevices');
      assert.match(c.texts[0]!, /internet en pausa hasta mañana 07:00/);
      await h.say(ana, '/resumenet iPhone-de-Ana');
    } finally {
      await h.say(ana, '/lang en');
    }
    assert.deepEqual(fake.listed(PAUSE_LIST), []);
  });

  test('a new device raises exactly one announcement; its buttons act, permission-checked', async () => {
    fake.addLease({ address: '192.168.1.77', mac: 'DC:A6:32:01:02:03', hostName: 'raspberrypi', server: 'dhcp-lan' });
    fake.addLease({ address: '10.1.1.77', mac: '06:11:22:33:44:55', server: 'dhcp-guest' });
    await h.say(OWNER, '/devices');
    await h.say(OWNER, '/devices'); // seen again: no second announcement
    const all = announced(h);
    assert.equal(all.length, 2);
    const lan = all.find((a) => a.dedup.startsWith('device-new:DC:A6:32:01:02:03'))!;
    const guest = all.find((a) => a.dedup.startsWith('device-new:06:11'))!;
    assert.equal(lan.severity, 'warning');
    assert.equal(guest.severity, 'info');
    const vendor = macVendor('DC:A6:32:01:02:03');
    assert.ok(vendor, 'the OUI table knows this vendor');
    const text = JSON.stringify(lan.message);
    assert.match(text, /raspberrypi/);
    assert.ok(text.includes(vendor));
    assert.match(text, /192\.168\.1\.77/);

    const group = { platform: 'telegram' as const, id: '-100500', kind: 'group' as const };
    // Family pressing "It's mine" is asked to get an admin's approval; nothing changes yet.
    let c = await h.press(ana, buttonToken(lan.message, /It's mine/), group);
    assert.match(c.texts.join('\n'), /admin/i);
    assert.equal(knownOwner(h, 'DC:A6:32:01:02:03'), null);
    // Family may not block; the admin may, after confirming.
    c = await h.press(ana, buttonToken(lan.message, /Block/), group);
    assert.match(c.texts.join('\n'), /not allowed|admin/i);
    assert.deepEqual(fake.listed(PAUSE_LIST), []);
    c = await h.press(OWNER, buttonToken(lan.message, /Block/), group);
    c = await h.press(OWNER, buttonToken(c.replies[0]?.message, /Confirm|Yes/i), group);
    assert.match(c.texts.join('\n'), /blocked from the internet/);
    assert.deepEqual(fake.listed(PAUSE_LIST), ['192.168.1.77']);
    // Blocked until someone lifts it: no end time, listed in /status, only an admin lifts it.
    assert.equal(fake.menu('ip/firewall/address-list').find((e) => e.address === '192.168.1.77')?.timeout, undefined);
    assert.match((await h.say(OWNER, '/status')).texts.join('\n'), /raspberrypi \(blocked\)/);
    assert.match((await h.say(ana, '/resumenet raspberrypi')).texts[0]!, /Only an admin/);
    assert.deepEqual(fake.listed(PAUSE_LIST), ['192.168.1.77']);
    assert.match((await h.say(OWNER, '/resumenet raspberrypi')).texts[0]!, /Internet is back for raspberrypi/);
    assert.deepEqual(fake.listed(PAUSE_LIST), []);
    // Assign to… lists people; picking one assigns.
    c = await h.press(OWNER, buttonToken(lan.message, /Assign/), group);
    const pick = buttonToken(c.replies[0]?.message, /^Lucia$/);
    c = await h.press(OWNER, pick, group);
    assert.equal(knownOwner(h, 'DC:A6:32:01:02:03'), h.app.permissions.people.find(lucia)!.personId);
  });

  test('guest newcomers can be muted on their own', async () => {
    await h.say(OWNER, '/mute network-guest 1d');
    fake.addLease({ address: '10.1.1.78', mac: '06:11:22:33:44:66', server: 'dhcp-guest' });
    fake.addLease({ address: '192.168.1.78', mac: 'DC:A6:32:01:02:04', server: 'dhcp-lan' });
    await h.say(OWNER, '/devices');
    const dedups = announced(h).map((a) => a.dedup);
    assert.ok(dedups.some((d) => d.startsWith('device-new:DC:A6:32:01:02:04')));
    assert.ok(!dedups.some((d) => d.startsWith('device-new:06:11:22:33:44:66')));
  });
});

function knownOwner(h: TestApp, mac: string): number | null {
  return (h.app.db.prepare('SELECT owner_person_id AS o FROM devices WHERE mac = ?').get(mac) as { o: number | null }).o;
}

describe('demo: /simulate new-device', () => {
  test('the demo router lets a Raspberry Pi join; the bot announces it once, with its vendor', async () => {
    const { routerDemoBackend } = await import('../../src/demo/routeros-backend.ts');
    const lab = await routerDemoBackend.start();
    const h = await startTestApp({ ...lab.config, alerts: { bindings: [{ chat: 'telegram:-100500' }] } });
    try {
      await waitFor(() => knownDevices(h) > 0, { what: 'baseline recorded' });
      assert.equal(lab.simulate?.('new-device'), true);
      assert.equal(lab.simulate?.('power-cut'), false, 'other scenarios are not the router’s');
      await h.say(OWNER, '/devices');
      const all = announced(h);
      assert.equal(all.length, 1);
      assert.match(JSON.stringify(all[0]!.message), /raspberrypi-1/);
      assert.match(JSON.stringify(all[0]!.message), /Raspberry Pi/i);
    } finally {
      await h.close();
      await lab.close();
    }
  });
});

describe('a new-device announcement in a Spanish family group', () => {
  test('the group bound with language es gets the announcement and its buttons in Spanish', async (t) => {
    const fake = await startRouterOsFake();
    const h = await startTestApp({
      router: { url: fake.url, username: admin.name, password: admin.password },
      alerts: { bindings: [{ chat: 'telegram:-100500', language: 'es' }] },
    });
    t.after(async () => {
      await h.close();
      await fake.close();
    });
    await h.say(OWNER, '/devices'); // the first look learns the network as it is
    fake.addLease({ address: '192.168.1.78', mac: 'DC:A6:32:01:02:04', hostName: 'raspberrypi', server: 'dhcp-lan' });
    await h.say(OWNER, '/devices');
    const lan = announced(h).find((a) => a.dedup.startsWith('device-new:DC:A6:32:01:02:04'));
    assert.ok(lan, 'announced');
    const text = lan.message.blocks.map((b) => ('text' in b ? b.text : '')).join('\n');
    const labels = (lan.message.actions ?? []).flat().map((a) => a.label);
    assert.ok(labels.length > 0, 'the announcement has buttons');
    assertNoEnglish(h.app.messages, `${text}\n${labels.join('\n')}`, ['raspberrypi', 'Raspberry']);
  });
});
