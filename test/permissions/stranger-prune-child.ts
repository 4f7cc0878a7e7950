/**
 * Child process for the mid-prune SIGKILL tests: opens the database file, and a temporary trigger
 * stops the process inside the prune's transaction at its Nth deleted row (prints "mid-prune",
 * then blocks until the parent kills it). `strangers`: PeopleStore.forgetStrangers on
 * unknown_users; `audit`: AuditLog.forgetStrangerRows on audit_log.
 * Usage: node --import tsx test/permissions/stranger-prune-child.ts <strangers|audit> <file> <nowMs> <deletedRowsBeforeStop>
 */
import { writeSync } from 'node:fs';
import { ManualClock } from '../../src/core/clock.ts';
import { openDatabase } from '../../src/core/db.ts';
import { AuditLog } from '../../src/permissions/audit.ts';
import { permissionMigrations } from '../../src/permissions/migrations.ts';
import { PeopleStore } from '../../src/permissions/people.ts';

const [what, file, nowMs, stopAt] = process.argv.slice(2) as ['strangers' | 'audit', string, string, string];
const db = openDatabase(file, permissionMigrations);
let deleted = 0;
db.function('prune_step', () => {
  if (++deleted === Number(stopAt)) {
    writeSync(1, 'mid-prune\n');
    // Blocks this thread for good: the transaction stays open until the SIGKILL.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
  }
  return null;
});
const table = what === 'audit' ? 'audit_log' : 'unknown_users';
db.exec(`CREATE TEMP TRIGGER prune_step AFTER DELETE ON main.${table} BEGIN SELECT prune_step(); END`);
if (what === 'audit') new AuditLog(db).forgetStrangerRows(Number(nowMs));
else new PeopleStore(db, new ManualClock(Number(nowMs))).forgetStrangers();
writeSync(1, 'finished\n');
