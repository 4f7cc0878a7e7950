import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../../src/core/logger.ts';
import type { OutMessage } from '../../src/core/outmessage.ts';
import type { DeliveryOutcome } from '../../src/core/delivery.ts';
import { OutboxWorker } from '../../src/alerts/worker.ts';
import type { OutboxPayload } from '../../src/alerts/payload.ts';
import { waitFor } from '../support/real-server.ts';
import { cond, harness, type Harness } from './harness.ts';

interface Call {
  destination: string;
  text: string;
  editRef: string | undefined;
  dedupKey: string | undefined;
}

/** Renders payloads as short strings so tests can read what was sent. */
function render(p: OutboxPayload): OutMessage {
  const line = (e: { kind: string; reason?: string; alert: { key: string } }) =>
    `${e.kind}${e.reason ? `(${e.reason})` : ''}:${e.alert.key}`;
  const text =
    p.type === 'alert'
      ? line(p.event)
      : p.type === 'group'
        ? `group[${p.items.map(line).join(',')}]`
        : p.type === 'message'
          ? 'message'
          : p.type === 'offline'
            ? `offline ${(p.until - p.since) / 60_000}min ${p.events} events [${p.active.map(line).join(',')}]`
            : p.type;
  return { blocks: [{ kind: 'text', text }] };
}

/** A worker whose deliver answers from a script of outcomes (then ok). */
function worker(
  h: Harness,
  script: (call: Call, n: number) => DeliveryOutcome | undefined = () => undefined,
  extra: Partial<ConstructorParameters<typeof OutboxWorker>[0]> = {},
) {
  const calls: Call[] = [];
  let refs = 0;
  const w = new OutboxWorker({
    db: h.db,
    clock: h.clock,
    log: silentLogger(),
    render,
    groupWindowMs: 0,
    backoff: { baseMs: 5000, maxMs: 60_000 },
    maxAttempts: 4,
    deliver: async (destination, message, editRef, meta) => {
      const call = {
        destination,
        text: message.blocks[0]!.kind === 'text' ? message.blocks[0]!.text : '',
        editRef,
        dedupKey: meta?.dedupKey,
      };
      calls.push(call);
      return script(call, calls.length) ?? { ok: true, ref: editRef ?? `m${++refs}` };
    },
    ...extra,
  });
  return { w, calls, texts: () => calls.map((c) => `${c.destination} ${c.text}${c.editRef ? ` edit=${c.editRef}` : ''}`) };
}

describe('outbox delivery', () => {
  test('delivers in order and records the platform ref', async () => {
    const h = harness();
    h.at(0, [cond('a', { holdMs: 0 })]);
    h.at(1000, [cond('a', { holdMs: 0 }), cond('b', { holdMs: 0 })]);
    const { w, texts } = worker(h);
    assert.equal(await w.tick(), 2);
    assert.deepEqual(texts(), ['telegram:1 raise:a', 'telegram:1 raise:b']);
    assert.deepEqual(
      h.service.outbox.list(['sent']).map((r) => r.ref),
      ['m1', 'm2'],
    );
    assert.equal(await w.tick(), 0, 'nothing left');
  });

  test('retry_after is honoured exactly', async () => {
    const h = harness();
    h.at(0, [cond('a', { holdMs: 0 })]);
    const { w, calls } = worker(h, (_c, n) => (n === 1 ? { ok: false, retryAfterMs: 35_000, error: '429 Too Many Requests' } : undefined));
    await w.tick();
    h.clock.advance(34_999);
    await w.tick();
    assert.equal(calls.length, 1);
    assert.equal(h.service.outbox.list(['pending'])[0]?.lastError, '429 Too Many Requests');
    h.clock.advance(1);
    await w.tick();
    assert.equal(calls.length, 2);
    assert.equal(h.service.outbox.counts().sent, 1);
  });

  test('exponential backoff, then a dead letter that stays visible and does not block the next message', async () => {
    const h = harness();
    h.at(0, [cond('a', { holdMs: 0 })]);
    h.at(0, [cond('a', { holdMs: 0 }), cond('b', { holdMs: 0 })]);
    const { w, texts } = worker(h, (c) => (c.text === 'raise:a' ? { ok: false, error: '502 Bad Gateway' } : undefined));
    const attemptsAt: number[] = [];
    const t0 = h.clock.now();
    for (let i = 0; i < 80; i++) {
      const before = texts().length;
      await w.tick();
      if (texts().length > before) attemptsAt.push((h.clock.now() - t0) / 1000);
      h.clock.advance(1000);
    }
    assert.deepEqual(attemptsAt, [0, 5, 15, 35], 'attempts after 5 s, 10 s, 20 s');
    assert.deepEqual(texts(), [
      'telegram:1 raise:a',
      'telegram:1 raise:a',
      'telegram:1 raise:a',
      'telegram:1 raise:a',
      'telegram:1 raise:b',
    ]);
    const dead = h.service.outbox.list(['dead']);
    assert.equal(dead.length, 1);
    assert.equal(dead[0]?.attempts, 4);
    assert.equal(dead[0]?.lastError, '502 Bad Gateway');
    assert.equal(h.service.outbox.retry(dead[0]!.id, h.clock.now()), true);
    assert.equal(h.service.outbox.list(['pending']).length, 1);
  });

  test('a permanent failure is dead at once', async () => {
    const h = harness();
    h.at(0, [cond('a', { holdMs: 0 })]);
    const { w } = worker(h, () => ({ ok: false, permanent: true, error: '403 bot was blocked by the user' }));
    await w.tick();
    assert.equal(h.service.outbox.counts().dead, 1);
  });

  test('per-destination order: a failing chat holds its later messages, other chats go on', async () => {
    const h = harness([{ destination: 'telegram:1' }, { destination: 'discord:2' }]);
    h.at(0, [cond('a', { holdMs: 0 })]);
    h.at(0, [cond('a', { holdMs: 0 }), cond('b', { holdMs: 0 })]);
    let down = true;
    const { w, texts } = worker(h, (c) => (down && c.destination === 'telegram:1' ? { ok: false, error: '502' } : undefined));
    await w.tick();
    assert.deepEqual(texts().sort(), ['discord:2 raise:a', 'discord:2 raise:b', 'telegram:1 raise:a']);
    down = false;
    h.clock.advance(5000);
    await w.tick();
    assert.deepEqual(texts().slice(3), ['telegram:1 raise:a', 'telegram:1 raise:b']);
  });

  test('state messages edit the earlier message (ack), and fall back to a new message when it is gone', async () => {
    const h = harness();
    h.at(0, [cond('a', { holdMs: 0 })]);
    const { w, texts } = worker(h, (c, n) => (n === 3 ? { ok: false, permanent: true, error: 'message to edit not found' } : undefined));
    await w.tick();
    h.service.acknowledge('a', 'telegram:42');
    await w.tick();
    assert.deepEqual(texts(), ['telegram:1 raise:a', 'telegram:1 update(ack):a edit=m1']);
    h.service.snooze('a', 3600_000, 'telegram:42');
    await w.tick();
    assert.deepEqual(texts().slice(2), ['telegram:1 update(snooze):a edit=m1', 'telegram:1 update(snooze):a']);
  });

  test('a storm goes out as one grouped message; later edits of its members become new messages', async () => {
    const h = harness();
    const five = ['a', 'b', 'c', 'd', 'e'].map((k) => cond(k, { holdMs: 0, severity: 'warning' }));
    h.at(0, five);
    const { w, texts, calls } = worker(h, undefined, { groupWindowMs: 2000 });
    await w.tick();
    assert.equal(calls.length, 0, 'waits for the group window');
    h.clock.advance(2000);
    await w.tick();
    assert.deepEqual(texts(), ['telegram:1 group[raise:a,raise:b,raise:c,raise:d,raise:e]']);
    assert.ok(h.service.outbox.list(['sent']).every((r) => r.grouped && r.ref === 'm1'));
    h.service.acknowledge('c', 'telegram:42');
    h.clock.advance(2000);
    await w.tick();
    assert.deepEqual(texts().slice(1), ['telegram:1 update(ack):c']);
  });

  test('two alerts are not a storm', async () => {
    const h = harness();
    h.at(0, [cond('a', { holdMs: 0 }), cond('b', { holdMs: 0 })]);
    const { w, texts } = worker(h);
    await w.tick();
    assert.deepEqual(texts(), ['telegram:1 raise:a', 'telegram:1 raise:b']);
  });

  test('a throwing deliver counts as a failed attempt', async () => {
    const h = harness();
    h.at(0, [cond('a', { holdMs: 0 })]);
    const { w } = worker(h, () => {
      throw new Error('socket hang up');
    });
    await w.tick();
    const [row] = h.service.outbox.list(['pending']);
    assert.equal(row?.attempts, 1);
    assert.equal(row?.lastError, 'socket hang up');
  });

  test('enqueueing the same dedup key twice stores it once', () => {
    const h = harness();
    const item = {
      destination: 'telegram:1',
      dedupKey: 'x>telegram:1',
      payload: { type: 'message' as const, message: { blocks: [] } },
      severity: 'info' as const,
    };
    assert.equal(h.service.outbox.enqueue(item, 0), true);
    assert.equal(h.service.outbox.enqueue(item, 0), false);
    assert.equal(h.service.outbox.list().length, 1);
  });

  test('the background loop delivers without manual ticks', async () => {
    const h = harness();
    const { w, calls } = worker(h, undefined, { idleMs: 20 });
    w.start();
    h.at(0, [cond('a', { holdMs: 0 })]);
    w.kick();
    await waitFor(() => calls.length > 0, { what: 'background delivery' });
    await w.stop();
    assert.equal(calls.length, 1);
  });

  test('a hung destination never delays another; stop returns within its bound and the row stays queued', async () => {
    const h = harness([{ destination: 'telegram:1' }, { destination: 'discord:2' }]);
    h.at(0, [cond('a', { holdMs: 0 })]);
    const hung: ((o: DeliveryOutcome) => void)[] = [];
    const { w, texts } = worker(h, undefined, {
      idleMs: 5,
      stopTimeoutMs: 20,
      deliver: async (destination) => {
        if (destination === 'telegram:1') return new Promise<DeliveryOutcome>((r) => hung.push(r)); // never answers
        return { ok: true, ref: 'd1' };
      },
    });
    void texts;
    w.start();
    await waitFor(() => h.service.outbox.list(['sent']).some((r) => r.destination === 'discord:2'), { what: 'Discord delivered' });
    assert.equal(hung.length, 1, 'the Telegram send is still hanging');
    await w.stop();
    const pending = h.service.outbox.list(['pending']);
    assert.deepEqual(
      pending.map((r) => r.destination),
      ['telegram:1'],
    );
    hung[0]!({ ok: true, ref: 'late' }); // answering after stop changes nothing
    await new Promise((r) => setImmediate(r));
    assert.equal(h.service.outbox.list(['pending']).length, 1);
  });

  test('a send that never answers times out as unreachable (no attempt burned)', async () => {
    const h = harness();
    h.at(0, [cond('a', { holdMs: 0 })]);
    const { w } = worker(h, undefined, { deliveryTimeoutMs: 10, deliver: () => new Promise<DeliveryOutcome>(() => undefined) });
    await w.tick();
    const row = h.service.outbox.list(['pending'])[0]!;
    assert.equal(row.attempts, 0);
    assert.match(row.lastError ?? '', /no answer in 10 ms/);
  });

  test('a 10-minute outage: no dead letters, retries every 2 s, then one "while you were offline" summary', async () => {
    const h = harness();
    let down = true;
    const { w, texts } = worker(h, () => (down ? { ok: false, unreachable: true, error: 'network error talking to Telegram' } : undefined));
    h.at(0, [cond('ups', { holdMs: 0 })]);
    let tries = 0;
    for (let s = 0; s < 600; s += 1) {
      if (s === 120) h.at(0, [cond('ups', { holdMs: 0 }), cond('disk', { holdMs: 0 })]);
      if (s === 300) h.at(0, [cond('ups', { holdMs: 0 }), cond('disk', { holdMs: 0 }), cond('temp', { holdMs: 0 })]);
      if (s >= 400 && s % 30 === 0) h.at(0, [cond('ups', { holdMs: 0 }), cond('disk', { holdMs: 0 })]); // temp goes away, resolved after its hold
      tries += await w.tick();
      h.clock.advance(1000);
    }
    assert.equal(h.service.outbox.counts().dead, 0, 'an outage never dead-letters (maxAttempts is 4 here)');
    assert.ok(tries >= 250 && tries <= 320, `retried every 2 s: ${tries}`);
    assert.equal(h.service.outbox.list(['pending'])[0]?.attempts, 0, 'no attempt burned');
    down = false;
    const before = texts().length;
    await w.tick();
    const after = texts().slice(before);
    assert.equal(after.length, 1, `one message, not a burst: ${after.join(' | ')}`);
    assert.match(after[0]!, /^telegram:1 offline 10min 4 events \[raise:ups,raise:disk\]$/);
    assert.equal(h.service.outbox.counts().pending, 0);
  });

  test('a one-minute cut: stale raise/resolve pairs fold into one summary whatever their age; fresh distinct alerts still go as a group', async () => {
    const h = harness([{ destination: 'telegram:1' }], { resolveHoldMs: 0 });
    let down = true;
    const { w, texts } = worker(h, () => (down ? { ok: false, unreachable: true, error: 'network error talking to Telegram' } : undefined));
    // On battery, then low, then back on mains, then no longer low: all within 40 s of the cut.
    h.at(0, [cond('onbattery', { holdMs: 0 })]);
    await w.tick();
    h.at(10_000, [cond('onbattery', { holdMs: 0 }), cond('low', { holdMs: 0 })]);
    await w.tick();
    h.at(15_000, [cond('low', { holdMs: 0 })]);
    await w.tick();
    h.at(10_000, []);
    await w.tick();
    assert.equal(h.service.outbox.counts().dead, 0);
    h.clock.advance(5000); // the line returns 40 s after the first alert, before any 60 s threshold
    down = false;
    const before = texts().length;
    await w.tick();
    const after = texts().slice(before);
    assert.equal(after.length, 1, `one message, not a burst: ${after.join(' | ')}`);
    assert.match(after[0]!, /^telegram:1 offline 0\.6+7?min 4 events \[\]$/, 'queued 40 s ago, nothing still active');
    assert.equal(h.service.outbox.counts().pending, 0);

    // A still-active alert in the backlog is never lost: it is listed in the summary.
    down = true;
    h.at(1000, [cond('onbattery', { holdMs: 0 })]);
    await w.tick();
    h.at(5000, [cond('onbattery', { holdMs: 0 }), cond('low', { holdMs: 0 })]);
    await w.tick();
    h.at(5000, [cond('low', { holdMs: 0 })]);
    await w.tick();
    h.clock.advance(2000); // the unreachable retry is due
    down = false;
    await w.tick();
    assert.match(texts().at(-1)!, /^telegram:1 offline [\d.]+min 3 events \[raise:low\]$/);

    // Distinct alerts, each still current, queued briefly: no stale news, so the usual grouped message.
    down = true;
    h.at(1000, [cond('low', { holdMs: 0 }), cond('a', { holdMs: 0 })]);
    await w.tick();
    h.at(1000, [cond('low', { holdMs: 0 }), cond('a', { holdMs: 0 }), cond('b', { holdMs: 0 }), cond('c', { holdMs: 0 })]);
    await w.tick();
    h.clock.advance(2000); // the unreachable retry is due
    down = false;
    await w.tick();
    assert.equal(texts().at(-1), 'telegram:1 group[raise:a,raise:b,raise:c]');
  });
});
