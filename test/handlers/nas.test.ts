import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../src/core/clock.ts';
import { startOmvFake, type OmvFake } from '../../src/demo/omv.ts';
import { requireBinary } from '../support/real-server.ts';
import { OWNER, startTestApp, type TestApp } from '../support/app-harness.ts';
import { SSHD, startSshd, type TestSshd } from '../support/sshd.ts';
import { selfSigned } from '../support/tls.ts';

const omvConfig = (fake: OmvFake, over: Record<string, unknown> = {}) => ({
  omv: { url: fake.url, username: fake.username, password: fake.password, pollSeconds: 3600, ...over },
});
const fixture = (name: string): string => readFileSync(new URL(`../fixtures/mdstat/${name}`, import.meta.url), 'utf8');

describe('/nas end to end (fake OpenMediaVault 6)', () => {
  let fake: OmvFake;
  let h: TestApp;
  const clock = new ManualClock(Date.now());
  /** The next /nas refreshes the snapshot instead of answering from cache. */
  const stale = (): void => clock.advance(2 * 60_000);
  const nas = async (who = OWNER): Promise<string> => {
    stale();
    return (await h.say(who, '/nas')).texts[0] ?? '';
  };

  before(async () => {
    fake = await startOmvFake();
    h = await startTestApp(omvConfig(fake), { clock });
  });
  after(async () => {
    await h.close();
    await fake.close();
  });

  test('RAID, space, disk health and shares of the healthy NAS, with the snapshot age', async () => {
    const text = await nas();
    assert.match(text, /^NAS nas/);
    assert.match(text, /RAID\n• 🟢 md0 \(raid1\): healthy — sda, sdb/);
    assert.match(text, /• 🟢 data \(\/dev\/md0\): \d+ GiB of 916 GiB used \(41 %\), \d+ GiB free/);
    assert.match(text, /• 🟢 \/dev\/sda Samsung SSD 870 EVO 1TB: healthy — 31 °C, 17,412 h powered on, 0 reallocated sectors/);
    assert.match(text, /Shared folders\n• 📁 backups — .*\n• 📁 documents — .*\n• 📁 media — /);
    assert.match(text, /as of just now$/);
  });

  test('a disk drops out, the RAID rebuilds with progress, and is whole again', async () => {
    try {
      fake.degrade('/dev/sdb');
      // The empty slot, the disk to keep and the attached disk that dropped out, by model and serial.
      assert.match(
        await nas(),
        /🔴 md0 \(raid1\): DEGRADED — sda, — \(removed\)\nNo disk in slot 2 of 2\. Still working \(keep\): \/dev\/sda \(Samsung SSD 870 EVO 1TB, S\/N S6PTNM0T401234A\)\. Attached but in no array: \/dev\/sdb \(Samsung SSD 870 EVO 1TB, S\/N S6PTNM0T405678B\)\.\n/,
      );
      // Red in /status too, like the alert (not amber).
      assert.match((await h.say(OWNER, '/status')).texts[0] ?? '', /🔴 The NAS \(OpenMediaVault\): RAID DEGRADED/);
      fake.startRebuild({ percent: 37.5 });
      const rebuilding = await nas();
      assert.match(rebuilding, /🔵 md0 \(raid1\): rebuilding, 37\.5 % done, about 50 min left — sda, sdb/);
      assert.match(rebuilding, /Rebuilding onto \/dev\/sdb \(Samsung SSD 870 EVO 1TB, S\/N S6PTNM0T405678B\)\./);
      assert.doesNotMatch(rebuilding, /No disk in slot/);
      assert.match((await h.say(OWNER, '/status')).texts[0] ?? '', /🔵 The NAS \(OpenMediaVault\): RAID rebuilding/);
      fake.recover();
      assert.match(await nas(), /🟢 md0 \(raid1\): healthy — sda, sdb/);
    } finally {
      fake.recover();
    }
  });

  test('a failed member and a spare are named as such, not "in use"', async () => {
    try {
      fake.failMember('/dev/sdb');
      fake.addSpare('/dev/sdc');
      assert.match(
        await nas(),
        /🔴 md0 \(raid1\): DEGRADED — sda, — \(removed\), sdb \(failed\), sdc \(spare\)\nReplace: \/dev\/sdb \(Samsung SSD 870 EVO 1TB, S\/N S6PTNM0T405678B\)\. Still working \(keep\): \/dev\/sda \(Samsung SSD 870 EVO 1TB, S\/N S6PTNM0T401234A\)\.\n/,
      );
    } finally {
      fake.recover();
    }
  });

  test('a configured filesystem whose disk is gone is shown missing', async () => {
    const fs = fake.filesystem('/dev/md0');
    assert.ok(fs);
    try {
      fs.missing = true;
      assert.match(await nas(), /🔴 \/srv\/dev-disk-by-uuid-[0-9a-f-]+: missing \(its disk is not there\)/);
    } finally {
      delete fs.missing;
    }
  });

  test('a disk with bad sectors is flagged with the attributes that matter', async () => {
    const d = fake.disk('/dev/sdb');
    assert.ok(d);
    Object.assign(d, { reallocated: 12, pending: 3, status: 'BAD_SECTOR' });
    try {
      const conv = await h.say(OWNER, '/nas');
      assert.doesNotMatch(conv.texts[0] ?? '', /sdb.*SMART says/, 'still the cached snapshot');
      const text = await nas();
      assert.match(
        text,
        /🔴 \/dev\/sdb Samsung SSD 870 EVO 1TB: SMART says BAD_SECTOR — 33 °C, 17,409 h powered on, 12 reallocated sectors, 3 pending sectors/,
      );
      assert.match(
        (await h.say(OWNER, '/status')).texts[0] ?? '',
        /The NAS \(OpenMediaVault\): RAID healthy, 1 disk needs attention, data 41 % full/,
      );
    } finally {
      Object.assign(d, { reallocated: 0, pending: 0, status: 'GOOD' });
    }
  });

  test('an expired session is renewed without the user noticing', async () => {
    await nas();
    fake.expireSessions();
    const before = fake.loginCount;
    assert.match(await nas(), /🟢 md0/);
    assert.equal(fake.loginCount - before, 1);
  });

  test('one part failing does not hide the rest', async () => {
    fake.failMethod('SMB.getShareList', 500, 'smbd is not running');
    try {
      const text = await nas();
      assert.match(text, /Shared folders\n• ⚪ not available right now: smbd is not running/);
      assert.match(text, /🟢 md0/);
    } finally {
      fake.failMethod(undefined);
    }
  });

  test('family may read it; Spanish', async () => {
    const fam = h.person('family');
    await h.say(fam, '/lang es');
    const text = await nas(fam);
    assert.match(text, /🟢 md0 \(raid1\): correcto — sda, sdb/);
    assert.match(text, /Carpetas compartidas/);
  });
});

describe('/nas bad input: one clear sentence, no secrets', () => {
  let fake: OmvFake;
  before(async () => {
    fake = await startOmvFake();
  });
  after(async () => {
    await fake.close();
  });

  const ask = async (config: Record<string, unknown>, setup?: () => void): Promise<string> => {
    setup?.();
    const h = await startTestApp(config);
    try {
      const conv = await h.say(OWNER, '/nas');
      assert.equal(conv.replies.length, 1);
      return conv.texts[0] ?? '';
    } finally {
      await h.close();
    }
  };

  test('a wrong password', async () => {
    const text = await ask(omvConfig(fake, { password: 'not-it-123' }));
    assert.equal(
      text,
      'The NAS (OpenMediaVault) refused the credentials: the login as admin was refused (check username and password). Check the user, password or token in the config.',
    );
  });

  test('a 500', async () => {
    const text = await ask(omvConfig(fake), () => fake.failMethod('System.getInformation', 500, 'php-fpm crashed'));
    fake.failMethod(undefined);
    assert.equal(text, 'The NAS (OpenMediaVault) refused the request: php-fpm crashed.');
  });

  test('a malformed body', async () => {
    const text = await ask(omvConfig(fake), () => fake.malformedNext('<html>502 Bad Gateway</html>'));
    assert.match(text, /^The NAS \(OpenMediaVault\) sent a reply I cannot understand \(the reply is not valid JSON\)/);
  });

  test('a certificate that does not match the pin', async () => {
    const https = await startOmvFake({ tls: selfSigned('nas') });
    try {
      const text = await ask(omvConfig(https, { fingerprint: selfSigned().fingerprint256 }));
      assert.match(text, /^The NAS \(OpenMediaVault\) cannot be reached: its TLS certificate does not match the pinned fingerprint\./);
      assert.equal(https.requestCount, 0, 'the password never left');
    } finally {
      await https.close();
    }
  });
});

describe('/nas from mdadm over SSH (real sshd, no OMV)', () => {
  let sshd: TestSshd | undefined;
  before(async () => {
    try {
      execFileSync('test', ['-x', SSHD]);
    } catch {
      return;
    }
    sshd = await startSshd({ mdstat: fixture('recovery-raid1.txt') });
  });
  after(async () => {
    await sshd?.close();
  });

  const mdConfig = (s: TestSshd, hostKey = s.hostKey) => ({
    mdadm: { ssh: { host: s.host, port: s.port, username: s.username, privateKeyPath: s.clientKeyPath, hostKey }, pollSeconds: 3600 },
  });

  test('RAID state from /proc/mdstat', async (t) => {
    if (!requireBinary(t, SSHD, 'openssh-server') || !sshd) return;
    const h = await startTestApp(mdConfig(sshd));
    try {
      const text = (await h.say(OWNER, '/nas')).texts[0] ?? '';
      assert.match(
        text,
        /^NAS 127\.0\.0\.1\nRAID\n• 🔵 md0 \(raid1\): rebuilding, 12\.6 % done, about 71 min left — sda, sdb \(being rebuilt\)/,
      );
      assert.doesNotMatch(text, /Shared folders/);
    } finally {
      await h.close();
    }
  });

  test('a host key that does not match the pin', async (t) => {
    if (!requireBinary(t, SSHD, 'openssh-server') || !sshd) return;
    const h = await startTestApp(mdConfig(sshd, 'SHA256:' + 'A'.repeat(43)));
    try {
      const text = (await h.say(OWNER, '/nas')).texts[0] ?? '';
      assert.match(
        text,
        /^The NAS RAID check \(SSH\) cannot be reached: its host key SHA256:\S+ does not match the pinned SHA256:A{43} \(check hostKey with ssh-keygen -lf\)\./,
      );
    } finally {
      await h.close();
    }
  });
});

describe('OpenMediaVault login emails across restarts', () => {
  test('the login-marker cookie is kept in SQLite: one "your account was used to log in" email in total', async () => {
    const fake = await startOmvFake();
    const clock = new ManualClock(Date.now());
    const dir = mkdtempSync(join(tmpdir(), 'omv-restarts-'));
    try {
      for (let run = 0; run < 3; run++) {
        const h = await startTestApp(omvConfig(fake), { clock, dir });
        try {
          clock.advance(2 * 60_000);
          assert.match((await h.say(OWNER, '/nas')).texts[0] ?? '', /^NAS nas/);
          fake.expireSessions(); // the session ends too: the next call logs in again within this run
          clock.advance(2 * 60_000);
          assert.match((await h.say(OWNER, '/nas')).texts[0] ?? '', /^NAS nas/);
        } finally {
          await h.close();
        }
      }
      assert.ok(fake.loginCount >= 6, `logged in ${fake.loginCount} times`);
      assert.equal(fake.loginEmails, 1);
    } finally {
      await fake.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
