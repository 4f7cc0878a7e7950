import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PeriodicCheck } from '../../src/core/periodic.ts';
import { waitFor } from '../support/real-server.ts';

/** A pass the test finishes by hand, counting how often it started. */
function gatedRun(): { run: () => Promise<void>; starts: () => number; release: () => void } {
  let n = 0;
  let open: (() => void) | undefined;
  return {
    run: () => {
      n++;
      return new Promise<void>((resolve) => {
        open = resolve;
      });
    },
    starts: () => n,
    release: () => open?.(),
  };
}

test('concurrent checks share one pass; the next check starts a new one', async () => {
  const g = gatedRun();
  const p = new PeriodicCheck(g.run, 60_000);
  const a = p.check();
  const b = p.check();
  assert.equal(a, b);
  assert.equal(g.starts(), 1);
  g.release();
  await a;
  const c = p.check();
  assert.equal(g.starts(), 2);
  g.release();
  await c;
});

test('start checks at once (only once for a second start); stop waits for the pass in flight', async () => {
  const g = gatedRun();
  const p = new PeriodicCheck(g.run, 60_000);
  p.start();
  p.start();
  assert.equal(g.starts(), 1);
  let stopped = false;
  const s = p.stop().then(() => {
    stopped = true;
  });
  await new Promise((r) => setImmediate(r));
  assert.equal(stopped, false);
  g.release();
  await s;
  assert.equal(stopped, true);
});

test('the interval keeps checking until stopped', async () => {
  let n = 0;
  const p = new PeriodicCheck(async () => {
    n++;
  }, 5);
  p.start();
  await waitFor(() => n >= 3, { what: 'three checks' });
  await p.stop();
  const after = n;
  // A second checker on the same tick measures the time: three of its ticks pass, none of ours.
  let m = 0;
  const witness = new PeriodicCheck(async () => {
    m++;
  }, 5);
  witness.start();
  await waitFor(() => m >= 4, { what: 'the witness ticks' });
  await witness.stop();
  assert.equal(n, after);
});
