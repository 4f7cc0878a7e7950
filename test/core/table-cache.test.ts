/**
 * Reads kept in memory until their table is written (the /status path reads the device blocks and
 * pauses from memory): every write through any store on the database is seen on the next read,
 * and a rolled-back transaction never leaves a row in memory.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openDatabase, tableCache } from '../../src/core/db.ts';
import { DeadlineStore, deadlineMigrations, type DeadlineSpec } from '../../src/core/deadlines.ts';
import { DeviceStore, deviceMigrations } from '../../src/handlers/devices/store.ts';

const open = () => openDatabase(':memory:', [...deadlineMigrations, ...deviceMigrations]);
const pause = (target: string, dueAt: number): DeadlineSpec => ({
  kind: 'device-pause',
  target,
  dueAt,
  chat: 'telegram:1',
  requestedBy: 'telegram:1',
  data: { address: '192.0.2.10' },
});
const targets = (s: DeadlineStore) => s.list('device-pause').map((d) => `${d.target}@${d.dueAt}/${d.phase}`);

test('deadline lists follow every kind of write, through any store on the database, without reading SQLite again', () => {
  const db = open();
  const a = new DeadlineStore(db);
  const b = new DeadlineStore(db);
  assert.deepEqual(targets(a), []);
  a.put(pause('AA', 2000), 0);
  assert.deepEqual(targets(b), ['AA@2000/active'], 'a write through one store is seen by the other');
  const intent = b.intend(pause('BB', 1000), 0);
  assert.deepEqual(targets(a), ['BB@1000/intent', 'AA@2000/active']);
  intent.confirm();
  assert.deepEqual(targets(a), ['BB@1000/active', 'AA@2000/active']);
  b.intend(pause('CC', 3000), 0).abandon();
  assert.deepEqual(targets(a), ['BB@1000/active', 'AA@2000/active']);
  const ending = a.intendEnd([{ kind: 'device-pause', target: 'AA' }], 0);
  assert.deepEqual(targets(b), ['BB@1000/active', 'AA@2000/intent']);
  ending.abandon();
  assert.deepEqual(targets(b), ['BB@1000/active', 'AA@2000/active']);
  a.intendEnd([{ kind: 'device-pause', target: 'AA' }], 0).confirm();
  assert.deepEqual(targets(b), ['BB@1000/active']);
  b.remove('device-pause', 'BB');
  assert.deepEqual(targets(a), []);
  // Served from memory: a statement that is not the store's own is not seen until a store write.
  a.put(pause('DD', 500), 0);
  assert.deepEqual(targets(b), ['DD@500/active']);
  db.prepare("DELETE FROM deadlines WHERE target = 'DD'").run();
  assert.deepEqual(targets(b), ['DD@500/active'], 'the second read did not go to SQLite');
  a.activate('device-pause', 'nothing');
  assert.deepEqual(targets(b), []);
});

test('a list read inside a transaction that rolls back is not kept', () => {
  const db = open();
  const store = new DeadlineStore(db);
  assert.throws(() =>
    db.transaction(() => {
      store.put(pause('AA', 1000), 0);
      assert.deepEqual(targets(store), ['AA@1000/active']);
      throw new Error('rolled back');
    })(),
  );
  assert.deepEqual(targets(store), []);
});

test('device blocks follow putBlock and removeBlock of any store on the database', () => {
  const db = open();
  const router = new DeviceStore(db);
  const pihole = new DeviceStore(db);
  assert.deepEqual(pihole.blocks(), []);
  router.putBlock({ mac: 'AA:BB:CC:DD:EE:01', address: '192.0.2.10', chat: 'telegram:1', setBy: 'telegram:1' }, 1);
  assert.deepEqual(
    pihole.blocks().map((b) => b.mac),
    ['AA:BB:CC:DD:EE:01'],
  );
  const copy = pihole.blocks();
  copy.pop();
  assert.equal(pihole.blocks().length, 1, 'callers get their own array');
  router.removeBlock('AA:BB:CC:DD:EE:01');
  assert.deepEqual(pihole.blocks(), []);
});

test('caches are per database and per table', () => {
  const one = open();
  const two = open();
  let loads = 0;
  const load = () => ++loads;
  assert.equal(tableCache(one, 't').read('k', load), 1);
  assert.equal(tableCache(one, 't').read('k', load), 1);
  assert.equal(tableCache(two, 't').read('k', load), 2);
  assert.equal(tableCache(one, 'u').read('k', load), 3);
  tableCache(one, 't').invalidate();
  assert.equal(tableCache(one, 't').read('k', load), 4);
  assert.equal(tableCache(one, 'u').read('k', load), 3);
});
