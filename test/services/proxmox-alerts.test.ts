import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startProxmoxFake, type ProxmoxFake } from '../../src/demo/proxmox.ts';
import { proxmoxConditions, usageSeverity, type ProxmoxRuleOptions } from '../../src/services/proxmox/alerts.ts';
import { ProxmoxClient } from '../../src/services/proxmox/client.ts';
import { proxmoxFetcher, type ProxmoxSnapshot } from '../../src/services/proxmox/poller.ts';
import type { Guest, Storage } from '../../src/services/proxmox/types.ts';

const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);
const nowS = NOW / 1000;
const GiB = 1024 ** 3;
const RULES: ProxmoxRuleOptions = { backupWindowHours: 26, expectedRunning: [100, 101], storageWarnPercent: 80, storageCritPercent: 90 };

const guest = (vmid: number, name: string, status = 'running'): Guest => ({
  vmid,
  name,
  type: vmid === 100 ? 'qemu' : 'lxc',
  node: 'proxmox1',
  status,
  cpu: 0,
  cpus: 2,
  mem: 0,
  maxmem: 1,
  uptime: 1,
  template: false,
});
const storage = (name: string, type: string, usedGiB: number, totalGiB: number): Storage => ({
  storage: name,
  type,
  content: [],
  active: true,
  enabled: true,
  shared: false,
  total: totalGiB * GiB,
  used: usedGiB * GiB,
  avail: (totalGiB - usedGiB) * GiB,
});

function snapshot(over: Partial<ProxmoxSnapshot> = {}): ProxmoxSnapshot {
  return {
    node: {
      node: 'proxmox1',
      cpu: 0.1,
      cpus: 4,
      cpuModel: 'J5040',
      loadavg: [0.1, 0.1, 0.1],
      memory: { total: 16, used: 8 },
      rootfs: { total: 94 * GiB, used: 20 * GiB, avail: 74 * GiB },
      uptime: 100,
      pveVersion: '7.3',
    },
    guests: [guest(100, 'nas'), guest(101, 'docker')],
    storage: [storage('local', 'dir', 20, 94), storage('local-lvm', 'lvmthin', 150, 348)],
    backups: [
      { vmid: 100, upid: 'A', starttime: nowS - 10 * 3600, endtime: nowS - 10 * 3600 + 60, outcome: 'ok' },
      { vmid: 101, upid: 'A', starttime: nowS - 10 * 3600, endtime: nowS - 10 * 3600 + 60, outcome: 'ok' },
    ],
    ...over,
  };
}

const keys = (s: ProxmoxSnapshot, rules = RULES): string[] => proxmoxConditions(s, NOW, rules).map((c) => `${c.key}/${c.severity}`);

describe('proxmox alert rules', () => {
  test('a healthy homelab raises nothing', () => {
    assert.deepEqual(keys(snapshot()), []);
  });

  test('a failed newest backup is raised with its reason and log tail, offering "back up now"', () => {
    const s = snapshot({
      backups: [
        {
          vmid: 101,
          upid: 'B',
          starttime: nowS - 3600,
          endtime: nowS - 3500,
          outcome: 'failed',
          error: 'No space left on device',
          logTail: ['ERROR: x', 'TASK ERROR: job errors'],
        },
        { vmid: 100, upid: 'B', starttime: nowS - 3600, endtime: nowS - 3500, outcome: 'ok' },
        { vmid: 101, upid: 'A', starttime: nowS - 30 * 3600, endtime: nowS - 30 * 3600 + 60, outcome: 'ok' },
      ],
    });
    const cs = proxmoxConditions(s, NOW, RULES);
    assert.deepEqual(
      cs.map((c) => c.key),
      ['backup:proxmox1:101:failed'],
      'the failure covers the gap: no "missing" too',
    );
    const c = cs[0];
    assert.equal(c?.source, 'backup');
    assert.equal(c?.dependsOn, 'proxmox');
    assert.equal(c?.params.error, 'No space left on device');
    assert.equal(c?.params.log, 'ERROR: x\nTASK ERROR: job errors');
    assert.equal(c?.log, 'ERROR: x\nTASK ERROR: job errors', 'shown as a code block under the alert');
    assert.deepEqual(c?.action?.args, { guest: '101' });
  });

  test('no successful backup within the window is raised as missing', () => {
    const s = snapshot({
      backups: [
        { vmid: 100, upid: 'A', starttime: nowS - 10 * 3600, endtime: nowS - 10 * 3600, outcome: 'ok' },
        { vmid: 101, upid: 'O', starttime: nowS - 50 * 3600, endtime: nowS - 50 * 3600, outcome: 'ok' },
      ],
    });
    const cs = proxmoxConditions(s, NOW, RULES);
    assert.deepEqual(
      cs.map((c) => c.key),
      ['backup:proxmox1:101:missing'],
    );
    assert.equal(cs[0]?.params.lastOkHours, 50);
    assert.equal(cs[0]?.params.windowHours, 26);
  });

  test('a backup in progress holds back "missing"', () => {
    const s = snapshot({
      backups: [
        { vmid: 100, upid: 'A', starttime: nowS - 3600, endtime: nowS - 3600, outcome: 'ok' },
        { vmid: 101, upid: 'R', starttime: nowS - 60, outcome: 'running' },
      ],
    });
    assert.deepEqual(keys(s), []);
  });

  test('an unreadable task list raises no backup conditions', () => {
    const { backups: _omit, ...rest } = snapshot();
    assert.deepEqual(keys({ ...rest, guests: [guest(100, 'nas'), guest(101, 'docker')] }), []);
  });

  test('an expected guest that is stopped (or gone) is critical; others are ignored', () => {
    const s = snapshot({ guests: [guest(100, 'nas', 'stopped'), guest(102, 'scratch', 'stopped')] });
    const cs = proxmoxConditions(s, NOW, { ...RULES, expectedRunning: [100, 101] }).filter((c) => c.source === 'guest');
    assert.deepEqual(
      cs.map((c) => [c.key, c.severity, c.params.status]),
      [
        ['guest:proxmox1:100:stopped', 'critical', 'stopped'],
        ['guest:proxmox1:101:stopped', 'critical', 'missing'],
      ],
    );
    assert.deepEqual(cs[0]?.action, { labelKey: 'alert.action.start_guest', command: 'poweron', args: { guest: '100' } });
    assert.equal(cs[1]?.action, undefined, 'nothing to start when the guest is gone');
  });

  test('storage and root filesystem above the thresholds, by severity', () => {
    const s = snapshot({
      node: { ...snapshot().node, rootfs: { total: 100 * GiB, used: 85 * GiB, avail: 15 * GiB } },
      storage: [storage('local', 'dir', 85, 100), storage('local-lvm', 'lvmthin', 320, 348), storage('backups', 'cifs', 100, 931)],
    });
    assert.deepEqual(keys(s), ['storage:proxmox1:rootfs:full/warning', 'storage:proxmox1:local-lvm:full/critical']);
  });

  test('usageSeverity thresholds are inclusive', () => {
    assert.deepEqual(
      [79.9, 80, 89.9, 90, 100].map((p) => usageSeverity(p, 80, 90)),
      [undefined, 'warning', 'warning', 'critical', 'critical'],
    );
  });
});

describe('proxmox snapshot from the fake', () => {
  let fake: ProxmoxFake;
  let client: ProxmoxClient;
  before(async () => {
    fake = await startProxmoxFake({ backupDurationMs: 20 });
    client = new ProxmoxClient({ baseUrl: fake.url, node: 'proxmox1', tokenId: fake.tokenId, tokenSecret: fake.tokenSecret });
  });
  after(async () => {
    await client.close();
    await fake.close();
  });

  test('seeded nightly jobs give each guest a recent good backup', async () => {
    const r = await proxmoxFetcher(client)();
    assert.ok(r.ok);
    assert.deepEqual(
      r.value.guests.map((g) => g.name),
      ['nas', 'docker'],
    );
    assert.ok(r.value.storage?.some((s) => s.type === 'lvmthin'));
    assert.deepEqual(
      keys(r.value, { ...RULES, storageWarnPercent: 99, storageCritPercent: 100 }).filter((k) => k.startsWith('backup')),
      [],
    );
    assert.deepEqual(new Set(r.value.backups?.filter((b) => b.outcome === 'ok').map((b) => b.vmid)), new Set([100, 101]));
  });

  test('a nightly job where docker fails becomes a failed-backup condition with the log tail', async (t) => {
    // Its own fake, so the failure does not leak into the other tests.
    const fake = await startProxmoxFake({ backupDurationMs: 20 });
    const client = new ProxmoxClient({ baseUrl: fake.url, node: 'proxmox1', tokenId: fake.tokenId, tokenSecret: fake.tokenSecret });
    t.after(async () => {
      await client.close();
      await fake.close();
    });
    fake.failBackup(101, 'unable to create temporary directory');
    const upid = fake.runBackupJob();
    const done = await client.waitForTask(upid, { intervalMs: 10, timeoutMs: 5_000 });
    assert.equal(done.ok && done.value.exitstatus, 'job errors');
    const fetch = proxmoxFetcher(client);
    const r = await fetch();
    assert.ok(r.ok);
    const failed = proxmoxConditions(r.value, Date.now(), RULES).filter((c) => c.key.endsWith(':failed'));
    assert.deepEqual(
      failed.map((c) => c.key),
      ['backup:proxmox1:101:failed'],
    );
    assert.equal(failed[0]?.params.error, 'unable to create temporary directory');
    assert.match(String(failed[0]?.params.log), /ERROR: Backup of VM 101 failed/);
    // Logs of finished tasks are cached: a second refresh reads no log again.
    const before = fake.requestCount;
    assert.equal((await fetch()).ok, true);
    assert.equal(fake.requestCount - before, 5, 'status, qemu, lxc, storage, tasks');
  });

  test('a token that cannot read tasks still gives node, guests and storage', async () => {
    fake.failRoute(/\/tasks/, 403, 'Permission check failed (/nodes/proxmox1, Sys.Audit)');
    try {
      const r = await proxmoxFetcher(client)();
      assert.ok(r.ok);
      assert.equal(r.value.backups, undefined);
      assert.equal(r.value.backupsError?.status, 403);
      assert.equal(r.value.guests.length, 2);
      assert.ok(r.value.storage);
    } finally {
      fake.failRoute(undefined);
    }
  });

  test('node or guests failing fails the whole refresh', async () => {
    fake.failRoute(/\/lxc$/, 500, 'got timeout');
    try {
      const r = await proxmoxFetcher(client)();
      assert.deepEqual(!r.ok && r.error.detail, 'got timeout');
    } finally {
      fake.failRoute(undefined);
    }
  });
});
