/**
 * Changes the bot undoes by itself when their time is up are audited as `system:deadline`: on a
 * real SQLite file, with the guest WiFi auto-off's own deadline kind over a recording router
 * switch. The undo's row and the deadline's removal are kept together: a process that dies
 * between the router call and them (a write that fails there stands in for the kill) leaves the
 * deadline due, and the next start carries the undo out again and audits it. A router that is
 * down is audited once, not once a minute.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { ManualClock } from '../../src/core/clock.ts';
import { openDatabase, type Db } from '../../src/core/db.ts';
import { DEADLINE_ACTOR, deadlineMigrations, DeadlineStore, DeadlineWorker, type DeadlineAuditRow } from '../../src/core/deadlines.ts';
import { err, ok, serviceError } from '../../src/core/errors.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { guestAutoOffDeadlines } from '../../src/handlers/router/auto-off.ts';
import { GUEST_OFF_KIND } from '../../src/handlers/router/store.ts';
import { AuditLog } from '../../src/permissions/audit.ts';
import { permissionMigrations } from '../../src/permissions/migrations.ts';

const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 25, 12, 0, 0);
const CHAT = 'telegram:3001';

/** The guest WiFi as the router holds it, and every switch the bot asked for. */
function routerSwitch() {
  const state = { on: true, down: false, calls: [] as boolean[] };
  const set = async (on: boolean) => {
    state.calls.push(on);
    if (state.down) return err(serviceError('router', 'unreachable', 'connect ECONNREFUSED'));
    state.on = on;
    return ok(undefined);
  };
  return { state, set };
}

function setup(t: TestContext) {
  const dir = mkdtempSync(join(tmpdir(), 'deadline-audit-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const clock = new ManualClock(T0);
  const router = routerSwitch();
  /** One "process": its own connection, store, audit log and worker. */
  const boot = (
    write: (audit: AuditLog, row: DeadlineAuditRow) => void = (audit, row) => audit.record(row),
    set: (on: boolean) => ReturnType<typeof router.set> = router.set,
  ) => {
    const db = openDatabase(join(dir, 'bot.db'), [...permissionMigrations, ...deadlineMigrations]);
    t.after(() => db.close());
    const store = new DeadlineStore(db);
    const audit = new AuditLog(db);
    const worker = new DeadlineWorker(store, clock, silentLogger(), 1000, (row) => write(audit, row));
    worker.register(guestAutoOffDeadlines(set, () => undefined));
    t.after(() => worker.stop());
    return { db, store, worker };
  };
  return { clock, router, boot };
}

const rows = (db: Db) =>
  db.prepare('SELECT chat, command, args, result, detail FROM audit_log WHERE identity = ? ORDER BY id').all(DEADLINE_ACTOR) as {
    chat: string;
    command: string;
    args: string;
    result: string;
    detail: string | null;
  }[];

const guestOff = (dueAt: number) => ({ kind: GUEST_OFF_KIND, target: 'guest', dueAt, chat: CHAT, requestedBy: 'telegram:1' });

describe('deadlines carried out by the bot are audited', () => {
  test('the guest WiFi turned off at its time is one system:deadline row with what, for whom and the result', async (t) => {
    const { clock, router, boot } = setup(t);
    const a = boot();
    a.store.put(guestOff(T0 + 60 * MIN), T0);
    await a.worker.check();
    assert.deepEqual(rows(a.db), [], 'nothing before its time');
    clock.advance(60 * MIN);
    await a.worker.check();
    assert.equal(router.state.on, false);
    assert.deepEqual(rows(a.db), [
      {
        chat: CHAT,
        command: 'expire',
        args: JSON.stringify({ kind: GUEST_OFF_KIND, target: 'guest', requestedBy: 'telegram:1', dueAt: T0 + 60 * MIN }),
        result: 'ok',
        detail: null,
      },
    ]);
    assert.equal(a.store.get(GUEST_OFF_KIND, 'guest'), undefined);
  });

  test("the undo's row carries the area of the change, so /audit for that service lists it with the person's own row", async (t) => {
    const { clock, boot } = setup(t);
    const a = boot();
    const audit = new AuditLog(a.db);
    // The admin's own row, as the pipeline writes it: command only, its service known from the registry.
    audit.record({ at: T0, identity: 'telegram:1', chat: CHAT, command: 'guestwifi', args: { state: 'on' }, result: 'ok' });
    a.store.put(guestOff(T0 + 60 * MIN), T0);
    clock.advance(60 * MIN);
    await a.worker.check();
    const byService = (service: string) =>
      audit.query({ service, serviceCommands: service === 'router' ? ['guestwifi'] : [] }).map((r) => [r.identity, r.command, r.service]);
    assert.deepEqual(byService('router'), [
      [DEADLINE_ACTOR, 'expire', 'router'],
      ['telegram:1', 'guestwifi', undefined],
    ]);
    assert.deepEqual(byService('pihole'), [], 'not under another service');
  });

  test('dying after the router call, before the row and the removal: neither is kept, and the next start does both', async (t) => {
    const { clock, router, boot } = setup(t);
    const a = boot(() => {
      throw new Error('killed here');
    });
    a.store.put(guestOff(T0 + 60 * MIN), T0);
    clock.advance(60 * MIN);
    await assert.rejects(a.worker.check(), /killed here/);
    assert.deepEqual(router.state.calls, [false], 'the router was switched off');
    assert.ok(a.store.get(GUEST_OFF_KIND, 'guest'), 'the deadline stays due: its undo has no row yet');
    assert.deepEqual(rows(a.db), []);

    const b = boot();
    await b.worker.check();
    assert.deepEqual(router.state.calls, [false, false], 'carried out again (already off counts as done)');
    assert.deepEqual(
      rows(b.db).map((r) => r.result),
      ['ok'],
    );
    assert.equal(b.store.get(GUEST_OFF_KIND, 'guest'), undefined);
  });

  test('a router that is down: one error row for the streak, not one a minute; the later success its own row', async (t) => {
    const { clock, router, boot } = setup(t);
    const a = boot();
    a.store.put(guestOff(T0 + 60 * MIN), T0);
    clock.advance(60 * MIN);
    router.state.down = true;
    for (let i = 0; i < 5; i++) {
      await a.worker.check();
      clock.advance(MIN);
    }
    assert.equal(router.state.calls.length, 5, 'retried every minute');
    assert.deepEqual(
      rows(a.db).map((r) => [r.result, r.detail]),
      [['error', 'connect ECONNREFUSED']],
    );
    router.state.down = false;
    await a.worker.check();
    assert.equal(router.state.on, false);
    assert.deepEqual(
      rows(a.db).map((r) => r.result),
      ['error', 'ok'],
    );
  });

  test('extended while the undo ran: the undo and the putting back are both audited, and the deadline stands', async (t) => {
    const { clock, router, boot } = setup(t);
    // The admin's /guestwifi on 2h lands while the router call turning it off is in flight.
    let extend = () => {};
    const a = boot(undefined, (on) => {
      if (!on) extend();
      return router.set(on);
    });
    extend = () => a.store.put(guestOff(T0 + 180 * MIN), clock.now());
    a.store.put(guestOff(T0 + 60 * MIN), T0);
    clock.advance(60 * MIN);
    await a.worker.check();
    assert.deepEqual(router.state.calls, [false, true]);
    assert.equal(router.state.on, true, 'the WiFi is back on for the new deadline');
    assert.deepEqual(
      rows(a.db).map((r) => [r.command, r.result, r.detail]),
      [
        ['expire', 'ok', 'extended meanwhile'],
        ['reapply', 'ok', null],
      ],
    );
    assert.equal(a.store.get(GUEST_OFF_KIND, 'guest')?.dueAt, T0 + 180 * MIN);
  });
});
