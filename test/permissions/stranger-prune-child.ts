/**
 * Child process for the mid-prune SIGKILL tests: opens the database file, wired as the bot wires
 * it (every prune writes its housekeeping row), and a temporary trigger stops the process inside
 * the prune's transaction (prints "mid-prune", then blocks until the parent kills it): at its Nth
 * deleted row, or at `row`, as its housekeeping row is written (every deletion done, not yet
 * committed); `never` lets the prune finish. `strangers`: PeopleStore.forgetStrangers on
 * unknown_users; `audit`: AuditLog.forgetStrangerRows on audit_log.
 * Usage: node --import tsx test/permissions/stranger-prune-child.ts <strangers|audit> <file> <nowMs> <N|row|never>
 */
import { writeSync } from 'node:fs';
import { ManualClock } from '../../src/core/clock.ts';
import { openDatabase } from '../../src/core/db.ts';
import { AuditLog, HOUSEKEEPING } from '../../src/permissions/audit.ts';
import { permissionMigrations } from '../../src/permissions/migrations.ts';
import { PeopleStore } from '../../src/permissions/people.ts';
import { auditStrangerPrunes } from '../../src/permissions/stranger-retention.ts';

const [what, file, nowMs, stopAt] = process.argv.slice(2) as ['strangers' | 'audit', string, string, string];
const db = openDatabase(file, permissionMigrations);
let steps = 0;
db.function('prune_step', () => {
  if (++steps === Number(stopAt) || stopAt === 'row') {
    writeSync(1, 'mid-prune\n');
    // Blocks this thread for good: the transaction stays open until the SIGKILL.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
  }
  return null;
});
const table = what === 'audit' ? 'audit_log' : 'unknown_users';
if (stopAt === 'row')
  db.exec(
    `CREATE TEMP TRIGGER prune_step AFTER INSERT ON main.audit_log WHEN NEW.identity = '${HOUSEKEEPING}' BEGIN SELECT prune_step(); END`,
  );
else if (stopAt !== 'never') db.exec(`CREATE TEMP TRIGGER prune_step AFTER DELETE ON main.${table} BEGIN SELECT prune_step(); END`);
const clock = new ManualClock(Number(nowMs));
const audit = new AuditLog(db);
if (what === 'audit') audit.forgetStrangerRows(clock.now());
else {
  const people = new PeopleStore(db, clock);
  auditStrangerPrunes(people, audit, clock);
  people.forgetStrangers();
}
writeSync(1, 'finished\n');
