/**
 * The bounded strangers table seen from the chat: the whole bot through its pipeline, on a real
 * SQLite file and a manual clock. A flood past the cap is pruned and audited as one row, the
 * stranger still gets the same neutral reply, a stranger forgotten by the pass shortly after start is new again, an
 * ignored stranger who keeps knocking stays ignored past the pruning, and an invite's newcomer
 * keeps their app's language even when no stranger row of theirs was kept.
 */
import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { ManualClock } from '../../src/core/clock.ts';
import type { Db } from '../../src/core/db.ts';
import type { OutMessage } from '../../src/core/outmessage.ts';
import { typedInput } from '../../src/handlers/pipeline.ts';
import { STRANGER_FORGET_AFTER_MS, STRANGERS_KEPT_AFTER_PRUNE, STRANGERS_KEPT_MAX } from '../../src/permissions/people.ts';
import { FORGET_STRANGER_ROWS, HOUSEKEEPING, STRANGER_ROWS_FORGET_AFTER_MS } from '../../src/permissions/audit.ts';
import { FIRST_STRANGER_PASS_AFTER_MS, FORGET_STRANGERS } from '../../src/permissions/stranger-retention.ts';
import { buttonToken, OWNER, startTestApp, type TestApp } from '../support/app-harness.ts';

const DAY = 24 * 3_600_000;
const T0 = Date.parse('2026-11-25T10:00:00Z');

async function app(t: TestContext, clock: ManualClock, dir?: string): Promise<TestApp> {
  const h = await startTestApp({}, { clock, ...(dir ? { dir } : {}) });
  t.after(() => h.close());
  return h;
}

const rows = (db: Db): number => db.prepare('SELECT count(*) FROM unknown_users').pluck().get() as number;
const housekeeping = (db: Db): { args: Record<string, number>; result: string }[] =>
  (
    db.prepare('SELECT args, result FROM audit_log WHERE identity = ? AND command = ? ORDER BY id').all(HOUSEKEEPING, FORGET_STRANGERS) as {
      args: string;
      result: string;
    }[]
  ).map((r) => ({ args: JSON.parse(r.args) as Record<string, number>, result: r.result }));
/** The owner's notices about a stranger (the outbox holds what is delivered). */
const notices = (db: Db, identity: string): OutMessage[] =>
  (
    db
      .prepare('SELECT payload FROM alert_outbox WHERE destination = ? AND payload LIKE ? ORDER BY id')
      .pluck()
      .all(OWNER, `%(${identity}) wrote to the bot%`) as string[]
  ).map((p) => (JSON.parse(p) as { message: OutMessage }).message);

function fill(db: Db, n: number, at: number): void {
  const insert = db.prepare('INSERT INTO unknown_users (identity, display_name, first_seen_at, last_seen_at) VALUES (?, ?, ?, ?)');
  db.transaction(() => {
    for (let i = 0; i < n; i++) insert.run(`discord:5${i}`, 'spam', at, at);
  })();
}

describe('strangers past the cap, through the bot', () => {
  test('the newcomer gets the same neutral reply, in their language; the prune is one audit row', async (t) => {
    const clock = new ManualClock(T0);
    const h = await app(t, clock);
    fill(h.app.db, STRANGERS_KEPT_MAX, T0 - 2 * DAY);
    const en = await h.say('telegram:801', 'hello');
    assert.deepEqual(en.texts, ['Sorry, this is a private bot.']);
    assert.equal(rows(h.app.db), STRANGERS_KEPT_AFTER_PRUNE);
    assert.deepEqual(housekeeping(h.app.db), [
      { args: { unseen: 0, ignored: 0, overCap: STRANGERS_KEPT_MAX + 1 - STRANGERS_KEPT_AFTER_PRUNE }, result: 'ok' },
    ]);
    assert.equal(notices(h.app.db, 'telegram:801').length, 1, 'the owner is told about the newcomer');
    const es = await h.send('telegram:802', typedInput('hola'), undefined, 'es');
    assert.deepEqual(es.texts, ['Lo siento, este es un bot privado.']);
    assert.equal(housekeeping(h.app.db).length, 1, 'no prune below the cap');
    const audit = (await h.say(OWNER, '/audit')).texts.join('\n');
    assert.match(audit, new RegExp(`${HOUSEKEEPING} · /${FORGET_STRANGERS} unseen=0 ignored=0 overCap=1001 → `));
  });

  test('a stranger unseen for half a year is forgotten shortly after start (not during it), audited, and is new again when they write', async (t) => {
    const clock = new ManualClock(T0);
    const first = await startTestApp({}, { clock });
    t.after(() => first.close());
    assert.deepEqual((await first.say('telegram:901', 'hi')).texts, ['Sorry, this is a private bot.']);
    await first.app.stop();
    clock.advance(STRANGER_FORGET_AFTER_MS + DAY);
    const h = await app(t, clock, first.dir);
    assert.equal(rows(h.app.db), 1, 'the first pass is not on the start-up path');
    clock.advance(FIRST_STRANGER_PASS_AFTER_MS);
    assert.equal(rows(h.app.db), 0, 'the first pass, shortly after start, forgot them');
    assert.deepEqual(
      housekeeping(h.app.db).map((r) => r.args),
      [{ unseen: 1, ignored: 0, overCap: 0 }],
    );
    assert.deepEqual((await h.say('telegram:901', 'hi again')).texts, ['Sorry, this is a private bot.']);
    assert.equal(notices(h.app.db, 'telegram:901').length, 2, 'the owner is told again, as about anyone new');
  });

  test('the pass shortly after start forgets strangers’ attempts older than half a year from the audit log; every change stays, and /audit shows them apart', async (t) => {
    const clock = new ManualClock(T0);
    const first = await startTestApp({}, { clock });
    t.after(() => first.close());
    const fam = first.person('family');
    await first.say(OWNER, '/invite family');
    await first.say(fam, '/grant family router.guest.qr'); // denied: a change refused is audited too
    await first.say('telegram:905', 'hello');
    await first.say('discord:906', '/status');
    const strangerRows = (db: Db): number => db.prepare("SELECT count(*) FROM audit_log WHERE result = 'stranger'").pluck().get() as number;
    const changes = (db: Db): unknown[] => db.prepare("SELECT * FROM audit_log WHERE result != 'stranger' ORDER BY id").all();
    assert.equal(strangerRows(first.app.db), 2);
    const before = changes(first.app.db);
    assert.deepEqual(
      (before as { command: string; result: string }[]).map((r) => `${r.command} ${r.result}`),
      ['invite ok', 'grant denied'],
    );
    const shown = (await first.say(OWNER, '/audit strangers')).texts.join('\n');
    assert.match(shown, /discord:906 · \/status attempts=1 → from someone unknown/);
    assert.match(shown, /telegram:905 · \/message attempts=1 → from someone unknown/);
    assert.doesNotMatch(shown, /\/invite|\/grant/, 'strangers’ attempts apart from the rest');
    await first.app.stop();

    clock.advance(STRANGER_ROWS_FORGET_AFTER_MS + DAY);
    const h = await app(t, clock, first.dir);
    assert.equal(strangerRows(h.app.db), 2, 'the first pass is not on the start-up path');
    clock.advance(FIRST_STRANGER_PASS_AFTER_MS);
    assert.equal(strangerRows(h.app.db), 0);
    assert.deepEqual(changes(h.app.db).slice(0, before.length), before, 'every change anyone made is kept');
    const audit = (await h.say(OWNER, '/audit')).texts.join('\n');
    assert.match(audit, new RegExp(`${HOUSEKEEPING} · /${FORGET_STRANGER_ROWS} old=2 overCap=0 → done`));
    assert.match(audit, /\/invite role=family/);
    assert.match(audit, /\/grant .*→ denied/);
    assert.deepEqual((await h.say(OWNER, '/audit strangers')).texts, ['Nothing recorded.']);

    // A stranger writing now is there again, and one stranger's attempts can be asked for by platform id.
    await h.say('telegram:907', 'hi');
    await h.say('telegram:908', 'hi');
    const one = (await h.say(OWNER, '/audit strangers telegram:907')).texts.join('\n');
    assert.match(one, /telegram:907 · \/message attempts=1 → from someone unknown/);
    assert.doesNotMatch(one, /telegram:908/);
    assert.match((await h.say(OWNER, '/audit person')).texts.join('\n'), /Say which one/);
  });

  test('an ignored stranger who keeps knocking stays ignored for good; nothing about them is answered or told', async (t) => {
    const clock = new ManualClock(T0);
    const h = await app(t, clock);
    const stranger = 'telegram:903';
    await h.say(stranger, 'hello?');
    await h.press(OWNER, buttonToken(notices(h.app.db, stranger)[0], /^Ignore$/));
    const people = h.app.permissions.people;
    for (let day = 0; day < 800; day += 5) {
      clock.advance(5 * DAY);
      assert.deepEqual((await h.say(stranger, 'let me in')).texts, []);
      people.forgetStrangers(); // the daily pass
    }
    assert.equal(people.strangerIgnored(stranger), true);
    assert.equal(notices(h.app.db, stranger).length, 1);
    assert.equal(housekeeping(h.app.db).length, 0);
  });

  test('someone who joins by invite keeps their app’s language, whether or not a stranger row of theirs was kept', async (t) => {
    const clock = new ManualClock(T0);
    const h = await app(t, clock);
    const made = (await h.say(OWNER, '/invite family')).texts.join('\n');
    const code = /\b([0-9A-Z]{12})\b/.exec(made)?.[1];
    assert.ok(code, made);
    await h.send('telegram:904', typedInput(`/start ${code}`), undefined, 'es');
    assert.equal(h.app.access.resolve('telegram:904')?.platformLanguage, 'es');
  });
});
