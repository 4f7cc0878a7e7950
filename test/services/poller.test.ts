// The Poller on its own: one backend request shared by concurrent readers, the last good value
// kept through failures, a failure logged once on the way down and "recovered" once back, listeners
// in order, and fresh()/settled() deciding by the injected clock.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { ManualClock } from '../../src/core/clock.ts';
import { err, ok, serviceError, type Result } from '../../src/core/errors.ts';
import { createLogger } from '../../src/core/logger.ts';
import { Poller, type Snapshot } from '../../src/services/poller.ts';

/** A backend whose answers the test hands out one at a time. */
function scriptedBackend<T>() {
  const waiting: ((r: Result<T>) => void)[] = [];
  let calls = 0;
  return {
    fetch: () =>
      new Promise<Result<T>>((resolve) => {
        calls++;
        waiting.push(resolve);
      }),
    answer(r: Result<T>): void {
      const next = waiting.shift();
      assert.ok(next, 'no request is waiting for an answer');
      next(r);
    },
    get calls() {
      return calls;
    },
  };
}

/** A logger whose lines the test can read. */
function recordingLogger() {
  const lines: { level: number; msg: string }[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l) as { level: number; msg: string });
      done();
    },
  });
  return { log: createLogger({ level: 'info', destination: sink }), lines };
}

const down = serviceError('router', 'unreachable', 'connection refused');

describe('Poller', () => {
  test('concurrent readers share one request; the snapshot carries the value and when it was read', async () => {
    const clock = new ManualClock(1_000);
    const backend = scriptedBackend<number>();
    const p = new Poller('router', backend.fetch, 60_000, clock, recordingLogger().log);
    assert.deepEqual(p.snapshot, { status: 'never' });
    const a = p.refresh();
    const b = p.refresh();
    backend.answer(ok(7));
    assert.deepEqual(await a, { status: 'ok', value: 7, at: 1_000 });
    assert.equal(await b, await a);
    assert.equal(backend.calls, 1);
  });

  test('a failure keeps the last good value and its time; since stays at the first failure', async () => {
    const clock = new ManualClock(1_000);
    const backend = scriptedBackend<number>();
    const p = new Poller('router', backend.fetch, 60_000, clock, recordingLogger().log);
    const r1 = p.refresh();
    backend.answer(ok(1));
    await r1;
    clock.advance(10_000);
    const r2 = p.refresh();
    backend.answer(err(down));
    assert.deepEqual(await r2, { status: 'failed', error: down, since: 11_000, last: { value: 1, at: 1_000 } });
    clock.advance(10_000);
    const r3 = p.refresh();
    backend.answer(err(down));
    const s = await r3;
    assert.equal(s.status === 'failed' && s.since, 11_000);
    assert.deepEqual(s.status === 'failed' && s.last, { value: 1, at: 1_000 });
  });

  test('logs the way down once and "recovered" once, and tells listeners every refresh in order', async () => {
    const clock = new ManualClock(0);
    const backend = scriptedBackend<string>();
    const { log, lines } = recordingLogger();
    const p = new Poller('nut', backend.fetch, 2_000, clock, log);
    const seen: string[] = [];
    p.onRefresh((snap, previous) => seen.push(`${previous.status}→${snap.status}`));
    p.onRefresh(() => {
      throw new Error('a broken listener');
    });
    for (const r of [err(down), err(down), err(down), ok('OL'), ok('OL')] as Result<string>[]) {
      const pending = p.refresh();
      backend.answer(r);
      await pending;
    }
    assert.deepEqual(seen, ['never→failed', 'failed→failed', 'failed→failed', 'failed→ok', 'ok→ok']);
    const messages = lines.map((l) => l.msg);
    assert.equal(messages.filter((m) => m === 'backend refresh failed').length, 1);
    assert.equal(messages.filter((m) => m === 'backend recovered').length, 1);
    assert.equal(messages.filter((m) => m === 'snapshot listener threw').length, 5, 'a throwing listener is logged, not fatal');
  });

  test('a fetch that throws becomes a protocol failure (the poller keeps going)', async () => {
    const p = new Poller<number>(
      'omv',
      async () => {
        throw new Error('bug in a client');
      },
      60_000,
      new ManualClock(0),
      recordingLogger().log,
    );
    const s = await p.refresh();
    assert.equal(s.status, 'failed');
    assert.deepEqual(s.status === 'failed' && { kind: s.error.kind, detail: s.error.detail }, {
      kind: 'protocol',
      detail: 'internal error',
    });
  });

  test('fresh(maxAge) answers from the snapshot while it is young enough, by the injected clock', async () => {
    const clock = new ManualClock(0);
    const backend = scriptedBackend<number>();
    const p = new Poller('pihole', backend.fetch, 60_000, clock, recordingLogger().log);
    const first = p.refresh();
    backend.answer(ok(1));
    await first;
    clock.advance(30_000);
    assert.deepEqual(await p.fresh(30_000), { status: 'ok', value: 1, at: 0 });
    assert.equal(backend.calls, 1);
    clock.advance(1);
    const again = p.fresh(30_000);
    backend.answer(ok(2));
    assert.deepEqual(await again, { status: 'ok', value: 2, at: 30_001 });
    assert.equal(backend.calls, 2);
  });

  test('settled() waits for the first refresh at start-up, then answers from the snapshot without asking', async () => {
    const backend = scriptedBackend<number>();
    const p = new Poller('proxmox', backend.fetch, 60_000, new ManualClock(0), recordingLogger().log);
    const early = p.settled();
    backend.answer(ok(5));
    assert.deepEqual(await early, { status: 'ok', value: 5, at: 0 });
    const later: Snapshot<number> = await p.settled();
    assert.equal(later, p.snapshot);
    assert.equal(backend.calls, 1);
  });

  test('settled() gives up waiting by the injected clock, not by a real timer', { timeout: 10_000 }, async () => {
    const clock = new ManualClock(0);
    const backend = scriptedBackend<number>();
    const p = new Poller('proxmox', backend.fetch, 60_000, clock, recordingLogger().log, clock);
    let answered = false;
    // A minute of real time would outlast the test's timeout: only the moved clock can end this wait.
    const early = p.settled(60_000).then((s) => ((answered = true), s));
    clock.advance(59_999);
    await Promise.resolve();
    assert.equal(answered, false, 'still waiting before the deadline');
    clock.advance(1);
    assert.deepEqual(await early, { status: 'never' });
    assert.equal(clock.pendingTimers, 0, 'the deadline is cancelled or fired, never left behind');
  });

  test('stop() does not wait on a hung backend; its late answer changes nothing, tells no listener, logs nothing', async () => {
    const clock = new ManualClock(0);
    const backend = scriptedBackend<number>();
    const { log, lines } = recordingLogger();
    const p = new Poller('proxmox', backend.fetch, 60_000, clock, log, clock);
    const heard: Snapshot<number>[] = [];
    p.onRefresh((s) => {
      heard.push(s);
      throw new Error('the database is closed'); // what a listener writing to a closed database does
    });
    p.start();
    await waitUntil(() => backend.calls === 1); // the first poll is in flight, never answered
    await p.stop(); // resolves although the backend never answered
    assert.deepEqual(p.snapshot, { status: 'never' });
    backend.answer(ok(9)); // the hung backend answers after all, after shutdown
    assert.deepEqual(await p.refresh(), { status: 'never' }, 'a stopped poller asks nothing and keeps its snapshot');
    assert.equal(backend.calls, 1);
    assert.deepEqual(heard, []);
    assert.deepEqual(lines, []);
  });

  test('a late failure after stop logs nothing either, and start() polls again', async () => {
    const clock = new ManualClock(0);
    const backend = scriptedBackend<number>();
    const { log, lines } = recordingLogger();
    const p = new Poller('router', backend.fetch, 60_000, clock, log, clock);
    const first = p.refresh();
    await p.stop();
    backend.answer(err(down));
    assert.deepEqual(await first, { status: 'never' });
    assert.deepEqual(lines, []);
    p.start();
    await waitUntil(() => backend.calls === 2);
    backend.answer(ok(3));
    assert.deepEqual(await p.settled(), { status: 'ok', value: 3, at: 0 });
    await p.stop();
  });
});

/** Lets queued callbacks run until `cond` holds (bounded: a stuck condition fails the test). */
async function waitUntil(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !cond(); i++) await new Promise<void>((r) => setImmediate(r));
  assert.ok(cond(), 'condition never held');
}
