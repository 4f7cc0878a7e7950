/**
 * The cloud area end to end: the whole bot against the fake Nextcloud on 127.0.0.1, and occ
 * over a real sshd (pinned host key) running the fake occ script.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startFakeNextcloud, type FakeNextcloud } from '../../src/demo/nextcloud.ts';
import { ManualClock } from '../../src/core/clock.ts';
import { OWNER, buttonToken, startTestApp, type TestApp } from '../support/app-harness.ts';
import { requireBinary } from '../support/real-server.ts';
import { SSHD, startSshd, type TestSshd } from '../support/sshd.ts';
import { createFakeOcc, type FakeOcc } from '../support/fake-occ.ts';

const APP_PASSWORD = 'Mq7Tr-9xKp2-LwZ4a-Nc8vB-Yd4sE';

describe('/cloud without occ', () => {
  let nc: FakeNextcloud;
  let h: TestApp;
  let fam: string;
  const clock = new ManualClock(Date.now());

  before(async () => {
    nc = await startFakeNextcloud({ appPassword: APP_PASSWORD });
    h = await startTestApp({ nextcloud: { url: nc.url, username: 'admin', appPassword: APP_PASSWORD } }, { clock });
    fam = h.person('family');
  });
  after(async () => {
    await h.close();
    await nc.close();
  });

  test('family sees version, state, storage, active users, PHP and database health', async () => {
    const r = (await h.say(fam, '/cloud')).texts[0]!;
    for (const re of [
      /State: working/,
      /Version: 30\.0\.4/,
      /Free space: 384 GiB/,
      /Files: 48,213 in 4 accounts/,
      /Active users: 1 now · 2 last hour · 4 today/,
      /PHP: 8\.2\.26 \(memory limit 512 MiB\)/,
      /Database: mysql 10\.11\.6, 304 MiB/,
      /CPU load: 0\.42 \/ 0\.35 \/ 0\.31/,
      /Memory: 2\.8 GiB used of 4\.0 GiB/,
    ]) {
      assert.match(r, re);
    }
    assert.match((await h.say(fam, '/status')).texts[0]!, /Cloud \(Nextcloud\): working · 30\.0\.4/);
  });

  test('maintenance mode and a pending upgrade are shown (no button without occ)', async () => {
    nc.setMaintenance(true);
    nc.setNeedsDbUpgrade(true);
    clock.advance(61_000);
    const r = (await h.say(fam, '/cloud')).replies[0]!;
    assert.match(r.text, /State: maintenance mode/);
    assert.match(r.text, /cannot open their files/);
    assert.match(r.text, /database upgrade/);
    assert.equal(r.message.severity, 'warning');
    assert.equal(r.message.actions, undefined);
    nc.setMaintenance(false);
    nc.setNeedsDbUpgrade(false);
    clock.advance(61_000);
  });

  test('an expired app password: status still shown, health explained', async () => {
    const other = await startFakeNextcloud({ appPassword: 'another' });
    const h2 = await startTestApp({ nextcloud: { url: other.url, username: 'admin', appPassword: 'another' } });
    try {
      other.revokeAppPassword();
      const r = (await h2.say(OWNER, '/cloud')).texts[0]!;
      assert.match(r, /State: working/);
      assert.match(r, /Health details are not available: .*app password rejected or expired/);
      assert.doesNotMatch(r, /another/);
    } finally {
      await h2.close();
      await other.close();
    }
  });

  test('Nextcloud down: a clear error', async () => {
    nc.setBroken(true);
    clock.advance(61_000);
    const r = (await h.say(fam, '/cloud')).texts[0]!;
    assert.match(r, /not answering right now \(Nextcloud cannot start \(HTTP 500 from status\.php\)\); this is the last known state/);
    nc.setBroken(false);
    clock.advance(61_000);
  });

  test('maintenance and scan need occ: admin-only, and say when SSH is not configured', async () => {
    assert.match((await h.say(fam, '/cloud_maintenance off')).texts[0]!, /not allowed/);
    assert.match((await h.say(fam, '/cloud_scan ana')).texts[0]!, /not allowed/);
    assert.match((await h.say(OWNER, '/cloud_maintenance off')).texts[0]!, /no SSH access/);
    // Turning it on is confirmed, but only once it is known the bot can: no question first.
    const on = await h.say(OWNER, '/cloud_maintenance on');
    assert.equal(on.texts.length, 1);
    assert.match(on.texts[0]!, /no SSH access/);
    assert.equal(on.replies[0]?.message.actions, undefined);
  });
});

describe('/cloud_maintenance and /cloud_scan over a real sshd', () => {
  let sshd: TestSshd | undefined;
  let occ: FakeOcc | undefined;
  let nc: FakeNextcloud;
  let h: TestApp | undefined;

  before(async () => {
    nc = await startFakeNextcloud({ appPassword: APP_PASSWORD });
    try {
      execFileSync('test', ['-x', SSHD]);
    } catch {
      return;
    }
    sshd = await startSshd();
    occ = createFakeOcc();
    h = await startTestApp({
      nextcloud: {
        url: nc.url,
        username: 'admin',
        appPassword: APP_PASSWORD,
        occ: {
          ssh: { host: sshd.host, port: sshd.port, username: sshd.username, privateKeyPath: sshd.clientKeyPath, hostKey: sshd.hostKey },
          command: occ.prefix,
        },
      },
    });
  });
  after(async () => {
    await h?.close();
    await sshd?.close();
    occ?.close();
    await nc.close();
  });

  test('maintenance on asks for confirmation first; confirmed, occ runs; off needs no confirmation', async (t) => {
    if (!requireBinary(t, SSHD, 'openssh-server')) return;
    const ask = await h!.say(OWNER, '/cloud_maintenance on');
    assert.match(ask.texts[0]!, /Nobody can use the cloud/);
    assert.equal(occ!.maintenance(), 'off', 'nothing ran before confirming');
    const done = await h!.press(OWNER, buttonToken(ask.replies[0]!.message, /Yes, do it/));
    assert.match(done.texts.join('\n'), /Maintenance mode is on/);
    assert.equal(occ!.maintenance(), 'on');
    const again = await h!.press(OWNER, buttonToken(ask.replies[0]!.message, /Yes, do it/));
    assert.match(again.texts.join('\n'), /already used|expired|not valid/i, 'a confirmation works once');

    const scan = await h!.say(OWNER, '/cloud_scan ana');
    assert.match(scan.replies[0]!.edits.at(-1) ? JSON.stringify(scan.replies[0]!.edits.at(-1)) : '', /maintenance mode is on/);

    const off = await h!.say(OWNER, '/cloud_maintenance off');
    assert.match(off.texts[0]!, /Maintenance mode is off/);
    assert.equal(occ!.maintenance(), 'off');
  });

  test('files:scan reports progress and the result; hostile names never reach the shell', async (t) => {
    if (!requireBinary(t, SSHD, 'openssh-server')) return;
    const r = await h!.say(OWNER, '/cloud_scan ana');
    const first = r.replies[0]!;
    assert.match(first.text, /Scanning the files of ana/);
    assert.match(JSON.stringify(first.edits.at(-1)), /Scan of ana finished: 3 folders, 12 files in 00:00:01/);
    const unknown = await h!.say(OWNER, '/cloud_scan nobody');
    assert.match(JSON.stringify(unknown.replies[0]!.edits.at(-1)), /unknown user nobody/);
    const calls = occ!.argv().length;
    for (const bad of ['"ana; touch /tmp/x"', '--all', '"$(id)"']) {
      const b = await h!.say(OWNER, `/cloud_scan ${bad}`);
      assert.match(b.texts[0]!, /does not look right/);
    }
    assert.equal(occ!.argv().length, calls, 'occ was not called for bad names');
  });
});
