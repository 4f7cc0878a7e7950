import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startOmvFake, type OmvFake } from '../../src/demo/omv.ts';
import { raidHealth } from '../../src/services/mdadm/raid.ts';
import { OmvClient, type OmvOptions } from '../../src/services/omv/client.ts';
import { selfSigned } from '../support/tls.ts';

describe('OmvClient against the OMV 6 fake', () => {
  let fake: OmvFake;
  let omv: OmvClient;
  const clients: OmvClient[] = [];
  const client = (over: Partial<OmvOptions> = {}): OmvClient => {
    const c = new OmvClient({ baseUrl: fake.url, username: fake.username, password: fake.password, timeoutMs: 2_000, ...over });
    clients.push(c);
    return c;
  };

  before(async () => {
    fake = await startOmvFake();
    omv = client();
  });
  after(async () => {
    for (const c of clients) await c.close();
    await fake.close();
  });

  test('system information', async () => {
    const r = await omv.systemInfo();
    assert.ok(r.ok);
    assert.equal(r.value.hostname, 'nas');
    assert.match(r.value.version, /^6\./);
    assert.deepEqual(r.value.loadAverage, [0.08, 0.12, 0.1]);
    assert.equal(r.value.rebootRequired, false);
  });

  test('RAID list: md0 RAID 1 of sda and sdb, healthy', async () => {
    const r = await omv.raidList();
    assert.ok(r.ok);
    assert.equal(r.value.length, 1);
    const md0 = r.value[0];
    assert.deepEqual([md0?.name, md0?.level, md0?.raidDisks, md0 && raidHealth(md0)], ['md0', 'raid1', 2, 'healthy']);
    assert.deepEqual(
      md0?.members.map((m) => m.device),
      ['/dev/sda', '/dev/sdb'],
    );
    assert.equal(md0?.sizeBytes, 976_630_464 * 1024);
  });

  test('a RAID that degrades, rebuilds with progress, and recovers', async () => {
    try {
      fake.degrade('/dev/sdb');
      let r = await omv.raidList();
      assert.ok(r.ok && r.value[0]);
      assert.equal(raidHealth(r.value[0]), 'degraded');
      assert.deepEqual(
        r.value[0].members.map((m) => `${m.device}:${m.state}`),
        ['/dev/sda:active', ':removed'],
      );
      fake.startRebuild({ percent: 12.6 });
      r = await omv.raidList();
      assert.ok(r.ok && r.value[0]);
      assert.equal(raidHealth(r.value[0]), 'rebuilding');
      assert.equal(r.value[0].sync?.percent, 12.6);
      assert.equal(r.value[0].sync?.action, 'recovery');
      assert.ok((r.value[0].sync?.finishMinutes ?? 0) > 0);
      assert.match(r.value[0].stateText ?? '', /^active, degraded, recovering \(12\.6% /);
      fake.recover();
      r = await omv.raidList();
      assert.equal(r.ok && r.value[0] && raidHealth(r.value[0]), 'healthy');
    } finally {
      fake.recover();
    }
  });

  test('a failed member and a hot spare keep their states (getList lists both without saying so)', async () => {
    try {
      fake.failMember('/dev/sdb');
      fake.addSpare('/dev/sdc');
      const r = await omv.raidList();
      assert.ok(r.ok && r.value[0]);
      assert.deepEqual(
        r.value[0].members.filter((m) => m.device).map((m) => `${m.device}:${m.state}`),
        ['/dev/sda:active', '/dev/sdb:faulty', '/dev/sdc:spare'],
      );
      assert.equal(raidHealth(r.value[0]), 'degraded');
    } finally {
      fake.recover();
    }
  });

  test('member states stay unknown when getDetail fails (never guessed active)', async () => {
    fake.failMethod('RaidMgmt.getDetail', 500, 'mdadm: cannot open /dev/md0');
    try {
      const r = await omv.raidList();
      assert.ok(r.ok && r.value[0]);
      assert.deepEqual(
        r.value[0].members.map((m) => m.state),
        ['unknown', 'unknown'],
      );
    } finally {
      fake.failMethod(undefined);
    }
  });

  test('a configured filesystem whose disk is gone (status 3) is missing, not "unknown"', async () => {
    const fs = fake.filesystem('/dev/md0');
    assert.ok(fs);
    try {
      fs.missing = true;
      const r = await omv.filesystems();
      assert.ok(r.ok);
      const data = r.value.find((f) => f.devicefile === '/dev/md0');
      assert.equal(data?.state, 'missing');
      assert.equal(data?.mounted, false);
      assert.equal(data?.sizeBytes, 0);
      assert.match(data?.mountpoint ?? '', /^\/srv\/dev-disk-by-uuid-/);
    } finally {
      delete fs.missing;
    }
  });

  test('SMART list and the attributes that matter', async () => {
    const disks = await omv.smartList();
    assert.ok(disks.ok);
    assert.deepEqual(
      disks.value.map((d) => [d.devicefile, d.status, d.temperature]),
      [
        ['/dev/sda', 'GOOD', 31],
        ['/dev/sdb', 'GOOD', 33],
      ],
    );
    const h = await omv.smartAttributes('/dev/sda');
    assert.ok(h.ok);
    assert.deepEqual(
      [h.value.reallocatedSectors, h.value.pendingSectors, h.value.temperature, h.value.powerOnHours, h.value.failingAttributes],
      [0, undefined, 31, 17_412, []],
    );
  });

  test('SMART attributes of a failing disk', async () => {
    const d = fake.disk('/dev/sdb');
    assert.ok(d);
    Object.assign(d, { reallocated: 8, pending: 2, status: 'BAD_SECTOR' });
    try {
      const h = await omv.smartAttributes('/dev/sdb');
      assert.ok(h.ok);
      assert.deepEqual([h.value.reallocatedSectors, h.value.pendingSectors], [8, 2]);
      assert.deepEqual(h.value.failingAttributes, ['Reallocated_Sector_Ct']);
    } finally {
      Object.assign(d, { reallocated: 0, pending: 0, status: 'GOOD' });
    }
  });

  test("SMART attributes of an unknown device are rejected with OMV's message", async () => {
    const r = await omv.smartAttributes('/dev/sdz');
    assert.deepEqual(!r.ok && [r.error.kind, r.error.detail], ['rejected', "No S.M.A.R.T. support for device '/dev/sdz'."]);
  });

  test('filesystems with usage', async () => {
    const r = await omv.filesystems();
    assert.ok(r.ok);
    const data = r.value.find((f) => f.devicefile === '/dev/md0');
    assert.deepEqual([data?.label, data?.type, data?.mounted, data?.percent], ['data', 'ext4', true, 41]);
    assert.ok((data?.availableBytes ?? 0) > 0 && (data?.sizeBytes ?? 0) > (data?.availableBytes ?? 0));
  });

  test('SMB shares', async () => {
    const r = await omv.smbShares();
    assert.deepEqual(r.ok && r.value.map((s) => [s.name, s.enabled]), [
      ['backups', true],
      ['documents', true],
      ['media', true],
    ]);
  });

  test('logs in once and keeps the session', async () => {
    const c = client();
    const before = fake.loginCount;
    for (let i = 0; i < 3; i++) assert.equal((await c.systemInfo()).ok, true);
    assert.equal(fake.loginCount - before, 1);
  });

  describe('bad input', () => {
    test('an expired session logs in again once and the call succeeds', async () => {
      const c = client();
      assert.equal((await c.systemInfo()).ok, true);
      const before = fake.loginCount;
      fake.expireSessions();
      const r = await c.smbShares();
      assert.equal(r.ok, true);
      assert.equal(fake.loginCount - before, 1);
    });

    test('a wrong password is an auth error without the password', async () => {
      const r = await client({ password: 'not-the-pass-42' }).systemInfo();
      assert.equal(!r.ok && r.error.kind, 'auth');
      assert.match(!r.ok ? r.error.detail : '', /login as admin was refused/);
      assert.ok(!JSON.stringify(r).includes('not-the-pass-42'));
    });

    test("a 500 carries OMV's message, never the trace", async () => {
      fake.failNext(500, "Failed to execute command 'export PATH=...; mdadm --detail': exit code 1");
      const r = await omv.raidList();
      assert.deepEqual(!r.ok && [r.error.kind, r.error.status], ['rejected', 500]);
      assert.match(!r.ok ? r.error.detail : '', /^Failed to execute command/);
      assert.ok(!JSON.stringify(r).includes('rpc.inc'));
    });

    test('a malformed body is a protocol error', async () => {
      fake.malformedNext();
      const r = await omv.filesystems();
      assert.equal(!r.ok && r.error.kind, 'protocol');
      fake.malformedNext('<html>502 Bad Gateway</html>');
      const r2 = await omv.systemInfo();
      assert.deepEqual(!r2.ok && r2.error.detail, 'the reply is not valid JSON');
    });

    test('no answer in time is a timeout', async () => {
      const c = client({ timeoutMs: 200 });
      assert.equal((await c.systemInfo()).ok, true);
      fake.hangNext();
      const r = await c.systemInfo();
      assert.equal(!r.ok && r.error.kind, 'timeout');
    });

    test("a wrong base URL gets the web server's 404 as a rejection", async () => {
      const r = await client({ baseUrl: `${fake.url}/omv` }).systemInfo();
      assert.deepEqual(!r.ok && [r.error.kind, r.error.status], ['rejected', 404]);
    });
  });
});

describe('OmvClient against the OMV 7 fake (MdMgmt, other cookie name)', () => {
  let fake: OmvFake;
  let omv: OmvClient;
  before(async () => {
    fake = await startOmvFake({ version: 7 });
    omv = new OmvClient({ baseUrl: fake.url, username: fake.username, password: fake.password });
  });
  after(async () => {
    await omv.close();
    await fake.close();
  });

  test('falls back from RaidMgmt to MdMgmt and remembers it', async () => {
    const r = await omv.raidList();
    assert.equal(r.ok && r.value[0]?.name, 'md0');
    const before = fake.requestCount;
    assert.equal((await omv.raidList()).ok, true);
    assert.equal(fake.requestCount - before, 2, 'asks MdMgmt straight away (getList, then getDetail)');
  });

  test('the OMV 7 session cookie works', async () => {
    assert.equal((await omv.smbShares()).ok, true);
  });
});

describe('OmvClient over HTTPS with a pinned certificate', () => {
  const tls = selfSigned('nas');
  let fake: OmvFake;
  before(async () => {
    fake = await startOmvFake({ tls });
  });
  after(async () => {
    await fake.close();
  });

  test('the right pin works; a wrong pin is unreachable and sends no password', async () => {
    const good = new OmvClient({ baseUrl: fake.url, username: fake.username, password: fake.password, fingerprint: tls.fingerprint256 });
    assert.equal((await good.systemInfo()).ok, true);
    await good.close();
    const before = fake.requestCount;
    const bad = new OmvClient({
      baseUrl: fake.url,
      username: fake.username,
      password: fake.password,
      fingerprint: selfSigned().fingerprint256,
    });
    const r = await bad.systemInfo();
    await bad.close();
    assert.deepEqual(!r.ok && r.error.kind, 'unreachable');
    assert.match(!r.ok ? r.error.detail : '', /pinned fingerprint/);
    assert.equal(fake.requestCount, before);
  });
});
