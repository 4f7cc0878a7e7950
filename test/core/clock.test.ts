/** ManualClock's timers: they fire only when the clock is moved past them, in time order, once. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../../src/core/clock.ts';

test('timers fire in time order when the clock passes them, never before, and a cancelled one never', () => {
  const clock = new ManualClock(0);
  const fired: string[] = [];
  clock.after(2_000, () => fired.push('b'));
  clock.after(1_000, () => fired.push('a'));
  const cancel = clock.after(1_500, () => fired.push('cancelled'));
  cancel();
  clock.advance(999);
  assert.deepEqual(fired, []);
  assert.equal(clock.pendingTimers, 2);
  clock.advance(5_000);
  assert.deepEqual(fired, ['a', 'b']);
  assert.equal(clock.pendingTimers, 0);
  clock.advance(60_000);
  assert.deepEqual(fired, ['a', 'b'], 'each fires once');
});

test('a timer set by a firing timer fires in the same move when it falls due within it', () => {
  const clock = new ManualClock(0);
  const at: number[] = [];
  clock.after(1_000, () => {
    at.push(clock.now());
    clock.after(1_000, () => at.push(clock.now()));
    clock.after(10_000, () => at.push(-1));
  });
  clock.advance(3_000);
  assert.deepEqual(at, [1_000, 2_000], 'each ran at its own time');
  assert.equal(clock.now(), 3_000);
  assert.equal(clock.pendingTimers, 1, 'the later one still waits');
});
