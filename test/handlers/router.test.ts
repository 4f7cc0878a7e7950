import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';
import { ManualClock } from '../../src/core/clock.ts';
import type { OutMessage } from '../../src/core/outmessage.ts';
import { FAKE_ROUTER_USERS, startRouterOsFake, type RouterOsFake } from '../../src/demo/routeros.ts';
import { waitFor } from '../support/real-server.ts';
import { assertNoEnglish } from '../support/language.ts';
import { queuedText } from '../support/outbox.ts';
import { buttonToken, OWNER, startTestApp, type TestApp } from '../support/app-harness.ts';

const jsQR = jsQRModule.default;
const admin = FAKE_ROUTER_USERS[0]!;
const monitor = FAKE_ROUTER_USERS[1]!;

function qrPayload(m: OutMessage | undefined): string | undefined {
  if (!m?.image) return undefined;
  const img = PNG.sync.read(Buffer.from(m.image.pngBase64, 'base64'));
  return jsQR(new Uint8ClampedArray(img.data.buffer, img.data.byteOffset, img.data.length), img.width, img.height)?.data;
}

const routerConfig = (fake: RouterOsFake, user = admin) => ({ router: { url: fake.url, username: user.name, password: user.password } });
const guest = (fake: RouterOsFake) => fake.menu('interface/wifi').find((w) => w.name === 'wifi-guest')!;

describe('router commands', () => {
  let fake: RouterOsFake;
  let h: TestApp;
  const clock = new ManualClock(Date.UTC(2026, 10, 25, 18, 0, 0));
  before(async () => {
    fake = await startRouterOsFake();
    h = await startTestApp(routerConfig(fake), { clock });
  });
  after(async () => {
    await h.close();
    await fake.close();
  });

  test('/wifi gives family the SSID, password and a QR that decodes to them, privately', async () => {
    guest(fake).disabled = 'false';
    const fam = h.person('family');
    const conv = await h.say(fam, '/wifi');
    const reply = conv.replies[0];
    assert.ok(reply, 'a reply');
    assert.match(reply.text, /thehomelab-guest/);
    assert.match(reply.text, /maple-tiger-cloud-piano-4827/);
    assert.equal(reply.message.ephemeral, true);
    const fields = reply.message.blocks.flatMap((b) => (b.kind === 'fields' ? b.fields : []));
    assert.deepEqual(
      fields.filter((f) => f.copy).map((f) => f.value),
      ['maple-tiger-cloud-piano-4827'],
      'the password, and only it, is one tap to copy',
    );
    assert.equal(qrPayload(reply.message), 'WIFI:T:WPA;S:thehomelab-guest;P:maple-tiger-cloud-piano-4827;;');
  });

  test('a guest may not see the WiFi password', async () => {
    const g = h.person('guest');
    const conv = await h.say(g, '/wifi');
    assert.doesNotMatch(conv.texts.join('\n'), /maple-tiger/);
    assert.equal(conv.replies[0]?.message.image, undefined);
  });

  test('family may not manage the guest WiFi, view devices or the VPN', async () => {
    const fam = h.person('family');
    for (const cmd of ['/guestwifi off', '/devices', '/vpn', '/rotatewifi']) {
      const conv = await h.say(fam, cmd);
      assert.match(conv.texts.join('\n'), /not allowed/, cmd);
    }
    assert.equal(guest(fake).disabled, 'false');
  });

  test('/guestwifi off then on; /wifi warns while it is off', async () => {
    let conv = await h.say(OWNER, '/guestwifi off');
    assert.match(conv.texts[0] ?? '', /now off/);
    assert.equal(guest(fake).disabled, 'true');
    conv = await h.say(OWNER, '/wifi');
    assert.match(conv.texts[0] ?? '', /off right now/);
    conv = await h.say(OWNER, '/guestwifi on');
    assert.match(conv.texts[0] ?? '', /now on/);
    assert.equal(guest(fake).disabled, 'false');
  });

  test('/guestwifi without arguments shows the state with buttons that work', async () => {
    const conv = await h.say(OWNER, '/guestwifi');
    assert.match(conv.texts[0] ?? '', /is on/);
    const off = await h.press(OWNER, buttonToken(conv.replies[0]?.message, /Turn off/));
    assert.match(off.texts[0] ?? '', /now off/);
    assert.equal(guest(fake).disabled, 'true');
    const on = await h.press(OWNER, buttonToken(conv.replies[0]?.message, /On for 2h/));
    assert.match(on.texts[0] ?? '', /turns off automatically in 2h/);
    assert.equal(guest(fake).disabled, 'false');
    await h.say(OWNER, '/guestwifi on'); // no limit: clears the deadline again
  });

  test('a duration without "on" is refused', async () => {
    const conv = await h.say(OWNER, '/guestwifi off 2h');
    assert.match(conv.texts[0] ?? '', /only goes with "on"/);
  });

  test('/rotatewifi asks first; confirming sets a new readable passphrase and the QR follows it', async () => {
    const conv = await h.say(OWNER, '/rotatewifi');
    assert.match(conv.texts[0] ?? '', /Change the guest WiFi password/);
    assert.equal(guest(fake)['security.passphrase'], 'maple-tiger-cloud-piano-4827');
    const done = await h.press(OWNER, buttonToken(conv.replies[0]?.message, /Yes/));
    const reply = done.replies.find((r) => r.message.image);
    assert.ok(reply, done.texts.join('\n'));
    const newPass = guest(fake)['security.passphrase']!;
    assert.notEqual(newPass, 'maple-tiger-cloud-piano-4827');
    assert.match(newPass, /^[a-z]+-[a-z]+-[a-z]+-[a-z]+-[2-9]{4}$/);
    assert.match(reply.text, new RegExp(newPass));
    assert.equal(qrPayload(reply.message), `WIFI:T:WPA;S:thehomelab-guest;P:${newPass};;`);
    assert.equal(fake.menu('interface/wifi').find((w) => w.name === 'wifi1')?.['security.passphrase'], 'family-wifi-secret-2024');
  });

  test('/devices lists the LAN and guest networks with host names', async () => {
    const conv = await h.say(OWNER, '/devices');
    const text = conv.texts[0] ?? '';
    assert.match(text, /Home network \(8\)/);
    assert.match(text, /proxmox1 — 192\.168\.1\.6/);
    assert.match(text, /Guest network \(2\)/);
    assert.match(text, /Galaxy-A54 — 10\.1\.1\.23/);
    // A device without a host name is told apart by its MAC address.
    assert.match(text, /• unnamed device — 10\.1\.1\.24 · 00:00:5E:00:53:A4/);
    assert.match(text, /1 more known device is not connected/);
    const onlyGuest = await h.say(OWNER, '/devices guest');
    assert.doesNotMatch(onlyGuest.texts[0] ?? '', /proxmox1/);
  });

  test('/vpn shows handshakes and transfer', async () => {
    const conv = await h.say(OWNER, '/vpn');
    const text = conv.texts[0] ?? '';
    assert.match(text, /🟢 ana-phone \(192\.168\.100\.2\/32\): last seen 1 min ago; received 100 MiB, sent 500 MiB/);
    assert.match(text, /⚪ old-tablet .*never connected/);
  });

  test('/router shows version, uptime, memory and the public IP; /status has a router line', async () => {
    const conv = await h.say(h.person('family'), '/router');
    const text = conv.texts[0] ?? '';
    assert.match(text, /RouterOS: 7\.16\.2/);
    assert.match(text, /Public IP: 203\.0\.113\.45/);
    assert.match(text, /Memory used: 344 MiB of 1\.0 GiB/);
    assert.match(text, /Model: hAP ax\^2/);
    const status = await h.say(OWNER, '/status');
    assert.match(status.texts[0] ?? '', /Router.*guest WiFi on/s);
  });
});

describe('router failures and the auto-off across a restart', () => {
  test('a read-only router user: a clear answer, nothing changed', async () => {
    const fake = await startRouterOsFake();
    const h = await startTestApp(routerConfig(fake, monitor));
    try {
      const conv = await h.say(OWNER, '/guestwifi off');
      assert.match(conv.texts[0] ?? '', /Router refused the request: .*write/);
      assert.equal(guest(fake).disabled, 'false');
      assert.doesNotMatch(conv.texts.join('\n'), new RegExp(monitor.password));
    } finally {
      await h.close();
      await fake.close();
    }
  });

  test('router down: /wifi says it cannot be reached', async () => {
    const fake = await startRouterOsFake();
    const h = await startTestApp(routerConfig(fake));
    await fake.close();
    try {
      const conv = await h.say(OWNER, '/wifi');
      assert.match(conv.texts[0] ?? '', /Router cannot be reached/);
    } finally {
      await h.close();
    }
  });

  test('guest WiFi on for 2h survives a bot restart and turns off when due', async () => {
    const fake = await startRouterOsFake();
    const dir = mkdtempSync(join(tmpdir(), 'router-restart-'));
    const clock = new ManualClock(Date.UTC(2026, 10, 25, 18, 0, 0));
    const apps: TestApp[] = [];
    try {
      guest(fake).disabled = 'true';
      const first = await startTestApp(routerConfig(fake), { clock, dir });
      apps.push(first);
      const conv = await first.say(OWNER, '/guestwifi on 2h');
      assert.match(conv.texts[0] ?? '', /2h/);
      assert.equal(guest(fake).disabled, 'false');
      await apps.pop()!.close();

      clock.advance(90 * 60_000);
      const second = await startTestApp(routerConfig(fake), { clock, dir });
      apps.push(second);
      const wifi = await second.say(OWNER, '/wifi');
      assert.match(wifi.texts[0] ?? '', /turns off automatically in 30m/);
      assert.equal(guest(fake).disabled, 'false');
      clock.advance(31 * 60_000);
      await waitFor(() => guest(fake).disabled === 'true', { what: 'guest WiFi turned off by the auto-off', timeoutMs: 5000 });
      const told = await waitFor(
        () =>
          second.app.db.prepare('SELECT destination FROM alert_outbox WHERE payload LIKE ?').get('%turned off automatically%') as
            { destination: string } | undefined,
        { what: 'auto-off notice queued' },
      );
      assert.equal(told.destination, OWNER);
      const status = await second.say(OWNER, '/guestwifi');
      assert.match(status.texts[0] ?? '', /is off/);
    } finally {
      for (const a of apps) await a.close();
      rmSync(dir, { recursive: true, force: true });
      await fake.close();
    }
  });
  test('the auto-off notice reaches a Spanish reader in Spanish', async () => {
    const fake = await startRouterOsFake();
    const clock = new ManualClock(Date.UTC(2026, 10, 25, 18, 0, 0));
    const h = await startTestApp(routerConfig(fake), { clock });
    try {
      guest(fake).disabled = 'true';
      await h.say(OWNER, '/lang es');
      const on = await h.say(OWNER, '/guestwifi on 1h');
      assert.equal(guest(fake).disabled, 'false', on.texts.join('\n'));
      clock.advance(61 * 60_000);
      await waitFor(() => guest(fake).disabled === 'true', { what: 'guest WiFi turned off by the auto-off', timeoutMs: 5000 });
      const text = await waitFor(() => queuedText(h, OWNER, '%WiFi de invitados%'), { what: 'Spanish auto-off notice queued' });
      assert.match(text, /se ha apagado automáticamente/);
      assertNoEnglish(h.app.messages, text, ['WiFi']);
    } finally {
      await h.close();
      await fake.close();
    }
  });
});
