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
import { BY_UPS, type PowerController } from '../../src/alerts/powercut.ts';
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
  assert.equal((await power.shutdownGuest(101, BY_UPS)).ok, true);
  assert.equal((await power.waitStopped(101, 1_000)).ok, true);
  assert.equal((await power.shutdownNode(BY_UPS)).ok, false);
  assert.deepEqual(seenDuringCall, [
    [{ identity: POWER_CUT, command: 'shutdown', args: '{"target":101}', result: 'started', detail: null }],
  ]);
  assert.deepEqual(rows(), [
    { identity: POWER_CUT, command: 'shutdown', args: '{"target":101}', result: 'ok', detail: null },
    { identity: POWER_CUT, command: 'shutdown', args: '{"target":"node"}', result: 'error', detail: 'HTTP 403 Permission check failed' },
  ]);
  db.close();
});

test("a run a person started names them and the chat they ran it in; the UPS's runs name system:power-cut", async () => {
  const db = openDatabase(':memory:', permissionMigrations);
  const inner: PowerController = {
    shutdownGuest: async () => ok(undefined),
    waitStopped: async () => ok(undefined),
    shutdownNode: async () => ok(undefined),
    planHandover: async () =>
      ok({ calls: [{ text: 'POST /nodes/pve/status command=shutdown', run: async () => ok(undefined) }], sequence: [] }),
  };
  const power = auditedPowerController(inner, new AuditLog(db), new ManualClock(Date.UTC(2026, 10, 30, 3, 0, 0)));
  const person = { by: 'person', identity: 'telegram:4242', chat: 'telegram:-100777' } as const;
  await power.shutdownGuest(101, person);
  await power.shutdownNode(BY_UPS);
  const plan = await power.planHandover!({ order: [], shutdownNode: true, timeoutSeconds: 60 }, person);
  assert.ok(plan.ok);
  await plan.value.calls[0]!.run();
  assert.deepEqual(db.prepare('SELECT identity, chat, command, result FROM audit_log ORDER BY id').all(), [
    { identity: 'telegram:4242', chat: 'telegram:-100777', command: 'shutdown', result: 'ok' },
    { identity: POWER_CUT, chat: POWER_CUT, command: 'shutdown', result: 'ok' },
    { identity: 'telegram:4242', chat: 'telegram:-100777', command: 'power-plan', result: 'ok' },
  ]);
  db.close();
});
