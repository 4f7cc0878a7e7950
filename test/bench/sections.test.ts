/**
 * The bench's section choice and the merge of a partial run into bench/results/latest.json:
 * `npm run bench -- recovery` must update the recovery figures and leave every other
 * section's figures (and when they were taken) as they were.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chooseSections, mergeResults, SECTIONS } from '../../bench/lib/sections.ts';

test('no names means every section; names choose sections; an unknown name is refused', () => {
  const all = chooseSections([]);
  assert.ok(all.ok);
  assert.deepEqual([...all.sections], [...SECTIONS]);
  const some = chooseSections(['recovery', ' alert ', '']);
  assert.ok(some.ok);
  assert.deepEqual([...some.sections].sort(), ['alert', 'recovery']);
  assert.deepEqual(chooseSections(['recovery', 'recovry']), { ok: false, unknown: ['recovry'] });
});

test('a partial run keeps the figures of the sections it did not run', () => {
  const prev = {
    command: { p50Ratio: 1.7 },
    memory: { idleRssMb: 94.9 },
    startupMs: 756,
    recovery: { worstMs: 9999 },
    ranAt: '2026-11-30T08:18:22.718Z',
    machine: { loadAvgAtStart: [1.13, 3.28, 5.69] },
    sections: ['command', 'memory', 'recovery'],
  };
  const fresh = {
    command: { reason: 'skipped (not selected)', p50Ratio: null },
    memory: { reason: 'skipped (not selected)', idleRssMb: null },
    startupMs: null,
    recovery: { worstMs: 1900 },
    targets: { recoveryMs: 5000 },
  };
  const run = { recovery: { ranAt: '2026-11-30T09:04:23.000Z', durationS: 640 } };
  const out = mergeResults(prev, fresh, new Set(['recovery'] as const), run);
  assert.deepEqual(out.command, { p50Ratio: 1.7 });
  assert.deepEqual(out.memory, { idleRssMb: 94.9 });
  assert.equal(out.startupMs, 756, "memory's start-up figure is the memory section's too");
  assert.deepEqual(out.recovery, { worstMs: 1900 }, 'the section that ran is replaced');
  assert.deepEqual(out.targets, { recoveryMs: 5000 });
  assert.deepEqual(out.sections, ['recovery']);
  assert.deepEqual(out.sectionRuns, {
    command: { ranAt: '2026-11-30T08:18:22.718Z', loadAvgAtStart: [1.13, 3.28, 5.69] },
    memory: { ranAt: '2026-11-30T08:18:22.718Z', loadAvgAtStart: [1.13, 3.28, 5.69] },
    recovery: run.recovery,
  });

  // The next partial run keeps the recorded run times of what it did not run.
  const next = mergeResults(
    out,
    { ...fresh, recovery: { reason: 'skipped (not selected)' }, command: { p50Ratio: 1.5 } },
    new Set(['command'] as const),
    {
      command: { ranAt: '2026-11-30T10:00:00.000Z', durationS: 90 },
    },
  );
  assert.deepEqual(next.recovery, { worstMs: 1900 });
  assert.deepEqual(next.command, { p50Ratio: 1.5 });
  assert.deepEqual((next.sectionRuns as Record<string, unknown>).recovery, run.recovery);
  assert.deepEqual((next.sectionRuns as Record<string, unknown>).command, { ranAt: '2026-11-30T10:00:00.000Z', durationS: 90 });
});

test('a section missing from the previous file stays as this run reports it', () => {
  const out = mergeResults({}, { alert: { reason: 'skipped (not selected)' } }, new Set(['recovery'] as const), {});
  assert.deepEqual(out.alert, { reason: 'skipped (not selected)' });
  assert.deepEqual(out.sectionRuns, {});
});
