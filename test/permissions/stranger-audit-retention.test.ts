/**
 * The audit log's stranger rows stay bounded, and nothing else in the log is ever taken out: on a
 * real SQLite file, stranger rows older than half a year are forgotten, a flood past the cap is
 * pruned oldest first down to the floor (once per 5,000 new rows), each prune is one housekeeping
 * row with its counts, every other row (however old, however many, whoever wrote it) stays as it
 * was, and a SIGKILL in the middle of a prune leaves the log as it was before it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { openDatabase, type Db } from '../../src/core/db.ts';
import {
  AuditLog,
  FORGET_STRANGER_ROWS,
  HOUSEKEEPING,
  STRANGER_RESULT,
  STRANGER_ROWS_FORGET_AFTER_MS,
  STRANGER_ROWS_KEPT_AFTER_PRUNE,
  STRANGER_ROWS_KEPT_MAX,
} from '../../src/permissions/audit.ts';
import { permissionMigrations } from '../../src/permissions/migrations.ts';
import { FORGET_STRANGERS } from '../../src/permissions/stranger-retention.ts';
import { killMidPrune } from './kill-mid-prune.ts';

const DAY = 24 * 3_600_000;
const T0 = Date.UTC(2026, 10, 25, 12, 0, 0);

function onDisk(t: TestContext) {
  const dir = mkdtempSync(join(tmpdir(), 'audit-strangers-'));
  const file = join(dir, 'bot.db');
  const db = openDatabase(file, permissionMigrations);
  t.after(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { file, db, audit: new AuditLog(db) };
}

const strangerCount = (db: Db): number => db.prepare("SELECT count(*) FROM audit_log WHERE result = 'stranger'").pluck().get() as number;
/** The housekeeping rows of stranger-row prunes, oldest first. */
const prunes = (db: Db): { at: number; args: Record<string, number> }[] =>
  (
    db.prepare('SELECT at, args FROM audit_log WHERE identity = ? AND command = ? ORDER BY id').all(HOUSEKEEPING, FORGET_STRANGER_ROWS) as {
      at: number;
      args: string;
    }[]
  ).map((r) => ({ at: r.at, args: JSON.parse(r.args) as Record<string, number> }));
/** Every row that is not a stranger's attempt, exactly as stored. */
const others = (db: Db): unknown[] => db.prepare("SELECT * FROM audit_log WHERE result != 'stranger' ORDER BY id").all();

/** Writes `n` stranger rows as tallyStranger leaves them (one attempt each), the i-th at `at(i)`, in one go. */
function fillStrangers(db: Db, prefix: string, n: number, at: (i: number) => number): void {
  const insert = db.prepare(
    `INSERT INTO audit_log (at, identity, chat, command, service, args, result) VALUES (?, ?, ?, 'message', 'permissions', '{"attempts":1}', 'stranger')`,
  );
  db.transaction(() => {
    for (let i = 0; i < n; i++) insert.run(at(i), `${prefix}${i}`, `${prefix}${i}`);
  })();
}

/**
 * Writes `n` rows of everything that is not a stranger's attempt, two years old: each result the
 * pipeline writes, a stranger's command that let them in, the bot's own housekeeping, and rows that
 * look like a stranger's in all but their result (same command, same args, same service).
 */
function fillChanges(audit: AuditLog, db: Db, n: number): void {
  const results = ['ok', 'unchanged', 'started', 'denied', 'error', 'failed', 'cancelled', 'approved', 'confirmed', 'rate-limited'];
  const at = T0 - 2 * 365 * DAY;
  db.transaction(() => {
    for (let i = 0; i < n; i++) {
      const result = results[i % results.length] ?? 'ok';
      if (i % 7 === 0) audit.record({ at: at + i, identity: `telegram:7${i}`, chat: `telegram:7${i}`, command: 'start', result: 'ok' });
      else if (i % 7 === 1)
        audit.record({ at: at + i, identity: HOUSEKEEPING, chat: HOUSEKEEPING, command: FORGET_STRANGERS, args: { unseen: 1 }, result });
      else if (i % 7 === 2)
        audit.record({
          at: at + i,
          identity: `discord:8${i}`,
          chat: `discord:8${i}`,
          command: 'message',
          service: 'permissions',
          args: { attempts: 1 },
          result: 'denied',
        });
      else audit.record({ at: at + i, identity: 'telegram:1', chat: 'telegram:1', command: 'guestwifi', args: { state: 'on' }, result });
    }
  })();
}

describe('stranger rows in the audit log', () => {
  test('older than half a year: forgotten, as one housekeeping row with the count; a prune that forgot nothing writes nothing', (t) => {
    const { db, audit } = onDisk(t);
    fillStrangers(db, 'telegram:old', 100, () => T0 - STRANGER_ROWS_FORGET_AFTER_MS - DAY);
    fillStrangers(db, 'telegram:recent', 50, () => T0 - STRANGER_ROWS_FORGET_AFTER_MS + DAY);
    assert.deepEqual(audit.forgetStrangerRows(T0), { old: 100, overCap: 0 });
    assert.equal(strangerCount(db), 50);
    assert.deepEqual(prunes(db), [{ at: T0, args: { old: 100, overCap: 0 } }]);
    assert.deepEqual(audit.forgetStrangerRows(T0 + 1), { old: 0, overCap: 0 });
    assert.equal(prunes(db).length, 1, 'nothing forgotten, nothing written');
    // The housekeeping row is an entry like any other: /audit's query shows it.
    assert.deepEqual(
      audit.query({ limit: 1 }).map((r) => [r.identity, r.command, r.args, r.result]),
      [[HOUSEKEEPING, FORGET_STRANGER_ROWS, { old: 100, overCap: 0 }, 'ok']],
    );
  });

  test('every other row stays, however old and however many: 60,000 two-year-old changes beside stranger rows over the cap', (t) => {
    const { db, audit } = onDisk(t);
    fillChanges(audit, db, 60_000);
    const before = others(db);
    fillStrangers(db, 'telegram:ancient', 300, (i) => T0 - 3 * 365 * DAY + i);
    fillStrangers(db, 'discord:flood', STRANGER_ROWS_KEPT_MAX + 700, (i) => T0 - DAY + i);
    assert.deepEqual(audit.forgetStrangerRows(T0), { old: 300, overCap: STRANGER_ROWS_KEPT_MAX + 700 - STRANGER_ROWS_KEPT_AFTER_PRUNE });
    assert.equal(strangerCount(db), STRANGER_ROWS_KEPT_AFTER_PRUNE);
    const after = others(db);
    assert.equal(after.length, before.length + 1, 'only the housekeeping row was added');
    assert.deepEqual(after.slice(0, before.length), before, 'every row that is not a stranger’s attempt is as it was');
    // The oldest stranger rows went, not the oldest rows.
    const oldest = db.prepare("SELECT min(at) FROM audit_log WHERE result = 'stranger'").pluck().get() as number;
    assert.equal(oldest, T0 - DAY + STRANGER_ROWS_KEPT_MAX + 700 - STRANGER_ROWS_KEPT_AFTER_PRUNE);
    // Years later, the changes are still there; the stranger rows have all gone.
    assert.deepEqual(audit.forgetStrangerRows(T0 + 10 * 365 * DAY), { old: STRANGER_ROWS_KEPT_AFTER_PRUNE, overCap: 0 });
    assert.equal(strangerCount(db), 0);
    assert.deepEqual(others(db).slice(0, before.length), before);
  });

  test('a flood of new strangers through tallyStranger never holds more than the cap and prunes once per 5,000 new rows, oldest first', (t) => {
    const { db, audit } = onDisk(t);
    const prefilled = STRANGER_ROWS_KEPT_MAX - 10;
    fillStrangers(db, 'discord:old', prefilled, (i) => T0 - DAY + i);
    // Two prunes: one past the cap, one after the next (cap - floor + 1) new rows; then 8 more.
    const between = STRANGER_ROWS_KEPT_MAX - STRANGER_ROWS_KEPT_AFTER_PRUNE + 1;
    const flood = 11 + between + 8;
    let most = 0;
    for (let i = 0; i < flood; i++) {
      audit.tallyStranger({ at: T0 + i * 1_000, identity: `telegram:9${i}`, chat: `telegram:9${i}`, command: 'message' });
      if (i % 500 === 0 || i >= flood - 20 || (i >= 5 && i <= 15)) most = Math.max(most, strangerCount(db));
    }
    assert.ok(most <= STRANGER_ROWS_KEPT_MAX, `the log held ${most} stranger rows`);
    assert.equal(strangerCount(db), STRANGER_ROWS_KEPT_AFTER_PRUNE + 8);
    assert.deepEqual(
      prunes(db).map((p) => p.args),
      [
        { old: 0, overCap: STRANGER_ROWS_KEPT_MAX + 1 - STRANGER_ROWS_KEPT_AFTER_PRUNE },
        { old: 0, overCap: STRANGER_ROWS_KEPT_MAX + 1 - STRANGER_ROWS_KEPT_AFTER_PRUNE },
      ],
    );
    assert.deepEqual(
      prunes(db).map((p) => p.at),
      [T0 + 10_000, T0 + (10 + between) * 1_000],
      'each at the moment of the new row that crossed the cap',
    );
    const kept = (identity: string): boolean =>
      db.prepare("SELECT 1 FROM audit_log WHERE identity = ? AND result = 'stranger'").pluck().get(identity) === 1;
    const gone = 2 * (STRANGER_ROWS_KEPT_MAX + 1 - STRANGER_ROWS_KEPT_AFTER_PRUNE);
    assert.ok(!kept(`discord:old${gone - 1}`) && kept(`discord:old${gone}`), 'the oldest went first');
    assert.ok(kept('telegram:90') && kept(`telegram:9${flood - 1}`), 'the flood’s own rows are the newest: kept');
    // The same stranger writing again within the hour counts into their row: no new row, no prune.
    audit.tallyStranger({ at: T0 + flood * 1_000, identity: `telegram:9${flood - 1}`, chat: 'x', command: 'message' });
    assert.equal(strangerCount(db), STRANGER_ROWS_KEPT_AFTER_PRUNE + 8);
  });

  test('only tallyStranger writes a stranger row: nothing else can write a row the prune would take', (t) => {
    const { db, audit } = onDisk(t);
    const entry = { at: T0, identity: 'telegram:1', chat: 'telegram:1', command: 'guestwifi' };
    assert.throws(() => audit.record({ ...entry, result: STRANGER_RESULT }), /tallyStranger only/);
    const id = audit.record({ ...entry, result: 'started' });
    assert.throws(() => audit.complete(id, STRANGER_RESULT), /tallyStranger only/);
    assert.equal(strangerCount(db), 0);
    assert.deepEqual(
      audit.query().map((r) => r.result),
      ['started'],
    );
  });
});

describe('SIGKILL in the middle of a prune of stranger rows', () => {
  test('leaves the log as it was, readable, with no housekeeping row; the next prune completes it and writes one', async (t) => {
    const { file, db, audit } = onDisk(t);
    fillChanges(audit, db, 500);
    const old = 200;
    fillStrangers(db, 'telegram:gone', old, () => T0 - STRANGER_ROWS_FORGET_AFTER_MS - 10 * DAY);
    fillStrangers(db, 'discord:flood', STRANGER_ROWS_KEPT_MAX + 500, (i) => T0 - DAY + i);
    const changes = others(db);
    const total = db.prepare('SELECT count(*) FROM audit_log').pluck().get() as number;
    db.close();

    // The child stops inside the prune's transaction after the old rows and a few over the cap were deleted.
    await killMidPrune(t, 'audit', file, T0, old + 5);

    const again = openDatabase(file, permissionMigrations);
    t.after(() => again.close());
    assert.equal(again.pragma('integrity_check', { simple: true }), 'ok');
    assert.equal(again.prepare('SELECT count(*) FROM audit_log').pluck().get(), total, 'nothing of the interrupted prune was kept');
    assert.equal(prunes(again).length, 0, 'no housekeeping row for a prune that did not happen');
    assert.deepEqual(others(again), changes);
    const log = new AuditLog(again);
    assert.deepEqual(log.forgetStrangerRows(T0), { old, overCap: STRANGER_ROWS_KEPT_MAX + 500 - STRANGER_ROWS_KEPT_AFTER_PRUNE });
    assert.equal(strangerCount(again), STRANGER_ROWS_KEPT_AFTER_PRUNE);
    assert.equal(prunes(again).length, 1);
    assert.deepEqual(others(again).slice(0, changes.length), changes);
  });
});
