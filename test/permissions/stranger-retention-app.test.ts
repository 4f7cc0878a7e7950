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
import { FIRST_STRANGER_PASS_AFTER_MS, FORGET_STRANGERS, HOUSEKEEPING } from '../../src/permissions/stranger-retention.ts';
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
