import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { raidConditions } from '../../src/services/mdadm/alerts.ts';
import { parseMdadmDetail } from '../../src/services/mdadm/detail.ts';
import { looksLikeMdstat, parseMdstat } from '../../src/services/mdadm/mdstat.ts';
import { parseMdStateText, raidHealth, type RaidArray } from '../../src/services/mdadm/raid.ts';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/mdstat/${name}`, import.meta.url), 'utf8');

/** Compact view of an array for table assertions. */
const view = (a: RaidArray | undefined) =>
  a && {
    name: a.name,
    level: a.level,
    health: raidHealth(a),
    degraded: a.degraded,
    disks: a.raidDisks === undefined ? undefined : `${a.workingDisks}/${a.raidDisks}`,
    slots: a.slots,
    members: a.members.map((m) => `${m.device}:${m.state}`).join(' '),
    sync: a.sync && `${a.sync.action}:${a.sync.state}${a.sync.percent !== undefined ? `:${a.sync.percent}` : ''}`,
  };

describe('parseMdstat (GIVEN a /proc/mdstat sample THEN each array)', () => {
  const cases: [string, ReturnType<typeof view>[]][] = [
    [
      'healthy-raid1.txt',
      [
        {
          name: 'md0',
          level: 'raid1',
          health: 'healthy',
          degraded: false,
          disks: '2/2',
          slots: 'UU',
          members: 'sda:active sdb:active',
          sync: undefined,
        },
      ],
    ],
    [
      'degraded-raid1.txt',
      [
        {
          name: 'md0',
          level: 'raid1',
          health: 'degraded',
          degraded: true,
          disks: '1/2',
          slots: 'U_',
          members: 'sda:active',
          sync: undefined,
        },
      ],
    ],
    [
      'faulty-raid1.txt',
      [
        {
          name: 'md0',
          level: 'raid1',
          health: 'degraded',
          degraded: true,
          disks: '1/2',
          slots: 'U_',
          members: 'sda:active sdb:faulty',
          sync: undefined,
        },
      ],
    ],
    [
      'recovery-raid1.txt',
      [
        {
          name: 'md0',
          level: 'raid1',
          health: 'rebuilding',
          degraded: true,
          disks: '1/2',
          slots: 'U_',
          members: 'sda:active sdb:rebuilding',
          sync: 'recovery:running:12.6',
        },
      ],
    ],
    [
      'check-running.txt',
      [
        {
          name: 'md0',
          level: 'raid1',
          health: 'healthy',
          degraded: false,
          disks: '2/2',
          slots: 'UU',
          members: 'sda:active sdb:active',
          sync: 'check:running:45',
        },
      ],
    ],
    [
      'failed-raid5.txt',
      [
        {
          name: 'md2',
          level: 'raid5',
          health: 'failed',
          degraded: true,
          disks: '1/3',
          slots: 'U__',
          members: 'sdf:active sdg:faulty sdh:faulty',
          sync: undefined,
        },
      ],
    ],
    [
      'resync-delayed.txt',
      [
        {
          name: 'md1',
          level: 'raid1',
          health: 'healthy',
          degraded: false,
          disks: '2/2',
          slots: 'UU',
          members: 'sda2:active sdb2:active',
          sync: 'resync:delayed',
        },
        {
          name: 'md0',
          level: 'raid1',
          health: 'healthy',
          degraded: false,
          disks: '2/2',
          slots: 'UU',
          members: 'sda1:active sdb1:active',
          sync: 'resync:running:36.4',
        },
      ],
    ],
    [
      'composite.txt',
      [
        {
          name: 'md0',
          level: 'raid1',
          health: 'healthy',
          degraded: false,
          disks: '2/2',
          slots: 'UU',
          members: 'sda1:active sdb1:active',
          sync: undefined,
        },
        {
          name: 'md1',
          level: 'raid1',
          health: 'rebuilding',
          degraded: true,
          disks: '1/2',
          slots: 'U_',
          members: 'sdd1:active sdc1:rebuilding',
          sync: 'recovery:running:1.1',
        },
        {
          name: 'md2',
          level: 'raid5',
          health: 'degraded',
          degraded: true,
          disks: '2/3',
          slots: 'UU_',
          members: 'sdf:active sdg:active sdh:faulty',
          sync: undefined,
        },
        {
          name: 'md3',
          level: 'raid5',
          health: 'healthy',
          degraded: false,
          disks: '3/3',
          slots: 'UUU',
          members: 'sda:active sdb:active sdc:active sdd:spare',
          sync: 'resync:pending',
        },
        {
          name: 'md4',
          level: '',
          health: 'inactive',
          degraded: false,
          disks: undefined,
          slots: undefined,
          members: 'sdb:spare sdc:spare',
          sync: undefined,
        },
      ],
    ],
    ['no-arrays.txt', []],
  ];
  for (const [file, expected] of cases) {
    test(file, () => {
      const text = fixture(file);
      assert.equal(looksLikeMdstat(text), true);
      assert.deepEqual(parseMdstat(text).map(view), expected);
    });
  }

  test('details: size, progress figures, read-only flag', () => {
    const [md0] = parseMdstat(fixture('recovery-raid1.txt'));
    assert.equal(md0?.sizeBytes, 976630464 * 1024);
    assert.deepEqual(md0?.sync, { action: 'recovery', state: 'running', percent: 12.6, finishMinutes: 71.2, speedKiBs: 199836 });
    assert.equal(parseMdstat(fixture('composite.txt'))[3]?.readOnly, true);
  });

  test('text that is not mdstat is recognised', () => {
    assert.equal(looksLikeMdstat('cat: /proc/mdstat: No such file or directory'), false);
    assert.deepEqual(parseMdstat('hello\nworld'), []);
  });
});

describe('parseMdadmDetail (GIVEN mdadm --detail output THEN the array)', () => {
  const cases: [string, ReturnType<typeof view>][] = [
    [
      'detail-healthy.txt',
      {
        name: 'md0',
        level: 'raid1',
        health: 'healthy',
        degraded: false,
        disks: '2/2',
        slots: undefined,
        members: '/dev/sda:active /dev/sdb:active',
        sync: undefined,
      },
    ],
    [
      'detail-faulty.txt',
      {
        name: 'md0',
        level: 'raid1',
        health: 'degraded',
        degraded: true,
        disks: '1/2',
        slots: undefined,
        members: '/dev/sda:active :removed /dev/sdb:faulty',
        sync: undefined,
      },
    ],
    [
      'detail-recovering.txt',
      {
        name: 'md0',
        level: 'raid1',
        health: 'rebuilding',
        degraded: true,
        disks: '1/2',
        slots: undefined,
        members: '/dev/sda:active /dev/sdb:rebuilding',
        sync: 'recovery:running:12',
      },
    ],
    [
      'detail-resync-pending.txt',
      {
        name: 'md3',
        level: 'raid5',
        health: 'healthy',
        degraded: false,
        disks: '3/3',
        slots: undefined,
        members: '/dev/sda:active /dev/sdb:active /dev/sdc:active /dev/sdd:spare',
        sync: 'resync:pending',
      },
    ],
    [
      'detail-inactive.txt',
      {
        name: 'md4',
        level: 'raid1',
        health: 'inactive',
        degraded: false,
        disks: undefined,
        slots: undefined,
        members: '/dev/sdb:unknown /dev/sdc:unknown',
        sync: undefined,
      },
    ],
  ];
  for (const [file, expected] of cases) {
    test(file, () => assert.deepEqual(view(parseMdadmDetail(fixture(file))), expected));
  }

  test('keeps the State text and the size', () => {
    const a = parseMdadmDetail(fixture('detail-recovering.txt'));
    assert.equal(a?.stateText, 'clean, degraded, recovering');
    assert.equal(a?.sizeBytes, 976630464 * 1024);
  });

  test('other output is not a detail', () => {
    assert.equal(parseMdadmDetail('mdadm: cannot open /dev/md9: No such file or directory'), undefined);
  });
});

describe('parseMdStateText (mdadm State line and OMV state)', () => {
  const cases: [string, ReturnType<typeof parseMdStateText>][] = [
    ['clean', { inactive: false, degraded: false, failed: false, notStarted: false }],
    ['active', { inactive: false, degraded: false, failed: false, notStarted: false }],
    ['clean, degraded', { inactive: false, degraded: true, failed: false, notStarted: false }],
    ['active, FAILED, Not Started', { inactive: false, degraded: false, failed: true, notStarted: true }],
    ['inactive', { inactive: true, degraded: false, failed: false, notStarted: false }],
    [
      'clean, resyncing (PENDING)',
      { inactive: false, degraded: false, failed: false, notStarted: false, sync: { action: 'resync', state: 'pending' } },
    ],
    [
      'active, resyncing (DELAYED)',
      { inactive: false, degraded: false, failed: false, notStarted: false, sync: { action: 'resync', state: 'delayed' } },
    ],
    [
      'clean, checking',
      { inactive: false, degraded: false, failed: false, notStarted: false, sync: { action: 'check', state: 'running' } },
    ],
    [
      'active, degraded, recovering (12.6% (123057408/976630464) finish=71.2min speed=199836K/sec)',
      {
        inactive: false,
        degraded: true,
        failed: false,
        notStarted: false,
        sync: { action: 'recovery', state: 'running', percent: 12.6, finishMinutes: 71.2, speedKiBs: 199836 },
      },
    ],
  ];
  for (const [text, expected] of cases) test(text, () => assert.deepEqual(parseMdStateText(text), expected));
});

describe('raidConditions', () => {
  const conds = (file: string) => raidConditions(parseMdstat(fixture(file)), { host: 'nas', backend: 'mdadm' });

  test('healthy, checking and pending arrays raise nothing', () => {
    assert.deepEqual(conds('healthy-raid1.txt'), []);
    assert.deepEqual(conds('check-running.txt'), []);
    assert.deepEqual(conds('no-arrays.txt'), []);
  });

  test('a degraded RAID 1 with a faulty member is critical and names the member', () => {
    const cs = conds('faulty-raid1.txt');
    assert.deepEqual(
      cs.map((c) => [c.key, c.severity]),
      [['raid:nas:md0:degraded', 'critical']],
    );
    assert.equal(cs[0]?.params.faulty, '/dev/sdb');
    assert.equal(cs[0]?.params.slots, 'U_');
    assert.equal(cs[0]?.dependsOn, 'mdadm');
    // The failed member is the one to replace, the survivor the one to keep — not the other way round.
    assert.equal(cs[0]?.summaryKey, 'alert.raid.degraded_failed');
    assert.equal(cs[0]?.params.failed, '/dev/sdb');
    assert.equal(cs[0]?.params.keep, '/dev/sda');
    assert.equal(cs[0]?.resolvedKey, 'alert.raid.degraded.resolved');
  });

  test('with SMART disks known, each member is named by model and serial; an empty slot is numbered', () => {
    const disks = [
      { devicefile: '/dev/sda', model: 'WDC WD40EFRX', serial: 'WD-AAA111' },
      { devicefile: '/dev/sdb', model: 'WDC WD40EFRX', serial: 'WD-BBB222' },
    ];
    const faulty = raidConditions(parseMdstat(fixture('faulty-raid1.txt')), { host: 'nas', backend: 'mdadm', disks });
    assert.equal(faulty[0]?.params.failed, '/dev/sdb (WDC WD40EFRX, S/N WD-BBB222)');
    assert.equal(faulty[0]?.params.keep, '/dev/sda (WDC WD40EFRX, S/N WD-AAA111)');
    const missing = raidConditions(parseMdstat(fixture('faulty-raid1.txt').replace(' sdb[1](F)', '')), {
      host: 'nas',
      backend: 'mdadm',
      disks,
    });
    assert.equal(missing[0]?.summaryKey, 'alert.raid.degraded_missing_outside');
    assert.equal(missing[0]?.params.missing, '2');
    assert.equal(missing[0]?.params.keep, '/dev/sda (WDC WD40EFRX, S/N WD-AAA111)');
    assert.equal(missing[0]?.params.outside, '/dev/sdb (WDC WD40EFRX, S/N WD-BBB222)');
    const noSmart = raidConditions(parseMdstat(fixture('faulty-raid1.txt').replace(' sdb[1](F)', '')), { host: 'nas', backend: 'mdadm' });
    assert.equal(noSmart[0]?.summaryKey, 'alert.raid.degraded_missing');
  });

  test('every RAID condition resolves as soon as the array is clean (no resolve hold)', () => {
    for (const file of ['faulty-raid1.txt', 'recovery-raid1.txt']) for (const c of conds(file)) assert.equal(c.resolveHoldMs, 0, c.key);
  });

  test('a rebuild keeps "degraded" and adds progress', () => {
    const cs = conds('recovery-raid1.txt');
    assert.deepEqual(
      cs.map((c) => [c.key, c.severity]),
      [
        ['raid:nas:md0:degraded', 'critical'],
        ['raid:nas:md0:rebuilding', 'info'],
      ],
    );
    assert.equal(cs[1]?.progress, 12.6);
    assert.equal(cs[1]?.params.finishMinutes, 71.2);
    assert.equal(cs[1]?.summaryKey, 'alert.raid.rebuilding_onto');
    assert.equal(cs[1]?.params.target, '/dev/sdb');
  });

  test('failed and inactive arrays, and a faulty spare on a whole array', () => {
    assert.deepEqual(
      conds('failed-raid5.txt').map((c) => c.key),
      ['raid:nas:md2:failed'],
    );
    assert.deepEqual(
      conds('composite.txt').map((c) => c.key),
      ['raid:nas:md1:degraded', 'raid:nas:md1:rebuilding', 'raid:nas:md2:degraded', 'raid:nas:md4:inactive'],
    );
    const spareFailed: RaidArray = {
      ...parseMdstat(fixture('healthy-raid1.txt'))[0]!,
      members: [
        { device: 'sda', state: 'active' },
        { device: 'sdb', state: 'active' },
        { device: 'sdc', state: 'faulty' },
      ],
    };
    assert.deepEqual(
      raidConditions([spareFailed], { host: 'nas', backend: 'omv' }).map((c) => [c.key, c.severity]),
      [['raid:nas:md0:faulty_member', 'warning']],
    );
  });
});
