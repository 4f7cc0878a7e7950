/**
 * Telegram answering 5xx for a long time (its front or a reverse proxy during an outage: 502,
 * 503, 504, as the Bot API's JSON envelope or as nginx's HTML page), not only a cut line. Each
 * 5xx reaches the caller within about a second instead of sleeping in @grammyjs/auto-retry's
 * backoff (3 s doubling up to an hour): polls are retried every second, an alert send comes back
 * "unreachable" after one quick retry, and the outbox retries it at a fixed short interval
 * however long the outage lasts (a manual clock stands in for the hours).
 */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { pino } from 'pino';
import { OutboxWorker } from '../../src/alerts/worker.ts';
import type { OutboxPayload } from '../../src/alerts/payload.ts';
import { AdapterLink } from '../../src/bot/link.ts';
import { TelegramAdapter } from '../../src/bot/telegram/adapter.ts';
import { silentLogger } from '../../src/core/logger.ts';
import type { OutMessage } from '../../src/core/outmessage.ts';
import type { Pipeline } from '../../src/handlers/pipeline.ts';
import { cond, harness } from '../alerts/harness.ts';
import { startFakeTelegram, type Outage } from '../fakes/telegram-api.ts';
import { waitFor } from '../support/real-server.ts';

const TOKEN = '123456:TEST-TOKEN-abcdefghijklmnopqrstuv';
const CHAT = 1000;
const menus = { stamp: () => '', entries: () => [], onChange: () => () => undefined };

/** A pipeline that answers every text with "pong": enough to see a command answered end to end. */
const pong = {
  handle: async (_inv: unknown, sink: { send(m: unknown): Promise<unknown> }) => {
    await sink.send({ blocks: [{ kind: 'text', text: 'pong' }] });
  },
} as unknown as Pipeline;

const OUTAGES: readonly Outage[] = [
  { status: 502, body: 'json' },
  { status: 503, body: 'html' },
  { status: 504, body: 'json' },
];

for (const outage of OUTAGES) {
  test(`${outage.status} (${outage.body}) outage: each answer surfaces at once, polls every second, a command answered as soon as it ends`, async (t) => {
    const tg = await startFakeTelegram({ token: TOKEN, maxHoldMs: 300 });
    const lines: string[] = [];
    const logStream = new PassThrough();
    logStream.on('data', (b: Buffer) => lines.push(...b.toString().split('\n').filter(Boolean)));
    const log = pino({ level: 'info' }, logStream);
    const adapter = new TelegramAdapter({ token: TOKEN, apiRoot: tg.apiRoot, menus }, pong, log);
    const link = new AdapterLink(adapter, log);
    t.after(async () => {
      await link.stop();
      await tg.close();
    });
    link.connect();
    await link.first;
    await waitFor(() => link.facts().state.kind === 'connected', { what: 'connected' });

    const since = tg.mark();
    tg.setOutage(outage);
    // Two failed polls make the link report it: with the 5xx retried inside the call (3 s, 6 s, …)
    // the first poll alone would take minutes, and a 5xx counted as an answer would never report.
    await waitFor(() => link.facts().state.kind === 'reconnecting', { what: 'reconnecting', timeoutMs: 5000 });
    const state = link.facts().state;
    assert.ok(state.kind === 'reconnecting', JSON.stringify(state));
    if (outage.body === 'json') assert.match(state.reason, new RegExp(`${outage.status}`));

    // The delays between polls, read from the fake's log: fixed, never growing with the outage.
    const failedPolls = () => tg.calls.filter((c) => c.seq >= since && c.method === 'getUpdates' && c.status === outage.status);
    await waitFor(() => failedPolls().length >= 7, { what: 'seven failed polls', timeoutMs: 15_000 });
    const gaps = failedPolls()
      .slice(0, 7)
      .map((c, i, all) => (i === 0 ? 0 : c.at - all[i - 1]!.at))
      .slice(1);
    assert.ok(
      gaps.every((g) => g < 1600),
      `polls retried every second, not with a growing backoff: ${gaps.map(Math.round).join(', ')} ms`,
    );

    // An alert send: "unreachable" for the outbox (no attempt burned) after one quick retry of a
    // Bot API 5xx; an HTML page is not the Bot API answering at all, so it is treated as a cut line.
    const sendsBefore = tg.calls.filter((c) => c.method === 'sendMessage').length;
    const outcome = await adapter.deliver(String(CHAT), { blocks: [{ kind: 'text', text: 'on battery' }] });
    assert.equal(outcome.ok, false);
    assert.ok(!outcome.ok && outcome.unreachable, JSON.stringify(outcome));
    const sends = tg.calls.filter((c) => c.method === 'sendMessage').length - sendsBefore;
    assert.equal(sends, outage.body === 'json' ? 2 : 1, 'the send (and one retry of a Bot API 5xx)');

    tg.setOutage(undefined);
    const back = tg.mark();
    tg.sendText(CHAT, CHAT, 'ping');
    await tg.waitForMessage(CHAT, (m) => m.text === 'pong', 5000);
    // The first poll after the outage got the command: no backoff was pending.
    const polls = tg.calls.filter((c) => c.seq >= back && c.method === 'getUpdates');
    assert.ok(polls.length <= 3, `answered within the next poll or two (${polls.length})`);
    await waitFor(() => link.facts().state.kind === 'connected', { what: 'connected again' });
    assert.equal(lines.filter((l) => l.includes('not answering')).length, 1, 'one warn line for the outage');
    assert.equal(lines.filter((l) => l.includes('reachable again')).length, 1, 'one info line when back');
  });
}

/** Alerts as short text, enough to see what was sent. */
function render(p: OutboxPayload): OutMessage {
  const text = p.type === 'alert' ? `${p.event.kind}:${p.event.alert.key}` : p.type;
  return { blocks: [{ kind: 'text', text }] };
}

test('a ten-hour 502 outage on a manual clock: the alert waits with no attempt burned, retried every 2 s, delivered once at the first retry after it ends', async (t) => {
  const tg = await startFakeTelegram({ token: TOKEN, maxHoldMs: 300 });
  const adapter = new TelegramAdapter({ token: TOKEN, apiRoot: tg.apiRoot, menus }, pong, silentLogger());
  t.after(() => tg.close());
  const h = harness([{ destination: `telegram:${CHAT}` }]);
  const worker = new OutboxWorker({
    db: h.db,
    clock: h.clock,
    log: silentLogger(),
    render,
    groupWindowMs: 0,
    deliver: (destination, message, editRef) => adapter.deliver(destination.split(':')[1]!, message, editRef),
  });
  tg.setOutage({ status: 502, body: 'json' });
  h.at(0, [cond('ups_on_battery', { holdMs: 0 })]);

  const pending = () => {
    const rows = h.service.outbox.list(['pending', 'dead']);
    assert.equal(rows.length, 1, JSON.stringify(rows));
    return rows[0]!;
  };
  for (let hour = 0; hour <= 10; hour += 2) {
    if (hour > 0) h.clock.advance(2 * 3600_000);
    await worker.tick();
    const row = pending();
    assert.equal(row.status, 'pending', `still pending after ${hour} h`);
    assert.equal(row.attempts, 0, 'an unreachable platform burns no attempt');
    assert.equal(row.nextAttemptAt - h.clock.now(), 2000, `the next try is 2 s away after ${hour} h, whatever the outage length`);
  }
  assert.equal(tg.messagesTo(CHAT).length, 0);

  tg.setOutage(undefined);
  h.clock.advance(1999);
  await worker.tick();
  assert.equal(tg.messagesTo(CHAT).length, 0, 'not before the scheduled retry');
  h.clock.advance(1);
  await worker.tick();
  assert.equal(tg.messagesTo(CHAT).length, 1, 'delivered at the retry 2 s after the last failed try');
  assert.match(tg.messagesTo(CHAT)[0]!.text ?? '', /raise:ups_on_battery/);
  assert.equal(h.service.outbox.counts().sent, 1);
  assert.equal(h.service.outbox.counts().dead, 0);
  await worker.tick();
  assert.equal(tg.messagesTo(CHAT).length, 1, 'delivered once');
});
