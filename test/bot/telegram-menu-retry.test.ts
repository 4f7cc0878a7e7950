/**
 * A command-menu registration that fails on the way (line cut, hung call, 429, 5xx) is retried
 * by itself on the scheduler, with no one writing to the bot: after a doubling wait, at least
 * the 429's retry_after (and only past what auto-retry already waits out inside the call), at
 * once when polling recovers, never after stop(), and always with the menus wanted now. A menu
 * Telegram refuses for good (a 400) is skipped alone: logged once, never sent again unchanged.
 * The real adapter against the fake Bot API; time is a ManualClock the tests move.
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { PassThrough } from 'node:stream';
import { pino } from 'pino';
import { ManualClock } from '../../src/core/clock.ts';
import { TelegramAdapter } from '../../src/bot/telegram/adapter.ts';
import type { CommandMenus, MenuCommand, MenuEntry } from '../../src/handlers/menus.ts';
import type { Pipeline } from '../../src/handlers/pipeline.ts';
import { startFakeTelegram, type FakeTelegram, type FakeTelegramOptions } from '../fakes/telegram-api.ts';
import { waitFor } from '../support/real-server.ts';

const TOKEN = '123456:TEST-TOKEN-abcdefghijklmnopqrstuv';

/** No update reaches a pipeline here: no one writes to the bot in these tests. */
const silentPipeline = { handle: async () => undefined } as unknown as Pipeline;

/** Menus the test changes by hand, as a grant or role change would. */
function changingMenus(first: MenuEntry[]) {
  let entries = first;
  let version = 1;
  const listeners = new Set<() => void>();
  const menus: CommandMenus = {
    stamp: () => `v${version}`,
    entries: () => entries,
    onChange(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  };
  return {
    menus,
    change(next: MenuEntry[]): void {
      entries = next;
      version++;
      for (const l of listeners) l();
    },
  };
}

const help = (description: string): MenuCommand[] => [{ command: 'help', description }];

async function started(
  t: TestContext,
  menus: CommandMenus,
  o: { fake?: FakeTelegramOptions; requestTimeoutSeconds?: number } = {},
): Promise<{ tg: FakeTelegram; adapter: TelegramAdapter; clock: ManualClock; lines: string[]; setMyCommands: () => number }> {
  const tg = await startFakeTelegram({ token: TOKEN, maxHoldMs: 300, ...o.fake });
  const clock = new ManualClock();
  const lines: string[] = [];
  const logStream = new PassThrough();
  logStream.on('data', (b: Buffer) => lines.push(...b.toString().split('\n').filter(Boolean)));
  const adapter = new TelegramAdapter(
    {
      token: TOKEN,
      apiRoot: tg.apiRoot,
      menus,
      scheduler: clock,
      ...(o.requestTimeoutSeconds ? { requestTimeoutSeconds: o.requestTimeoutSeconds } : {}),
    },
    silentPipeline,
    pino({ level: 'info' }, logStream),
  );
  t.after(async () => {
    await adapter.stop();
    await tg.close();
  });
  return { tg, adapter, clock, lines, setMyCommands: () => tg.calls.filter((c) => c.method === 'setMyCommands').length };
}

/** Resolves once a retry waits on the clock (the failed pass is over). */
const retryWaiting = (clock: ManualClock): Promise<boolean> => waitFor(() => clock.pendingTimers === 1, { what: 'a retry scheduled' });

test('a cut connection: retried 5 s later by the clock alone, not before', async (t) => {
  const { menus } = changingMenus([{ commands: help('What you can do') }]);
  const { tg, adapter, clock, setMyCommands } = await started(t, menus);
  tg.cutNext('setMyCommands');
  await adapter.start();
  await retryWaiting(clock);
  assert.equal(tg.commands(), undefined);
  clock.advance(4_999);
  assert.equal(clock.pendingTimers, 1, 'still waiting');
  assert.equal(setMyCommands(), 1);
  clock.advance(1);
  assert.deepEqual(await waitFor(() => tg.commands(), { what: 'the menu registered' }), help('What you can do'));
  assert.equal(setMyCommands(), 2);
  assert.equal(clock.pendingTimers, 0, 'done: nothing more to retry');
});

test('500s: the wait doubles (5 s, then 10 s) and the pass stops at the first failure instead of hammering', async (t) => {
  const { menus } = changingMenus([
    { commands: help('What you can do') },
    { languageCode: 'es', commands: help('Lo que puedes hacer') },
    { languageCode: 'en', commands: help('What you can do') },
  ]);
  const { tg, adapter, clock, setMyCommands } = await started(t, menus);
  // Each failed pass is one call plus the adapter's one quick retry of a 5xx.
  tg.failNext('setMyCommands', { code: 500 }, 4);
  await adapter.start();
  await retryWaiting(clock);
  assert.equal(setMyCommands(), 2, 'the pass stopped at the first menu');
  clock.advance(5_000);
  await waitFor(() => setMyCommands() === 4 && clock.pendingTimers === 1, { what: 'the second pass failed and waits again' });
  clock.advance(9_999);
  assert.equal(setMyCommands(), 4, 'the second wait is 10 s');
  clock.advance(1);
  await waitFor(() => tg.commands(undefined, 'en'), { what: 'every menu registered' });
  assert.deepEqual(tg.commands(undefined, 'es'), help('Lo que puedes hacer'));
  assert.equal(setMyCommands(), 7);
  // One call at a time, as on any pass: a retry is no burst.
  const menuCalls = tg.calls.filter((c) => c.method === 'setMyCommands');
  for (let i = 1; i < menuCalls.length; i++) assert.ok(menuCalls[i]!.at >= menuCalls[i - 1]!.doneAt, 'calls never overlap');
});

test('a 429 past auto-retry’s bound waits its retry_after; one within it is waited out inside the call, not retried twice', async (t) => {
  const { menus, change } = changingMenus([{ commands: help('What you can do') }]);
  const { tg, adapter, clock, setMyCommands } = await started(t, menus);
  tg.failNext('setMyCommands', { code: 429, retryAfter: 120 });
  await adapter.start();
  await retryWaiting(clock);
  clock.advance(119_000);
  assert.equal(setMyCommands(), 1, 'not before retry_after');
  clock.advance(1_000);
  await waitFor(() => tg.commands(), { what: 'the menu registered after retry_after' });
  assert.equal(setMyCommands(), 2);

  // retry_after 1 s is within auto-retry's 60 s: it waits inside the call; no second retry is scheduled.
  tg.failNext('setMyCommands', { code: 429, retryAfter: 1 });
  change([{ commands: help('Everything you can do') }]);
  await waitFor(() => tg.commands()?.length && (tg.commands() as MenuCommand[])[0]?.description === 'Everything you can do', {
    what: 'the changed menu after auto-retry waited',
  });
  assert.equal(setMyCommands(), 4);
  assert.equal(clock.pendingTimers, 0);
});

test('a hung call: the request timeout ends it and the clock retries it, even if Telegram applied the late one', async (t) => {
  const { menus } = changingMenus([{ commands: help('What you can do') }]);
  const { tg, adapter, clock, setMyCommands } = await started(t, menus, { requestTimeoutSeconds: 1 });
  const release = tg.holdCalls('setMyCommands');
  await adapter.start();
  await retryWaiting(clock);
  assert.equal(setMyCommands(), 0);
  assert.equal(tg.heldCalls, 1, 'the call is still hanging at the fake');
  release();
  await waitFor(() => setMyCommands() === 1, { what: 'the late call answered into a closed connection' });
  const since = tg.mark();
  clock.advance(5_000);
  const retried = await tg.waitForCall('setMyCommands', () => true, 5000, since);
  assert.equal(retried.status, 200);
  await waitFor(() => clock.pendingTimers === 0, { what: 'the retry done' });
});

test('a menu superseded while the line is down is never sent: the retry sends what is wanted now, with one timer', async (t) => {
  const { menus, change } = changingMenus([{ chatId: '3001', commands: help('Old list') }]);
  const { tg, adapter, clock } = await started(t, menus);
  tg.failNext('setMyCommands', { code: 502 }, 4);
  await adapter.start();
  await retryWaiting(clock);
  const changedAt = tg.mark();
  change([{ chatId: '3001', commands: help('New list') }]);
  const sinceChange = () => tg.calls.filter((c) => c.seq >= changedAt && c.method === 'setMyCommands');
  await waitFor(() => sinceChange().length === 2 && clock.pendingTimers === 1, {
    what: 'the change’s pass failed too, one timer still',
  });
  clock.advance(10_000);
  const chat = { type: 'chat', chat_id: 3001 };
  assert.deepEqual(await waitFor(() => tg.commands(chat), { what: 'the new list registered' }), help('New list'));
  assert.ok(
    sinceChange().every((c) => JSON.stringify(c.params.commands).includes('New list')),
    'the old list was never sent again',
  );
  clock.advance(60 * 60_000);
  assert.equal(tg.calls.filter((c) => c.method === 'setMyCommands').length, 5, 'two failed passes, one retry, nothing after success');
});

test('stop() cancels the waiting retry and ends a hung call at once, scheduling nothing', { timeout: 15_000 }, async (t) => {
  const { menus } = changingMenus([{ commands: help('What you can do') }]);
  const { tg, adapter, clock, setMyCommands } = await started(t, menus);
  tg.failNext('setMyCommands', { code: 500 }, 2);
  await adapter.start();
  await retryWaiting(clock);
  await adapter.stop();
  assert.equal(clock.pendingTimers, 0);
  clock.advance(60 * 60_000);
  assert.equal(setMyCommands(), 2, 'no retry after stop');

  // Started again (a reconnect), the menu call hangs: stop() aborts it rather than waiting out the 40 s timeout.
  tg.holdCalls('setMyCommands');
  await adapter.start();
  await waitFor(() => tg.heldCalls === 1, { what: 'the menu call hanging' });
  await adapter.stop();
  assert.equal(clock.pendingTimers, 0, 'an aborted call schedules no retry');
});

test('polling recovering after an outage retries the menus at once, without waiting out the backoff', async (t) => {
  const { menus } = changingMenus([{ commands: help('What you can do') }]);
  const { tg, adapter, clock } = await started(t, menus);
  tg.failNext('setMyCommands', { code: 502 }, 2);
  await adapter.start();
  await retryWaiting(clock);
  tg.setOutage({ status: 502, body: 'json' });
  await waitFor(() => tg.calls.filter((c) => c.method === 'getUpdates' && c.status === 502).length >= 2, {
    what: 'polling in trouble',
  });
  tg.setOutage(undefined);
  await waitFor(() => tg.commands(), { what: 'the menu registered as polling came back, the clock never moved' });
  assert.equal(clock.pendingTimers, 0);
});

test('a menu Telegram refuses with a 400 is skipped alone: the rest of the pass goes on, it is logged once, and only a changed list is sent again', async (t) => {
  const refusedList: MenuCommand[] = [{ command: 'Ayuda', description: 'Lo que puedes hacer' }]; // upper case: not a command name
  const chat = { type: 'chat', chat_id: 3001 };
  const wanted = (defaultText: string, spanish: MenuCommand[]): MenuEntry[] => [
    { languageCode: 'es', commands: spanish },
    { commands: help(defaultText) },
    { chatId: '3001', commands: help('Your commands') },
  ];
  const { menus, change } = changingMenus(wanted('What you can do', refusedList));
  const { tg, adapter, clock, lines, setMyCommands } = await started(t, menus);
  await adapter.start();
  assert.deepEqual(await waitFor(() => tg.commands(chat), { what: 'the menus after the refused one' }), help('Your commands'));
  assert.deepEqual(tg.commands(), help('What you can do'));
  assert.equal(tg.commands(undefined, 'es'), undefined);
  const refusal = tg.calls.find((c) => c.method === 'setMyCommands' && c.status === 400);
  assert.deepEqual(refusal?.response, { ok: false, error_code: 400, description: 'Bad Request: BOT_COMMAND_INVALID' });
  assert.equal(setMyCommands(), 3, 'each menu once');
  assert.equal(clock.pendingTimers, 0, 'no retry scheduled for a refusal');
  const refusedLines = () => lines.filter((l) => l.includes('refused a command menu'));
  assert.equal(refusedLines().length, 1);
  assert.match(refusedLines()[0]!, /"language":"es"/);
  assert.match(refusedLines()[0]!, /BOT_COMMAND_INVALID/);
  assert.ok(!lines.some((l) => l.includes(TOKEN) || l.includes('TEST-TOKEN')), 'the token is never logged');

  // Another menu changes: its pass sends that one alone; the refused list is not tried again.
  change(wanted('Everything you can do', refusedList));
  await waitFor(() => (tg.commands() as MenuCommand[] | undefined)?.[0]?.description === 'Everything you can do', {
    what: 'the changed default menu',
  });
  assert.equal(setMyCommands(), 4);
  clock.advance(60 * 60_000);
  assert.equal(setMyCommands(), 4, 'nothing retried with time');
  assert.equal(refusedLines().length, 1, 'logged once');

  // The refused list itself changes: the new one is sent.
  change(wanted('Everything you can do', help('Lo que puedes hacer')));
  assert.deepEqual(await waitFor(() => tg.commands(undefined, 'es'), { what: 'the corrected Spanish menu' }), help('Lo que puedes hacer'));
  assert.equal(setMyCommands(), 5);
});

test('a line failure after a refused menu still stops the pass and the clock retries it, without the refused list', async (t) => {
  const { menus } = changingMenus([
    { languageCode: 'es', commands: [{ command: 'Ayuda', description: 'Lo que puedes hacer' }] },
    { commands: help('What you can do') },
  ]);
  const { tg, adapter, clock, lines } = await started(t, menus);
  // The call after the refusal loses its connection.
  const off = tg.onCall((c) => {
    if (c.method === 'setMyCommands' && c.status === 400) tg.cutNext('setMyCommands');
  });
  t.after(off);
  const statuses = () => tg.calls.filter((c) => c.method === 'setMyCommands').map((c) => c.status);
  await adapter.start();
  await retryWaiting(clock);
  assert.deepEqual(statuses(), [400, 0]);
  clock.advance(5_000);
  assert.deepEqual(await waitFor(() => tg.commands(), { what: 'the default menu on the retry' }), help('What you can do'));
  assert.deepEqual(statuses(), [400, 0, 200], 'the refused list is not part of the retry');
  assert.equal(tg.commands(undefined, 'es'), undefined);
  assert.equal(lines.filter((l) => l.includes('refused a command menu')).length, 1);
  assert.equal(clock.pendingTimers, 0);
});
