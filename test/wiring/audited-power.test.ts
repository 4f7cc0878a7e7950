/**
 * The power cut's hypervisor calls are audited intent first: the 'started' row is on the real
 * SQLite file while the call runs (a crash there, or the node taking the bot down, leaves it), and
 * the result after; a refused call is 'error' with the backend's detail; reads write nothing.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../../src/core/clock.ts';
import { openDatabase } from '../../src/core/db.ts';
import { err, ok, serviceError } from '../../src/core/errors.ts';
import type { PowerController } from '../../src/alerts/powercut.ts';
import { AuditLog } from '../../src/permissions/audit.ts';
import { permissionMigrations } from '../../src/permissions/migrations.ts';
import { auditedPowerController, POWER_CUT } from '../../src/wiring/audited-power.ts';

test('each change is started before the call and completed after it; reads are not recorded', async () => {
  const db = openDatabase(':memory:', permissionMigrations);
  const rows = () => db.prepare('SELECT identity, command, args, result, detail FROM audit_log ORDER BY id').all();
  const seenDuringCall: unknown[] = [];
  const inner: PowerController = {
    shutdownGuest: async () => {
      seenDuringCall.push(rows());
      return ok(undefined);
    },
    waitStopped: async () => ok(undefined),
    shutdownNode: async () => err(serviceError('proxmox', 'auth', 'HTTP 403 Permission check failed', 403)),
  };
  const power = auditedPowerController(inner, new AuditLog(db), new ManualClock(Date.UTC(2026, 10, 30, 3, 0, 0)));
  assert.equal((await power.shutdownGuest(101)).ok, true);
  assert.equal((await power.waitStopped(101, 1_000)).ok, true);
  assert.equal((await power.shutdownNode()).ok, false);
  assert.deepEqual(seenDuringCall, [
    [{ identity: POWER_CUT, command: 'shutdown', args: '{"target":101}', result: 'started', detail: null }],
  ]);
  assert.deepEqual(rows(), [
    { identity: POWER_CUT, command: 'shutdown', args: '{"target":101}', result: 'ok', detail: null },
    { identity: POWER_CUT, command: 'shutdown', args: '{"target":"node"}', result: 'error', detail: 'HTTP 403 Permission check failed' },
  ]);
  db.close();
});
