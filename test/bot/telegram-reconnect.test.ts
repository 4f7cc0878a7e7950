/**
 * Reconnect supervision after start: a connected Telegram session whose line is cut (sockets
 * destroyed) or hung (bytes go nowhere) later. The link reports "reconnecting" with the reason,
 * polling resumes by itself within seconds of the line returning (never the runner's doubling
 * backoff), and a getUpdates stuck past its timeout is noticed by the watchdog and restarted.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PassThrough } from 'node:stream';
import { pino } from 'pino';
import { AdapterLink } from '../../src/bot/link.ts';
import { ManualClock } from '../../src/core/clock.ts';
import { TelegramAdapter, type TelegramOptions } from '../../src/bot/telegram/adapter.ts';
import type { Pipeline } from '../../src/handlers/pipeline.ts';
import { startFakeTelegram } from '../fakes/telegram-api.ts';
import { startCutProxy } from '../support/cut-proxy.ts';
import { waitFor } from '../support/real-server.ts';

const TOKEN = '123456:TEST-TOKEN-abcdefghijklmnopqrstuv';

/** A pipeline that answers every text with "pong": enough to see a command answered end to end. */
const pong = {
  handle: async (_inv: unknown, sink: { send(m: unknown): Promise<unknown> }) => {
    await sink.send({ blocks: [{ kind: 'text', text: 'pong' }] });
  },
} as unknown as Pipeline;

async function setUp(t: { after(f: () => unknown): void }, extra: Partial<TelegramOptions> = {}, maxHoldMs = 300) {
  const tg = await startFakeTelegram({ token: TOKEN, maxHoldMs });
  const line = await startCutProxy(tg.apiRoot);
  const lines: string[] = [];
  const logStream = new PassThrough();
  logStream.on('data', (b: Buffer) => lines.push(...b.toString().split('\n').filter(Boolean)));
  const log = pino({ level: 'info' }, logStream);
  const menus = { stamp: () => '', entries: () => [], onChange: () => () => undefined };
  const adapter = new TelegramAdapter({ token: TOKEN, apiRoot: line.url, menus, ...extra }, pong, log);
  const link = new AdapterLink(adapter, log, extra.clock);
  t.after(async () => {
    await link.stop();
    await line.close();
    await tg.close();
  });
  link.connect();
  await link.first;
  await waitFor(() => link.facts().state.kind === 'connected', { what: 'connected' });
  return { tg, line, link, adapter, lines };
}

test('a cut line after start: reconnecting with the reason, then polling resumes by itself and answers', async (t) => {
  const { tg, line, link, lines } = await setUp(t);
  assert.notEqual(link.facts().lastOkAt, undefined, 'the platform answered');

  line.setMode('cut');
  await waitFor(() => link.facts().state.kind === 'reconnecting', { what: 'the link notices repeated poll failures' });
  const state = link.facts().state;
  assert.ok(state.kind === 'reconnecting' && /network error/.test(state.reason), JSON.stringify(state));
  assert.ok(!JSON.stringify(state).includes(TOKEN), 'no token in the reason');
  await waitFor(() => lines.filter((l) => l.includes('not answering')).length === 1, { what: 'one warn line' });
  // Six failed polls: the runner's default backoff (0.1 s doubling) would now wait 3.2 s before the next.
  const refusedAtCut = line.refused;
  await waitFor(() => line.refused >= refusedAtCut + 4, { what: 'more failed polls', timeoutMs: 10_000 });
  const failedBefore = tg.calls.length;

  line.setMode('pass');
  const back = Date.now();
  tg.sendText(1000, 1000, 'ping');
  await tg.waitForMessage(1000, (m) => m.text === 'pong', 5000);
  const took = Date.now() - back;
  assert.ok(took < 2500, `answered ${took} ms after the line returned`);
  await waitFor(() => link.facts().state.kind === 'connected', { what: 'connected again' });
  assert.equal(lines.filter((l) => l.includes('reachable again')).length, 1, 'one info line when back');
  assert.ok(tg.calls.length > failedBefore);
});

test('a getUpdates hung past its timeout: the watchdog restarts polling and the bot hears again', async (t) => {
  // The client-side timeout is set far out so only the watchdog can notice the wedged poll.
  const { tg, line, link, lines } = await setUp(t, { requestTimeoutSeconds: 3600, stuckAfterMs: 1500 });
  line.setMode('hang');
  await waitFor(() => lines.some((l) => l.includes('getUpdates stuck')), { what: 'the watchdog noticed', timeoutMs: 10_000 });
  await waitFor(() => link.facts().state.kind === 'reconnecting', { what: 'reconnecting' });
  const state = link.facts().state;
  assert.ok(state.kind === 'reconnecting' && /stuck/.test(state.reason), JSON.stringify(state));

  line.setMode('pass');
  tg.sendText(1000, 1000, 'ping');
  await tg.waitForMessage(1000, (m) => m.text === 'pong', 15_000);
  await waitFor(() => link.facts().state.kind === 'connected', { what: 'connected again' });
});

test('the watchdog judges a poll on the injected clock: quiet until the limit, then polling restarts', async (t) => {
  // The fake holds each long poll for its full 30 s, so one getUpdates is in flight while the
  // manual clock moves; no real time has to pass for the watchdog to decide.
  const clock = new ManualClock(Date.now());
  const { tg, link, adapter, lines } = await setUp(t, { clock, stuckAfterMs: 60_000 }, 3_600_000);
  await tg.waitForPoll(5000);
  clock.advance(59_000);
  adapter.checkPoll();
  assert.equal(link.facts().state.kind, 'connected', 'a poll 59 s old is still within the limit');
  assert.ok(!lines.some((l) => l.includes('getUpdates stuck')));

  clock.advance(2_000);
  adapter.checkPoll();
  assert.equal(lines.filter((l) => l.includes('restarting polling')).length, 1, 'one watchdog line');
  assert.ok(
    lines.some((l) => l.includes('"stuckMs":61000')),
    'measured on the injected clock',
  );
  const state = link.facts().state;
  assert.ok(state.kind === 'reconnecting' && state.reason === 'getUpdates stuck for 61 s', JSON.stringify(state));

  // The link reconnects at once and polling resumes: a message is answered.
  await waitFor(() => link.facts().state.kind === 'connected', { what: 'connected again' });
  tg.sendText(1000, 1000, 'ping');
  await tg.waitForMessage(1000, (m) => m.text === 'pong', 5000);
});
