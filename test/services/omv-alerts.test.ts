import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startOmvFake, type OmvFake } from '../../src/demo/omv.ts';
import { omvConditions, type OmvRuleOptions } from '../../src/services/omv/alerts.ts';
import { OmvClient } from '../../src/services/omv/client.ts';
import { omvFetcher, type OmvSnapshot } from '../../src/services/omv/poller.ts';

const RULES: OmvRuleOptions = { filesystemWarnPercent: 85, filesystemCritPercent: 95 };

describe('NAS rules on snapshots from the OMV fake', () => {
  let fake: OmvFake;
  let client: OmvClient;
  const snap = async (): Promise<OmvSnapshot> => {
    const r = await omvFetcher(client)();
    assert.ok(r.ok, JSON.stringify(r));
    return r.value;
  };
  const keys = async (): Promise<string[]> => omvConditions(await snap(), RULES).map((c) => `${c.key}/${c.severity}`);

  before(async () => {
    fake = await startOmvFake();
    client = new OmvClient({ baseUrl: fake.url, username: fake.username, password: fake.password });
  });
  after(async () => {
    await client.close();
    await fake.close();
  });

  test('the healthy NAS: full snapshot, no conditions', async () => {
    const s = await snap();
    assert.equal(s.system.hostname, 'nas');
    assert.equal(s.raid?.length, 1);
    assert.equal(s.disks?.length, 2);
    assert.equal(s.disks?.[0]?.health?.powerOnHours, 17_412);
    assert.equal(s.filesystems?.length, 2);
    assert.deepEqual(
      s.shares?.map((x) => x.name),
      ['backups', 'documents', 'media'],
    );
    assert.deepEqual(omvConditions(s, RULES), []);
  });

  test('RAID: degraded → rebuilding with progress → recovered (absence)', async () => {
    try {
      fake.degrade();
      assert.deepEqual(await keys(), ['raid:nas:md0:degraded/critical']);
      fake.startRebuild({ percent: 40 });
      const cs = omvConditions(await snap(), RULES);
      assert.deepEqual(
        cs.map((c) => c.key),
        ['raid:nas:md0:degraded', 'raid:nas:md0:rebuilding'],
      );
      assert.equal(cs[1]?.progress, 40);
      assert.equal(cs[1]?.dependsOn, 'omv');
      fake.recover();
      assert.deepEqual(await keys(), []);
    } finally {
      fake.recover();
    }
  });

  test('SMART: bad status and sectors', async () => {
    const d = fake.disk('/dev/sdb');
    assert.ok(d);
    try {
      Object.assign(d, { reallocated: 3 });
      assert.deepEqual(await keys(), ['disk:nas:sdb:sectors/warning']);
      Object.assign(d, { pending: 1, status: 'BAD_SECTOR' });
      const cs = omvConditions(await snap(), RULES);
      assert.deepEqual(
        cs.map((c) => `${c.key}/${c.severity}`),
        ['disk:nas:sdb:smart/warning', 'disk:nas:sdb:sectors/critical'],
      );
      assert.equal(cs[0]?.params.failing, 'Reallocated_Sector_Ct');
      assert.deepEqual([cs[1]?.params.reallocated, cs[1]?.params.pending], [3, 1]);
      Object.assign(d, { status: 'BAD_STATUS' });
      assert.ok((await keys()).includes('disk:nas:sdb:smart/critical'));
    } finally {
      Object.assign(d, { reallocated: 0, pending: 0, status: 'GOOD' });
    }
  });

  test('filesystem usage above the thresholds', async () => {
    const fs = fake.filesystem('/dev/md0');
    assert.ok(fs);
    try {
      fs.percent = 86;
      assert.deepEqual(await keys(), ['storage:nas:/dev/md0:full/warning']);
      fs.percent = 97;
      const [c] = omvConditions(await snap(), RULES);
      assert.deepEqual([c?.severity, c?.params.percent, c?.params.label], ['critical', 97, 'data']);
    } finally {
      fs.percent = 41;
    }
  });

  test('one failing part does not hide the others', async () => {
    fake.failMethod('SMB.getShareList', 500, 'smbd is not running');
    try {
      const s = await snap();
      assert.equal(s.shares, undefined);
      assert.equal(s.sharesError?.detail, 'smbd is not running');
      assert.equal(s.raid?.length, 1);
      assert.equal(s.disks?.length, 2);
    } finally {
      fake.failMethod(undefined);
    }
  });

  test('system information failing fails the whole refresh', async () => {
    fake.failMethod('System.getInformation', 500, 'boom');
    try {
      const r = await omvFetcher(client)();
      assert.deepEqual(!r.ok && r.error.detail, 'boom');
    } finally {
      fake.failMethod(undefined);
    }
  });
});

describe('NAS rules (pure)', () => {
  const base: OmvSnapshot = {
    system: { hostname: 'nas', version: '6', rebootRequired: false, updatesAvailable: false },
    raid: [],
    filesystems: [
      {
        devicefile: '/dev/sdc1',
        state: 'online',
        label: 'usb',
        type: 'ext4',
        mounted: false,
        mountpoint: '',
        sizeBytes: 1,
        availableBytes: 0,
        percent: 100,
      },
    ],
  };

  test('a configured filesystem whose disk is gone is a critical alert, keyed by its mount point', () => {
    const missing: OmvSnapshot = {
      ...base,
      filesystems: [
        {
          devicefile: '',
          state: 'missing',
          label: '',
          type: 'ext4',
          mounted: false,
          mountpoint: '/srv/data',
          sizeBytes: 0,
          availableBytes: 0,
        },
      ],
    };
    const cs = omvConditions(missing, RULES);
    assert.deepEqual(
      cs.map((c) => [c.key, c.severity, c.summaryKey, c.params.mountpoint]),
      [['storage:nas:/srv/data:missing', 'critical', 'alert.fs.missing', '/srv/data']],
    );
  });

  test('unmounted filesystems and unknown usage raise nothing', () => {
    assert.deepEqual(omvConditions(base, RULES), []);
    assert.deepEqual(omvConditions({ ...base, filesystems: [{ ...base.filesystems![0]!, mounted: true, percent: undefined }] }, RULES), []);
  });

  test('the host name in keys can be overridden', () => {
    const s: OmvSnapshot = { ...base, filesystems: [{ ...base.filesystems![0]!, mounted: true }] };
    assert.deepEqual(
      omvConditions(s, { ...RULES, host: 'nas-vm' }).map((c) => c.key),
      ['storage:nas-vm:/dev/sdc1:full'],
    );
  });
});
