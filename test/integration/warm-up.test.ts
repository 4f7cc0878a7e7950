/**
 * The warm-up after start-up (src/wiring/warm-up.ts): it waits for start-up to be over, runs
 * /help and /status in every language, and leaves no trace: no row written or changed, nothing
 * sent to any chat, and the real callers' buttons and replies exactly as without it.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import { ManualClock } from '../../src/core/clock.ts';
import type { Db } from '../../src/core/db.ts';
import type { StatusLine, StatusSection } from '../../src/handlers/builtin/status-section.ts';
import { LANGUAGES } from '../../src/core/i18n.ts';
import { createLogger } from '../../src/core/logger.ts';
import type { FeatureModule } from '../../src/wiring/module.ts';
import { WARM_UP_ROUNDS } from '../../src/wiring/warm-up.ts';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram-api.ts';
import { buttonToken, OWNER, startDemoTestApp, startTestApp, type TestApp } from '../support/app-harness.ts';
import { waitFor } from '../support/real-server.ts';

const TOKEN = '123456:TEST-TOKEN-abcdefghijklmnopqrstuv';

/** A logger whose JSON lines the test reads. */
function capturedLog(): { log: ReturnType<typeof createLogger>; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { log: createLogger({ level: 'info', destination }), lines };
}

/**
 * Every row of every table, as JSON: what "no trace" is checked against. Except when the alert
 * evaluator last looked at an origin: the demo's pollers keep answering on their own timers
 * meanwhile, and each answer stamps it with the (moved) clock.
 */
function dump(db: Db): Record<string, unknown[]> {
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all() as string[];
  const row = (r: Record<string, unknown>): Record<string, unknown> => ({ ...r, last_eval_at: undefined });
  return Object.fromEntries(
    tables.map((t) => [t, (db.prepare(`SELECT * FROM "${t}" ORDER BY rowid`).all() as Record<string, unknown>[]).map(row)]),
  );
}

let fake: FakeTelegram;
let h: TestApp;
let clock: ManualClock;
const { log, lines } = capturedLog();
const done = () => lines.find((l) => l.msg === 'warm-up done');

before(async () => {
  fake = await startFakeTelegram({ token: TOKEN, maxHoldMs: 300 });
  clock = new ManualClock(Date.now());
  h = await startDemoTestApp({ telegram: { token: TOKEN, apiRoot: fake.apiRoot } }, { clock, log, warmUp: true });
  await fake.waitForPoll();
});
after(async () => {
  await h?.close();
  await fake?.close();
});

test('the warm-up waits for start-up to be over, runs both commands in every language, and leaves no trace', async () => {
  // The owner's /status once, so every poller's first answer is in and nothing else is still settling.
  await h.say(OWNER, '/status');
  const before = dump(h.app.db);
  const sentBefore = fake.mark();
  assert.equal(done(), undefined, 'nothing before start-up is over');

  clock.advance(1000);
  const line = await waitFor(done, { what: 'the warm-up to finish', timeoutMs: 30_000 });

  assert.equal(line.runs, WARM_UP_ROUNDS * LANGUAGES.length * 2);
  assert.deepEqual(dump(h.app.db), before, 'no row written or changed (no button token, no audit, no person)');
  assert.deepEqual(
    fake.calls.filter((c) => c.seq >= sentBefore && /^(send|edit)/i.test(c.method)).map((c) => c.method),
    [],
    'nothing sent to any chat',
  );
  assert.ok(
    !lines.some((l) => Number(l.level) >= 40),
    `no warning or error: ${JSON.stringify(lines.filter((l) => Number(l.level) >= 40))}`,
  );
});

test('after the warm-up a person’s /help buttons are their own and work', async () => {
  const help = await h.say(OWNER, '/help');
  const token = buttonToken(help.replies[0]?.message, /./);
  assert.notEqual(token, 'warm-up');
  const pressed = await h.press(OWNER, token);
  assert.equal(pressed.replies.length, 1);
  assert.match(pressed.texts[0] ?? '', /\/\w+/, 'the area’s commands');
});

test('a bot stopped before start-up was over never warms up', async () => {
  const c = new ManualClock(Date.now());
  const own = capturedLog();
  const app = await startTestApp({}, { clock: c, log: own.log, warmUp: true });
  assert.ok(c.pendingTimers > 0, 'the warm-up waits on the app’s clock');
  await app.close();
  assert.equal(c.pendingTimers, 0, 'stop cancels every timer of the app, the warm-up’s among them');
  c.advance(1000);
  // Had it fired, the warm-up would see the stop at once and log its end within these turns.
  for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
  assert.equal(
    own.lines.find((l) => /^warm-up/.test(String(l.msg))),
    undefined,
  );
});

/**
 * A backend whose first answer has not come: its /status line waits on `read` (as a poller's
 * section waits for its first poll) until the test answers. Its module has nothing to stop (the
 * stop leaves the request behind), so only the warm-up could make the bot's stop wait for it.
 */
function unansweredBackend(): { module: FeatureModule; asked: Promise<void>; answer(line: StatusLine): void } {
  let asked!: () => void;
  let answer!: (line: StatusLine) => void;
  const askedP = new Promise<void>((resolve) => (asked = resolve));
  const answered = new Promise<StatusLine>((resolve) => (answer = resolve));
  const section: StatusSection = {
    id: 'ups',
    labelKey: 'ups.label',
    read: () => (asked(), answered),
    peek: () => undefined,
  };
  return { module: { name: 'unanswered', commands: [], statusSections: [section] }, asked: askedP, answer };
}

/** Counts every statement the database is asked to prepare or run from now on. */
function countStatements(db: Db): { readonly count: number } {
  const seen = { count: 0 };
  const prepare = db.prepare.bind(db);
  const exec = db.exec.bind(db);
  db.prepare = ((sql: string) => (seen.count++, prepare(sql))) as Db['prepare'];
  db.exec = (sql: string) => (seen.count++, exec(sql));
  return seen;
}

test(
  'a stop while the warm-up’s /status waits on a backend’s first answer ends the warm-up before the database closes, without waiting on the backend, and quietly',
  { timeout: 30_000 },
  async () => {
    const c = new ManualClock(Date.now());
    const own = capturedLog();
    const backend = unansweredBackend();
    const app = await startTestApp({}, { clock: c, log: own.log, warmUp: true, extraModules: [backend.module] });
    c.advance(1000);
    await backend.asked;

    // What the warm-up had logged when the database closed, and every statement after that.
    const db = app.app.db;
    const close = db.close.bind(db);
    let loggedAtClose: unknown[] | undefined;
    let afterClose: { readonly count: number } | undefined;
    db.close = () => {
      loggedAtClose = own.lines.map((l) => l.msg);
      close();
      afterClose = countStatements(db);
      return db;
    };
    // The backend never answers before the stop returns: a stop that waited for it would never return.
    await app.close();
    const stopLine = own.lines.find((l) => l.msg === 'warm-up stopped');
    assert.ok(stopLine, 'the warm-up says it was stopped');
    assert.ok(loggedAtClose?.includes('warm-up stopped'), 'the warm-up ended before the database closed');
    assert.ok(Number(stopLine.runs) < WARM_UP_ROUNDS * LANGUAGES.length * 2, 'cut short');

    // The answer comes after all: the run left behind does nothing with it.
    const linesAtStop = own.lines.length;
    backend.answer({ level: 'ok', text: 'on line power' });
    for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
    assert.equal(afterClose?.count, 0, 'no statement once the database is closed');
    assert.deepEqual(own.lines.slice(linesAtStop), [], 'nothing logged once stopped');
    assert.deepEqual(
      own.lines.filter((l) => Number(l.level) >= 40),
      [],
      'no warning or error',
    );
  },
);
