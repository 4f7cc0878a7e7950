import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluate } from '../../src/alerts/engine.ts';
import { alertMigrations } from '../../src/alerts/migrations.ts';
import { parseAlertRecord } from '../../src/alerts/record-codec.ts';
import { AlertStore } from '../../src/alerts/store.ts';
import { DEFAULT_ENGINE_OPTIONS } from '../../src/alerts/types.ts';
import { openDatabase, type Db } from '../../src/core/db.ts';

const condition = { key: 'ups:ups1:on_battery', source: 'ups', severity: 'critical', summaryKey: 'alert.ups.on_battery', params: {} };

/** A row as the flat record shape wrote it: every episode field optional, whatever the state. */
function flatRow(over: Record<string, unknown>): Record<string, unknown> {
  return {
    key: condition.key,
    origin: 'nut',
    condition,
    firstSeenAt: 1_000,
    lastSeenAt: 5_000,
    eventCount: 1,
    notified: true,
    raises: [2_000],
    flapping: false,
    ...over,
  };
}

function storeWith(rows: readonly Record<string, unknown>[]): { db: Db; store: AlertStore } {
  const db = openDatabase(join(mkdtempSync(join(tmpdir(), 'alert-rows-')), 'bot.db'), alertMigrations);
  const insert = db.prepare('INSERT INTO alert_records (key, origin, state, data, updated_at) VALUES (?, ?, ?, ?, 0)');
  for (const r of rows) insert.run(r.key, r.origin, r.state, JSON.stringify(r));
  return { db, store: new AlertStore(db) };
}

describe('alert records at the store edge', () => {
  test('a raised row in the flat shape loads with its episode, and resolves on the same thread', () => {
    const { store } = storeWith([
      flatRow({ state: 'raised', raisedAt: 2_000, thread: `${condition.key}@2000`, ackBy: 'Ana', ackAt: 3_000 }),
    ]);
    const [r] = store.raised();
    assert.ok(r);
    assert.equal(r.state, 'raised');
    assert.equal(r.raisedAt, 2_000);
    assert.equal(r.ackBy, 'Ana');
    const out = evaluate(
      store.recordsOf('nut'),
      { origin: 'nut', reachable: true, conditions: [] },
      {
        now: 200_000,
        options: DEFAULT_ENGINE_OPTIONS,
        unreachable: new Set(),
        mutes: new Map(),
        firstEvaluation: false,
      },
    );
    // Absent: the resolve hold starts now; nothing is lost from the old row.
    assert.equal(out.upserts[0]?.state, 'raised');
    assert.equal(out.upserts[0]?.state === 'raised' && out.upserts[0].absentSince, 200_000);
  });

  test('a raised row older versions wrote without thread or raisedAt gets the values the engine derived', () => {
    const r = parseAlertRecord(JSON.stringify(flatRow({ state: 'raised' })));
    assert.ok(r && r.state === 'raised');
    assert.equal(r.raisedAt, 1_000);
    assert.equal(r.thread, `${condition.key}@1000`);
  });

  test('a resolved row without resolvedAt is a tombstone from its last sighting; fields of other states are dropped', () => {
    const resolved = parseAlertRecord(
      JSON.stringify(flatRow({ state: 'resolved', raisedAt: 2_000, thread: 't', heldBy: { kind: 'wan', since: 1 } })),
    );
    assert.ok(resolved && resolved.state === 'resolved');
    assert.equal(resolved.resolvedAt, 5_000);
    assert.equal('heldBy' in resolved, false);
    const pending = parseAlertRecord(
      JSON.stringify(flatRow({ state: 'pending', raisedAt: 2_000, ackBy: 'Ana', heldBy: { kind: 'powercut', since: 1 } })),
    );
    assert.ok(pending && pending.state === 'pending');
    assert.deepEqual(pending.heldBy, { kind: 'powercut', since: 1 });
    assert.equal('raisedAt' in pending, false);
    assert.equal('ackBy' in pending, false);
  });

  test('a damaged row is skipped, not thrown: the others still load', () => {
    const { db, store } = storeWith([flatRow({ state: 'raised', raisedAt: 2_000, thread: 't' })]);
    db.prepare("INSERT INTO alert_records (key, origin, state, data, updated_at) VALUES ('x', 'nut', 'raised', '{not json', 0)").run();
    db.prepare("INSERT INTO alert_records (key, origin, state, data, updated_at) VALUES ('y', 'nut', 'raised', ?, 0)").run(
      JSON.stringify(flatRow({ key: 'y', state: 'raised', raisedAt: 'yesterday' })),
    );
    assert.deepEqual(
      store.recordsOf('nut').map((r) => r.key),
      [condition.key],
    );
    assert.equal(store.record('x'), undefined);
    assert.equal(parseAlertRecord(JSON.stringify(flatRow({ state: 'gone' }))), undefined);
  });

  test('what the store saves it reads back unchanged', () => {
    const { store } = storeWith([]);
    const record = parseAlertRecord(
      JSON.stringify(flatRow({ state: 'raised', raisedAt: 2_000, thread: 't', snoozedUntil: 9_000, snoozedBy: 'Bo' })),
    );
    assert.ok(record);
    store.save(record, 0);
    assert.deepEqual(store.record(record.key), record);
  });
});
