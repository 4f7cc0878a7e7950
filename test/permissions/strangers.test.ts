/**
 * Strangers flooding the bot: the limit holds before anything is written, the audit log gets one
 * row per stranger per hour, the owner is told once, and the owner's [Ignore] silences them.
 * The whole bot through the real pipeline, on a real SQLite file and a manual clock.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ManualClock } from '../../src/core/clock.ts';
import type { OutMessage } from '../../src/core/outmessage.ts';
import { STRANGER_PER_MINUTE, STRANGERS_PER_MINUTE } from '../../src/permissions/access.ts';
import { ActionTokens } from '../../src/permissions/action-tokens.ts';
import { STRANGER_NOTICE_WINDOW_MS } from '../../src/permissions/stranger-notice-fold.ts';
import { buttonToken, OWNER, startTestApp, type TestApp } from '../support/app-harness.ts';

const MINUTE = 60_000;
const HOUR = 3_600_000;

let h: TestApp;
let clock: ManualClock;

before(async () => {
  clock = new ManualClock(Date.parse('2026-11-25T10:00:00Z'));
  h = await startTestApp({}, { clock });
});
after(async () => h.close());

const count = (sql: string, ...params: (string | number)[]): number =>
  h.app.db
    .prepare(sql)
    .pluck()
    .get(...params) as number;
const auditRows = (identity: string): number => count('SELECT COUNT(*) FROM audit_log WHERE identity = ?', identity);
const allAuditRows = (): number => count('SELECT COUNT(*) FROM audit_log');
const attemptsIn = (identity: string): number[] =>
  (h.app.db.prepare('SELECT args FROM audit_log WHERE identity = ? ORDER BY id').pluck().all(identity) as string[]).map(
    (a) => (JSON.parse(a) as { attempts: number }).attempts,
  );
/** The owner's notices about a stranger (the outbox holds what is delivered). */
const notices = (identity: string): OutMessage[] =>
  (
    h.app.db
      .prepare('SELECT payload FROM alert_outbox WHERE destination = ? AND payload LIKE ? ORDER BY id')
      .pluck()
      .all(OWNER, `%(${identity}) wrote to the bot%`) as string[]
  ).map((p) => (JSON.parse(p) as { message: OutMessage }).message);

/** The attacks seen in the report, mixed: bad codes for the stranger-open commands and chatter. */
const FLOOD = ['/link ABCDEFGH', '/setup WRONGCODE', '/start NOTACODE', '/status', 'hello', '/audit'];

describe('a stranger flooding the bot', () => {
  const stranger = 'telegram:6666';

  test('4,000 messages: one audit row, one notice, a handful of replies, the owner’s /audit still readable', async () => {
    await h.say(OWNER, '/invite family'); // a real entry the flood must not push out of /audit
    const ownerEntries = auditRows(OWNER);
    assert.ok(ownerEntries >= 1);
    const before = allAuditRows();
    let replies = 0;
    for (let i = 0; i < 4_000; i++) replies += (await h.say(stranger, FLOOD[i % FLOOD.length] ?? 'x')).replies.length;
    assert.equal(auditRows(stranger), 1, 'one row for the stranger');
    assert.equal(allAuditRows(), before + 1, 'nothing else was written to the audit log');
    assert.deepEqual(attemptsIn(stranger), [STRANGER_PER_MINUTE], 'only what passed the limit was counted');
    assert.equal(count('SELECT attempts FROM unknown_users WHERE identity = ?', stranger), STRANGER_PER_MINUTE);
    assert.ok(replies <= STRANGER_PER_MINUTE, `the bot answered ${replies} times`);
    assert.equal(notices(stranger).length, 1, 'the owner is told once');
    // A bad code left no row of its own (the intent row of /link or /setup is not written for strangers).
    assert.equal(count("SELECT COUNT(*) FROM audit_log WHERE identity = ? AND result != 'stranger'", stranger), 0);

    const audit = await h.say(OWNER, '/audit');
    const text = audit.texts.join('\n');
    assert.match(text, /\/invite/, 'the owner’s own entry is still shown');
    // Plain /audit counts strangers' attempts in one line; /audit strangers lists them, the stranger as one line.
    assert.doesNotMatch(text, new RegExp(stranger));
    assert.match(text, new RegExp(`\\n${STRANGER_PER_MINUTE} attempts by strangers — /audit strangers$`));
    const apart = (await h.say(OWNER, '/audit strangers')).texts.join('\n');
    assert.equal(apart.split('\n').filter((l) => l.includes(stranger)).length, 1, 'the stranger is one line');
    assert.match(apart, new RegExp(`${stranger} · /link attempts=${STRANGER_PER_MINUTE} → from someone unknown`));
  });

  test('the next minute counts into the same row; after an hour a new row starts', async () => {
    clock.advance(MINUTE);
    for (let i = 0; i < 100; i++) await h.say(stranger, 'hello again');
    assert.deepEqual(attemptsIn(stranger), [2 * STRANGER_PER_MINUTE]);
    clock.advance(HOUR);
    for (let i = 0; i < 100; i++) await h.say(stranger, 'hello later');
    assert.deepEqual(attemptsIn(stranger), [2 * STRANGER_PER_MINUTE, STRANGER_PER_MINUTE]);
    assert.equal(notices(stranger).length, 1, 'still told only once');
  });

  test('many fresh identities together are limited too', async () => {
    clock.advance(MINUTE);
    const before = allAuditRows();
    for (let i = 0; i < 500; i++) await h.say(`discord:9${String(i).padStart(5, '0')}`, 'hi');
    assert.equal(allAuditRows() - before, STRANGERS_PER_MINUTE);
    assert.equal(count("SELECT COUNT(*) FROM unknown_users WHERE identity LIKE 'discord:9%'"), STRANGERS_PER_MINUTE);
  });

  test('a stranger pressing a shared button in a group uses nothing up and learns nothing', async () => {
    clock.advance(MINUTE);
    const chat = { platform: 'telegram' as const, id: '-100500', kind: 'group' as const };
    // A button anyone in the group may press once (like an alert's), made the way alerts make them.
    const token = new ActionTokens(h.app.db, clock).create({ command: 'whoami', args: {}, chat, ttlMs: HOUR, oneShot: true });
    const conv = await h.press('telegram:6767', token, chat);
    assert.deepEqual(
      conv.texts.filter((t) => !/private bot/.test(t)),
      [],
    );
    assert.deepEqual(attemptsIn('telegram:6767'), [1]);
    assert.equal(h.app.db.prepare("SELECT command FROM audit_log WHERE identity = 'telegram:6767'").pluck().get(), 'button');
    const fam = h.person('family');
    assert.doesNotMatch((await h.press(fam, token, chat)).texts.join('\n'), /already used/, 'the button still works for the household');
  });
});

describe('the owner’s [Ignore] on a stranger notice', () => {
  const stranger = 'telegram:7777';

  test('silences that stranger, is audited, and closes the notice’s other button', async () => {
    // Past the many fresh identities above: their flood folded this window's notices and the next.
    clock.advance(2 * STRANGER_NOTICE_WINDOW_MS);
    await h.say(stranger, 'hello?');
    const [notice] = notices(stranger);
    assert.ok(notice, 'the owner got a notice');
    assert.deepEqual(
      notice.actions?.flat().map((a) => a.label),
      ['Invite as family', 'Ignore'],
    );
    const ignored = await h.press(OWNER, buttonToken(notice, /^Ignore$/));
    assert.match(ignored.texts[0] ?? '', /Ignoring user 7777/);
    const row = h.app.db
      .prepare("SELECT identity, args, result FROM audit_log WHERE command = 'stranger-ignore' ORDER BY id DESC")
      .get() as { identity: string; args: string; result: string };
    assert.deepEqual({ ...row, args: JSON.parse(row.args) }, { identity: OWNER, args: { identity: stranger }, result: 'ok' });

    clock.advance(MINUTE);
    const rows = allAuditRows();
    const attempts = attemptsIn(stranger);
    const seen = count('SELECT attempts FROM unknown_users WHERE identity = ?', stranger);
    for (const line of FLOOD)
      assert.deepEqual(
        (await h.say(stranger, line)).texts.filter((t) => !/private bot/.test(t)),
        [],
      );
    assert.equal(allAuditRows(), rows, 'nothing written for an ignored stranger');
    assert.deepEqual(attemptsIn(stranger), attempts);
    assert.equal(count('SELECT attempts FROM unknown_users WHERE identity = ?', stranger), seen);
    assert.equal(notices(stranger).length, 1);

    const invite = await h.press(OWNER, buttonToken(notice, /Invite as family/));
    assert.doesNotMatch(invite.texts.join('\n'), /is now family/, 'the other button closed with the decision');
    assert.equal(h.app.access.resolve(stranger), undefined);
  });

  test('an invite code the owner hands out still lets an ignored stranger in', async () => {
    clock.advance(MINUTE);
    const made = await h.say(OWNER, '/invite guest');
    const code = /Code: ([0-9A-Z]+)/.exec(made.texts.join('\n'))?.[1] ?? /\b([0-9A-Z]{12})\b/.exec(made.texts.join('\n'))?.[1];
    assert.ok(code, made.texts.join('\n'));
    const joined = await h.say(stranger, `/start ${code}`);
    assert.match(joined.texts[0] ?? '', /You joined as guest/);
    assert.equal(h.app.access.resolve(stranger)?.role, 'guest');
    assert.equal(count("SELECT COUNT(*) FROM audit_log WHERE identity = ? AND command = 'start' AND result = 'ok'", stranger), 1);
  });
});

describe('a stranger’s /start or /link without a code', () => {
  test('gets the one neutral reply like any other message, not one per message', async () => {
    const stranger = 'telegram:6001';
    const replies: string[] = [];
    for (const line of ['/start', '/link', '/start', '/link', 'hello']) replies.push(...(await h.say(stranger, line)).texts);
    assert.deepEqual(replies, ['Sorry, this is a private bot.']);
  });

  test('in a group: one neutral reply, and a bad code is not answered to the group each time', async () => {
    const stranger = 'telegram:6002';
    const group = { platform: 'telegram' as const, id: '-100777', kind: 'group' as const };
    const replies: string[] = [];
    for (const line of ['/start', '/start NOTACODE', '/link', '/link ABCDEFGH', '/setup WRONGCODE'])
      replies.push(...(await h.say(stranger, line, group)).texts);
    assert.deepEqual(replies, ['Sorry, this is a private bot.']);
  });
});
