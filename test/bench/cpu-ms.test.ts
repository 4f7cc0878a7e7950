/** The start-up figure's CPU reading (bench/lib/child.ts) counts a process's CPU, every thread. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cpuMs } from '../../bench/lib/child.ts';

test(
  'cpuMs reads the CPU a process used so far, and nothing for a process that is not there',
  { skip: process.platform !== 'linux' },
  () => {
    const before = cpuMs(process.pid);
    assert.ok(before !== undefined && before > 0);
    const start = process.cpuUsage();
    let x = 0;
    while (process.cpuUsage(start).user < 50_000) x += Math.sqrt(x + 1); // 50 ms of CPU
    const after = cpuMs(process.pid)!;
    assert.ok(after - before >= 40, `${before} → ${after} (${x > 0})`);
    assert.equal(cpuMs(undefined), undefined);
    assert.equal(cpuMs(2 ** 22 + 1), undefined, 'above pid_max: no such process');
  },
);
