/** An older database's pauses and blocks survive the move of timed pauses onto the deadline worker. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../src/core/db.ts';
import { deadlineMigrations } from '../../src/core/deadlines.ts';
import { deviceMigrations, PAUSE_KIND } from '../../src/handlers/devices/store.ts';
import { allMigrations } from '../../src/wiring/migrations.ts';

test('devices-0002: a timed pause becomes an active deadline, a block stays a block', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'devices-migration-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'bot.db');
  const old = openDatabase(path, [...deadlineMigrations, deviceMigrations[0]!]);
  const insert = old.prepare('INSERT INTO device_pauses (mac, kind, until, address, chat, set_by, set_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
  insert.run('00:00:5E:00:53:32', 'pause', 5_000, '192.0.2.32', 'telegram:1', 'telegram:1', 1_000);
  insert.run('00:00:5E:00:53:31', 'block', null, '192.0.2.31', 'telegram:2', 'telegram:2', 2_000);
  old.close();

  const db = openDatabase(path, allMigrations);
  t.after(() => db.close());
  assert.deepEqual(db.prepare('SELECT kind, target, due_at, phase, chat, requested_by, data FROM deadlines').all(), [
    {
      kind: PAUSE_KIND,
      target: '00:00:5E:00:53:32',
      due_at: 5_000,
      phase: 'active',
      chat: 'telegram:1',
      requested_by: 'telegram:1',
      data: '{"address":"192.0.2.32"}',
    },
  ]);
  assert.deepEqual(db.prepare('SELECT mac, address, chat, set_by FROM device_blocks').all(), [
    { mac: '00:00:5E:00:53:31', address: '192.0.2.31', chat: 'telegram:2', set_by: 'telegram:2' },
  ]);
  assert.equal(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'device_pauses'").pluck().get(), 0);
});
