import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { backupRuns, parseVzdumpLog, summarizeBackups } from '../../src/services/proxmox/backups.ts';
import type { Guest, Task } from '../../src/services/proxmox/types.ts';

const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);
const H = 3600;
const nowS = NOW / 1000;

const guest = (vmid: number, name: string, type: 'qemu' | 'lxc', extra: Partial<Guest> = {}): Guest => ({
  vmid,
  name,
  type,
  node: 'proxmox1',
  status: 'running',
  cpu: 0,
  cpus: 2,
  mem: 0,
  maxmem: 1,
  uptime: 1,
  template: false,
  ...extra,
});
const GUESTS = [guest(100, 'nas', 'qemu'), guest(101, 'docker', 'lxc')];

const task = (upid: string, id: string, startAgoH: number, status: string | undefined, extra: Partial<Task> = {}): Task => ({
  upid,
  node: 'proxmox1',
  type: 'vzdump',
  id,
  user: 'root@pam',
  starttime: nowS - startAgoH * H,
  ...(status === undefined || status === 'RUNNING' ? { ...(status ? { status } : {}) } : { endtime: nowS - startAgoH * H + 60, status }),
  ...extra,
});

const JOB_LOG_101_FAILED = [
  'INFO: starting new backup job: vzdump 100 101 --mode snapshot --storage backups --compress zstd',
  'INFO: Starting Backup of VM 100 (qemu)',
  'INFO: Finished Backup of VM 100 (00:01:12)',
  'INFO: Starting Backup of VM 101 (lxc)',
  "ERROR: Backup of VM 101 failed - command 'tar' failed: exit code 2",
  'INFO: Backup job finished with errors',
  'TASK ERROR: job errors',
];

describe('parseVzdumpLog', () => {
  test('per-guest results of a multi-guest job', () => {
    assert.deepEqual(
      [...parseVzdumpLog(JOB_LOG_101_FAILED)],
      [
        [100, { outcome: 'ok' }],
        [101, { outcome: 'failed', error: "command 'tar' failed: exit code 2" }],
      ],
    );
  });

  test('a guest started but not finished is running', () => {
    assert.deepEqual([...parseVzdumpLog(['INFO: Starting Backup of VM 100 (qemu)'])], [[100, { outcome: 'running' }]]);
  });

  test('unrelated lines give nothing', () => {
    assert.equal(parseVzdumpLog(['INFO: whatever', '']).size, 0);
  });
});

describe('backupRuns', () => {
  test('single-guest tasks use the exit status; failures take the reason from the log', () => {
    const runs = backupRuns([task('U1', '100', 2, 'OK'), task('U2', '101', 3, 'job errors'), task('U3', '100', 30, 'WARNINGS: 1')], (u) =>
      u === 'U2' ? JOB_LOG_101_FAILED.slice(3) : undefined,
    );
    assert.deepEqual(
      runs.map((r) => [r.vmid, r.upid, r.outcome]),
      [
        [100, 'U1', 'ok'],
        [101, 'U2', 'failed'],
        [100, 'U3', 'warning'],
      ],
    );
    assert.equal(runs[1]?.error, "command 'tar' failed: exit code 2");
    assert.equal(runs[1]?.logTail?.at(-1), 'TASK ERROR: job errors');
  });

  test('a failed single-guest task without its log keeps the exit status as reason', () => {
    const [run] = backupRuns([task('U1', '100', 2, 'job errors')], () => undefined);
    assert.deepEqual([run?.outcome, run?.error, run?.logTail], ['failed', 'job errors', undefined]);
  });

  test("a failed guest's log lines are its own: never the lines of the guest before it", () => {
    const runs = backupRuns([task('J', '', 10, 'job errors')], () => JOB_LOG_101_FAILED);
    const failed = runs.find((r) => r.vmid === 101);
    assert.deepEqual(failed?.logTail, [
      'INFO: Starting Backup of VM 101 (lxc)',
      "ERROR: Backup of VM 101 failed - command 'tar' failed: exit code 2",
      'INFO: Backup job finished with errors',
      'TASK ERROR: job errors',
    ]);
    assert.ok(!failed?.logTail?.some((l) => /VM 100/.test(l)));
  });

  test('a multi-guest job is split per guest using its log', () => {
    const runs = backupRuns([task('J', '', 10, 'job errors')], () => JOB_LOG_101_FAILED);
    assert.deepEqual(
      runs.map((r) => [r.vmid, r.outcome]),
      [
        [100, 'ok'],
        [101, 'failed'],
      ],
    );
  });

  test('a multi-guest job without its log yields nothing (unknown, not failed)', () => {
    assert.deepEqual(
      backupRuns([task('J', '', 10, 'OK')], () => undefined),
      [],
    );
  });

  test('running tasks are running', () => {
    const runs = backupRuns([task('R', '101', 0.1, 'RUNNING')], () => undefined);
    assert.equal(runs[0]?.outcome, 'running');
  });

  test('a finished job that never finished a guest counts it as failed', () => {
    const runs = backupRuns([task('J', '', 5, 'interrupted by signal')], () => ['INFO: Starting Backup of VM 100 (qemu)']);
    assert.deepEqual(
      runs.map((r) => [r.vmid, r.outcome, r.error]),
      [[100, 'failed', 'interrupted by signal']],
    );
  });

  test('tasks of other types are ignored', () => {
    assert.deepEqual(
      backupRuns([{ ...task('X', '100', 1, 'OK'), type: 'qmstart' }], () => undefined),
      [],
    );
  });
});

describe('summarizeBackups', () => {
  test('last result and age per guest, failures, and guests outside the window', () => {
    const runs = backupRuns([task('N1', '', 10, 'job errors'), task('N0', '', 34, 'OK')], (u) =>
      u === 'N1' ? JOB_LOG_101_FAILED : ['INFO: Finished Backup of VM 100 (1)', 'INFO: Finished Backup of VM 101 (1)'],
    );
    const s = summarizeBackups(GUESTS, runs, { now: NOW, windowHours: 26 });
    const nas = s.guests.find((g) => g.vmid === 100);
    const docker = s.guests.find((g) => g.vmid === 101);
    assert.equal(nas?.last?.upid, 'N1');
    assert.equal(Math.round(nas?.lastAgeHours ?? -1), 10);
    assert.equal(nas?.missing, false);
    assert.equal(docker?.last?.outcome, 'failed');
    assert.equal(docker?.lastOk?.upid, 'N0');
    assert.equal(Math.round(docker?.lastOkAgeHours ?? -1), 34);
    assert.equal(docker?.missing, true);
    assert.deepEqual(
      s.failures.map((f) => [f.vmid, f.name, f.error]),
      [[101, 'docker', "command 'tar' failed: exit code 2"]],
    );
    assert.deepEqual(
      s.missing.map((g) => g.vmid),
      [101],
    );
  });

  test('a guest never backed up is missing with no last result', () => {
    const s = summarizeBackups(GUESTS, [], { now: NOW, windowHours: 26 });
    assert.deepEqual(
      s.missing.map((g) => g.vmid),
      [100, 101],
    );
    assert.equal(s.guests[0]?.last, undefined);
  });

  test('templates are not expected to have backups', () => {
    const s = summarizeBackups([guest(9000, 'debian-template', 'qemu', { template: true })], [], { now: NOW, windowHours: 26 });
    assert.deepEqual(s.guests, []);
  });

  test('a running backup is listed, and a newer success clears an older failure', () => {
    const runs = backupRuns(
      [task('R', '101', 0.1, 'RUNNING'), task('OK', '101', 3, 'OK'), task('F', '101', 20, 'job errors')],
      () => undefined,
    );
    const s = summarizeBackups(GUESTS, runs, { now: NOW, windowHours: 26 });
    assert.deepEqual(
      s.running.map((r) => r.upid),
      ['R'],
    );
    assert.deepEqual(s.failures, []);
  });
});
