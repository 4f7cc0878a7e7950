/**
 * What the Telegram adapter does before its first getUpdates: getMe only. The command menus
 * are registered beside polling (a hung setMyCommands never holds it back, one refused with a
 * 400 is logged once and not sent again when someone writes, and they end up registered once;
 * line failures retry by themselves: telegram-menu-retry.test.ts), and a webhook left set is
 * deleted only when getUpdates answers the 409 that names it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PassThrough } from 'node:stream';
import { pino } from 'pino';
import { AdapterLink } from '../../src/bot/link.ts';
import { TelegramAdapter } from '../../src/bot/telegram/adapter.ts';
import type { CommandMenus } from '../../src/handlers/menus.ts';
import type { Pipeline } from '../../src/handlers/pipeline.ts';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram-api.ts';
import { waitFor } from '../support/real-server.ts';

const TOKEN = '123456:TEST-TOKEN-abcdefghijklmnopqrstuv';
const USER = 1000;

/** A pipeline that answers every text with "pong". */
const pong = {
  handle: async (_inv: unknown, sink: { send(m: unknown): Promise<unknown> }) => {
    await sink.send({ blocks: [{ kind: 'text', text: 'pong' }] });
  },
} as unknown as Pipeline;

/** One default menu that never changes. */
const menus: CommandMenus = {
  stamp: () => 'v1',
  entries: () => [{ commands: [{ command: 'help', description: 'What you can do' }] }],
  onChange: () => () => undefined,
};

function connect(t: { after(f: () => unknown): void }, tg: FakeTelegram) {
  const lines: string[] = [];
  const logStream = new PassThrough();
  logStream.on('data', (b: Buffer) => lines.push(...b.toString().split('\n').filter(Boolean)));
  const log = pino({ level: 'info' }, logStream);
  const link = new AdapterLink(new TelegramAdapter({ token: TOKEN, apiRoot: tg.apiRoot, menus }, pong, log), log);
  t.after(async () => {
    await link.stop();
    await tg.close();
  });
  link.connect();
  return { link, lines };
}

const count = (tg: FakeTelegram, method: string): number => tg.calls.filter((c) => c.method === method).length;

test('the first poll follows getMe alone; a hung setMyCommands does not hold it, and the menu is registered once it answers', async (t) => {
  const tg = await startFakeTelegram({ token: TOKEN, maxHoldMs: 300 });
  const release = tg.holdCalls('setMyCommands');
  const { link } = connect(t, tg);
  await tg.waitForPoll();
  await link.first;
  assert.deepEqual(
    tg.calls.map((c) => c.method),
    ['getMe'],
    'nothing but getMe answered before the first poll',
  );

  tg.sendText(USER, USER, 'ping');
  await tg.waitForMessage(USER, (m) => m.text === 'pong');
  assert.equal(tg.commands(), undefined, 'the menu call is still hanging');

  release();
  const menu = await waitFor(() => tg.commands(), { what: 'the default menu registered' });
  assert.deepEqual(menu, [{ command: 'help', description: 'What you can do' }]);
  tg.sendText(USER, USER, 'ping again');
  await tg.waitForMessage(USER, (m) => m.text === 'pong' && tg.messagesTo(USER).length === 2);
  assert.equal(count(tg, 'setMyCommands'), 1, 'registered once: an unchanged menu is not sent again');
  assert.equal(count(tg, 'deleteWebhook'), 0, 'no webhook, no deleteWebhook');
});

test('a menu Telegram refuses (400) beside the first poll is logged once and not sent again when someone writes', async (t) => {
  const tg = await startFakeTelegram({ token: TOKEN, maxHoldMs: 300 });
  tg.failNext('setMyCommands', { code: 400, description: 'Bad Request: BOT_COMMANDS_TOO_MUCH' });
  const { lines } = connect(t, tg);
  const refused = () => lines.filter((l) => l.includes('refused a command menu'));
  await waitFor(() => refused().length > 0, { what: 'the refusal logged' });
  assert.equal(tg.commands(), undefined);

  // The same list would be refused again: a message is no reason to send it (only a change is).
  tg.sendText(USER, USER, 'ping');
  await tg.waitForMessage(USER, (m) => m.text === 'pong');
  tg.sendText(USER, USER, 'ping again');
  await tg.waitForMessage(USER, (m) => m.text === 'pong' && tg.messagesTo(USER).length === 2);
  assert.equal(count(tg, 'setMyCommands'), 1, 'the refused call only');
  assert.equal(refused().length, 1, 'logged once');
});

test('a restart of polling (a reconnect) asks getMe again: a line still failing is not reported connected', async (t) => {
  const tg = await startFakeTelegram({ token: TOKEN, maxHoldMs: 300 });
  const log = pino({ level: 'silent' });
  const adapter = new TelegramAdapter({ token: TOKEN, apiRoot: tg.apiRoot, menus }, pong, log);
  t.after(async () => {
    await adapter.stop();
    await tg.close();
  });
  await adapter.start();
  await adapter.stop();
  // Telegram's front fails the reconnect's call (and the one quick retry of a 5xx).
  tg.failNext('getMe', { code: 502 }, 2);
  await assert.rejects(adapter.start(), /Bad Gateway/);
  assert.equal(count(tg, 'getMe'), 3);
  await adapter.start();
  assert.equal(count(tg, 'getMe'), 4);
});

test('a webhook left set: the first poll’s 409 deletes it, keeping the update that waited, and the bot answers', async (t) => {
  const tg = await startFakeTelegram({ token: TOKEN, maxHoldMs: 300 });
  tg.setWebhook('https://bot.example.com/hook');
  tg.sendText(USER, USER, 'ping');
  const { link, lines } = connect(t, tg);
  await link.first;

  await tg.waitForMessage(USER, (m) => m.text === 'pong');
  assert.equal(tg.state.webhookUrl, '');
  const deletes = tg.calls.filter((c) => c.method === 'deleteWebhook');
  assert.equal(deletes.length, 1);
  assert.equal(deletes[0]?.params.drop_pending_updates, undefined, 'pending updates kept');
  assert.equal(tg.calls.filter((c) => c.method === 'getUpdates' && c.status === 409).length, 1);
  assert.equal(link.facts().state.kind, 'connected', 'handled inside the poll: the link never went down');
  assert.ok(lines.some((l) => l.includes('a webhook is set')));
  assert.ok(!lines.some((l) => l.includes('polling ended')));
});

test('the other 409 (a second poller took over) deletes no webhook', async (t) => {
  const tg = await startFakeTelegram({ token: TOKEN, maxHoldMs: 2000 });
  const { link, lines } = connect(t, tg);
  await link.first;
  await tg.waitForPoll();
  // Another program polls with the same token: the held poll answers 409 "terminated by other getUpdates request".
  const other = fetch(`${tg.apiRoot}/bot${TOKEN}/getUpdates`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"timeout":30}',
  }).catch(() => undefined);
  await waitFor(() => lines.some((l) => l.includes('polling ended')), { what: 'the bot saw its poll ended by the other poller' });
  assert.equal(count(tg, 'deleteWebhook'), 0);
  await other;
});
