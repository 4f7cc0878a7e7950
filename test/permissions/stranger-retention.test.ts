/**
 * The strangers table stays bounded: on a real SQLite file, a flood of new accounts is pruned to
 * the cap (least recently seen first, strangers the owner was just told about after them, ignored
 * ones last), strangers unseen for half a year are forgotten, an ignored one who keeps knocking
 * is kept, and a SIGKILL in the middle of a prune leaves the table as it was before it, and no
 * housekeeping row: a prune and its row are kept together or not at all.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { ManualClock } from '../../src/core/clock.ts';
import { openDatabase, type Db } from '../../src/core/db.ts';
import { permissionMigrations } from '../../src/permissions/migrations.ts';
import {
  IGNORED_STRANGER_FORGET_AFTER_MS,
  PeopleStore,
  STRANGER_FORGET_AFTER_MS,
  STRANGER_NOTICE_TTL_MS,
  STRANGERS_KEPT_AFTER_PRUNE,
  STRANGERS_KEPT_MAX,
  type ForgottenStrangers,
} from '../../src/permissions/people.ts';
import { AuditLog, HOUSEKEEPING } from '../../src/permissions/audit.ts';
import { auditStrangerPrunes, FORGET_STRANGERS, strangerRetention } from '../../src/permissions/stranger-retention.ts';
import { killMidPrune, pruneInChild } from './kill-mid-prune.ts';

const DAY = 24 * 3_600_000;
const T0 = Date.UTC(2026, 10, 25, 12, 0, 0);

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'strangers-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function onDisk(t: TestContext, clock = new ManualClock(T0)) {
  const file = join(tempDir(t), 'bot.db');
  const db = openDatabase(file, permissionMigrations);
  t.after(() => db.close());
  const people = new PeopleStore(db, clock);
  const prunes: ForgottenStrangers[] = [];
  people.onStrangersForgotten((f) => prunes.push(f));
  return { file, db, people, clock, prunes };
}

const rows = (db: Db): number => db.prepare('SELECT count(*) FROM unknown_users').pluck().get() as number;
const kept = (db: Db, identity: string): boolean =>
  db.prepare('SELECT 1 FROM unknown_users WHERE identity = ?').pluck().get(identity) === 1;

/** The housekeeping rows of the strangers' prunes, oldest first. */
const pruneRows = (db: Db): { at: number; args: ForgottenStrangers; result: string }[] =>
  (
    db
      .prepare('SELECT at, args, result FROM audit_log WHERE identity = ? AND chat = ? AND command = ? ORDER BY id')
      .all(HOUSEKEEPING, HOUSEKEEPING, FORGET_STRANGERS) as { at: number; args: string; result: string }[]
  ).map((r) => ({ at: r.at, args: JSON.parse(r.args) as ForgottenStrangers, result: r.result }));

/** Writes `n` stranger rows in one go (a flood as the table would hold it), `at` as first and last seen. */
function fill(db: Db, prefix: string, n: number, at: number, lastSeen = at): void {
  const insert = db.prepare('INSERT INTO unknown_users (identity, display_name, first_seen_at, last_seen_at) VALUES (?, ?, ?, ?)');
  db.transaction(() => {
    for (let i = 0; i < n; i++) insert.run(`${prefix}${i}`, 'spam', at, lastSeen);
  })();
}

describe('strangers kept bounded', () => {
  test('a flood of new accounts through noteStranger never holds more than the cap, and prunes once per thousand, not per message', (t) => {
    const { db, people, clock, prunes } = onDisk(t);
    const early = 'telegram:42';
    people.noteStranger(early, 'Grandma');
    const flood = STRANGERS_KEPT_MAX + 2_500;
    let most = 0;
    for (let i = 0; i < flood; i++) {
      clock.advance(1_000); // 60 a minute: the all-strangers limit
      assert.equal(people.noteStranger(`discord:9${i}`, 'bot'), 'first');
      if (i % 250 === 0 || i > flood - 5) most = Math.max(most, rows(db));
    }
    assert.ok(most <= STRANGERS_KEPT_MAX, `the table held ${most} rows`);
    assert.ok(rows(db) <= STRANGERS_KEPT_MAX && rows(db) >= STRANGERS_KEPT_AFTER_PRUNE, `${rows(db)} rows after the flood`);
    const expected = Math.ceil((flood + 1 - STRANGERS_KEPT_MAX) / (STRANGERS_KEPT_MAX - STRANGERS_KEPT_AFTER_PRUNE + 1));
    assert.ok(prunes.length >= 1 && prunes.length <= expected + 1, `${prunes.length} prunes for ${flood} new strangers`);
    assert.equal(
      prunes.reduce((n, p) => n + p.overCap, 0),
      flood + 1 - rows(db),
    );
    assert.ok(kept(db, `discord:9${flood - 1}`), 'the newest stranger is kept');
    assert.ok(!kept(db, early), 'the least recently seen went first');
    // A stranger already noted writes again: no prune, no count.
    const before = prunes.length;
    for (let i = 0; i < 100; i++) people.noteStranger(`discord:9${flood - 1}`, 'bot');
    assert.equal(prunes.length, before);
  });

  test('ignored strangers are the last to go over the cap; those the owner was just told about go after older ones', (t) => {
    const { db, people, clock } = onDisk(t);
    // An ignored stranger last seen weeks ago, old strangers who wrote again recently, and one the
    // owner has just been told about (their notice's buttons still alive).
    // (Written before the store notes anyone: it counts the table once, then only its own inserts.)
    fill(db, 'telegram:old', STRANGERS_KEPT_MAX - 3, T0 - 30 * DAY, T0 + 3 * DAY);
    clock.set(T0 - 20 * DAY);
    people.noteStranger('telegram:spammer', 'spam');
    assert.equal(people.ignoreStranger('telegram:spammer', 'telegram:1'), true);
    clock.set(T0 + 2 * DAY);
    people.noteStranger('telegram:fresh', 'Aunt');
    clock.set(T0 + 4 * DAY);
    people.noteStranger('telegram:new1', 'x');
    people.noteStranger('telegram:new2', 'x'); // one over the cap
    assert.equal(rows(db), STRANGERS_KEPT_AFTER_PRUNE);
    assert.ok(kept(db, 'telegram:fresh'), 'the owner’s notice still has its stranger');
    assert.ok(kept(db, 'telegram:spammer'), 'the Ignore holds');
    assert.ok(kept(db, 'telegram:new2') && kept(db, 'telegram:new1'));
    assert.ok(!kept(db, 'telegram:old0'), 'an old stranger went first, though seen more recently than the fresh one');
  });

  test('when only ignored strangers are left over the cap, the least recently seen of them go', (t) => {
    const { db, people } = onDisk(t);
    fill(db, 'telegram:ign', STRANGERS_KEPT_MAX, T0 - 10 * DAY, T0 - 10 * DAY);
    db.prepare("UPDATE unknown_users SET ignored_at = ?, ignored_by = 'telegram:1'").run(T0 - 9 * DAY);
    db.prepare("UPDATE unknown_users SET last_seen_at = ? WHERE identity = 'telegram:ign0'").run(T0 - DAY);
    people.noteStranger('telegram:newcomer', 'x');
    assert.equal(rows(db), STRANGERS_KEPT_AFTER_PRUNE);
    assert.ok(kept(db, 'telegram:newcomer'), 'the one just noted is never the one pruned');
    assert.ok(kept(db, 'telegram:ign0'), 'the ignored stranger who knocked most recently stays');
    assert.ok(!kept(db, 'telegram:ign1'));
  });

  test('unseen for half a year: forgotten; an ignored stranger who keeps knocking is kept, one who stopped goes after a year', (t) => {
    const { db, people, clock, prunes } = onDisk(t);
    people.noteStranger('telegram:once', 'Once');
    people.noteStranger('telegram:knocker', 'Knocker');
    people.noteStranger('telegram:quiet', 'Quiet');
    people.ignoreStranger('telegram:knocker', 'telegram:1');
    people.ignoreStranger('telegram:quiet', 'telegram:1');
    clock.advance(STRANGER_FORGET_AFTER_MS - DAY);
    people.noteStranger('telegram:recent', 'Recent');
    assert.deepEqual(people.forgetStrangers(), { unseen: 0, ignored: 0, overCap: 0 });
    assert.equal(prunes.length, 0, 'a prune that forgot nobody is not reported');
    clock.advance(2 * DAY);
    assert.deepEqual(people.forgetStrangers(), { unseen: 1, ignored: 0, overCap: 0 });
    assert.ok(!kept(db, 'telegram:once') && kept(db, 'telegram:recent'));
    // The ignored knocker writes every few days for two years; their messages are dropped, their visit noted daily at most.
    for (let waited = 0; waited < 2 * IGNORED_STRANGER_FORGET_AFTER_MS; waited += 3 * DAY) {
      clock.advance(3 * DAY);
      people.noteIgnoredKnock('telegram:knocker');
      people.forgetStrangers();
    }
    assert.ok(kept(db, 'telegram:knocker') && people.strangerIgnored('telegram:knocker'), 'the Ignore still holds');
    assert.ok(!kept(db, 'telegram:quiet'), 'an ignored stranger silent for a year is let go');
    assert.ok(prunes.some((p) => p.ignored === 1));
    // A stranger who is not ignored is not kept alive by a knock (their messages are noted the usual way).
    people.noteStranger('telegram:plain', 'Plain');
    const seen = db.prepare("SELECT last_seen_at FROM unknown_users WHERE identity = 'telegram:plain'").pluck().get();
    clock.advance(2 * DAY);
    people.noteIgnoredKnock('telegram:plain');
    assert.equal(db.prepare("SELECT last_seen_at FROM unknown_users WHERE identity = 'telegram:plain'").pluck().get(), seen);
  });

  test('a knock writes at most once a day', (t) => {
    const { db, people, clock } = onDisk(t);
    people.noteStranger('telegram:5', 'X');
    people.ignoreStranger('telegram:5', 'telegram:1');
    const changes = () => db.prepare('SELECT total_changes()').pluck().get() as number;
    clock.advance(DAY);
    const before = changes();
    for (let i = 0; i < 50; i++) {
      clock.advance(60_000);
      people.noteIgnoredKnock('telegram:5');
    }
    assert.equal(changes() - before, 1);
  });

  test('a kept stranger’s app language comes along when they are let in', (t) => {
    const { db, people, clock } = onDisk(t);
    fill(db, 'discord:flood', STRANGERS_KEPT_MAX - 1, T0 - 20 * DAY);
    people.noteStranger('telegram:77', 'Abuela');
    people.notePlatformLanguage('telegram:77', 'es');
    clock.advance(STRANGER_NOTICE_TTL_MS + DAY);
    people.noteStranger('telegram:78', 'x');
    assert.equal(rows(db), STRANGERS_KEPT_AFTER_PRUNE);
    const owner = people.enroll('telegram:1', 'Owner', 'owner');
    people.attach(owner.personId, 'telegram:77', 'Abuela');
    assert.equal(people.resolve('telegram:77')?.platformLanguage, 'es');
  });
});

describe('every prune audited', () => {
  test('a flood prune before the daily pass starts, and after it stops, has its housekeeping row', async (t) => {
    const { db, people, clock } = onDisk(t);
    const retention = strangerRetention(people, new AuditLog(db), clock, clock);
    fill(db, 'discord:flood', STRANGERS_KEPT_MAX, T0 - DAY);
    people.noteStranger('telegram:801', 'x'); // one over the cap, before start: the bot's modules start after the database opens
    const overCap = STRANGERS_KEPT_MAX + 1 - STRANGERS_KEPT_AFTER_PRUNE;
    assert.deepEqual(pruneRows(db), [{ at: T0, args: { unseen: 0, ignored: 0, overCap }, result: 'ok' }]);
    retention.start();
    await retention.stop();
    // Chat adapters left behind by a hung stop still note strangers: their prunes too are audited.
    fill(db, 'discord:more', STRANGERS_KEPT_MAX - STRANGERS_KEPT_AFTER_PRUNE, T0 - DAY);
    clock.advance(1_000);
    people.noteStranger('telegram:802', 'x');
    assert.equal(pruneRows(db).length, 2);
    assert.equal(pruneRows(db)[1]?.at, T0 + 1_000);
  });
});

describe('SIGKILL in the middle of a prune', () => {
  /** A table with 200 strangers unseen for too long and a flood 500 over the cap, on a file no connection holds open. */
  function pruneDue(t: TestContext) {
    const { file, db } = onDisk(t);
    const unseen = 200;
    fill(db, 'telegram:gone', unseen, T0 - STRANGER_FORGET_AFTER_MS - 10 * DAY);
    fill(db, 'discord:flood', STRANGERS_KEPT_MAX + 500, T0 - DAY);
    const total = rows(db);
    db.close();
    const counts = { unseen, ignored: 0, overCap: STRANGERS_KEPT_MAX + 500 - STRANGERS_KEPT_AFTER_PRUNE };
    return { file, total, counts };
  }

  /** The file reopened after the child: intact, with nothing of the interrupted prune, neither deletions nor its row. */
  function reopenUntouched(t: TestContext, file: string, total: number): Db {
    const again = openDatabase(file, permissionMigrations);
    t.after(() => again.close());
    assert.equal(again.pragma('integrity_check', { simple: true }), 'ok');
    assert.equal(rows(again), total, 'nothing of the interrupted prune was kept');
    assert.ok(kept(again, 'telegram:gone0'), 'not even the unseen rows it had deleted first');
    assert.deepEqual(pruneRows(again), [], 'and no housekeeping row for a prune that did not happen');
    return again;
  }

  test('leaves the table as it was before the prune, readable, and the next prune completes it with its one row', async (t) => {
    const { file, total, counts } = pruneDue(t);

    // The child stops inside the prune's transaction after the unseen rows and a few over the cap were deleted.
    await killMidPrune(t, 'strangers', file, T0, counts.unseen + 5);

    const again = reopenUntouched(t, file, total);
    const clock = new ManualClock(T0);
    const people = new PeopleStore(again, clock);
    auditStrangerPrunes(people, new AuditLog(again), clock);
    assert.deepEqual(people.forgetStrangers(), counts);
    assert.equal(rows(again), STRANGERS_KEPT_AFTER_PRUNE);
    assert.deepEqual(pruneRows(again), [{ at: T0, args: counts, result: 'ok' }]);
  });

  test('killed with every deletion done and its housekeeping row written but not committed: neither is kept', async (t) => {
    const { file, total, counts } = pruneDue(t);

    await killMidPrune(t, 'strangers', file, T0, 'row');

    reopenUntouched(t, file, total).close();
    // The same prune run to the end in a child: its deletions and its row, together.
    await pruneInChild(t, 'strangers', file, T0);
    const done = openDatabase(file, permissionMigrations);
    t.after(() => done.close());
    assert.equal(rows(done), STRANGERS_KEPT_AFTER_PRUNE);
    assert.deepEqual(pruneRows(done), [{ at: T0, args: counts, result: 'ok' }]);
  });
});
