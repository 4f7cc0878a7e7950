import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../src/core/db.ts';
import { permissionMigrations } from '../../src/permissions/migrations.ts';

test("migrations apply once to a file and keep the owner's changes on reopen", (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'perm-mig-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'bot.sqlite');
  const db = openDatabase(path, permissionMigrations);
  assert.ok(permissionMigrations.every((m) => m.id.startsWith('permissions-')));
  db.prepare("DELETE FROM grants WHERE role = 'family' AND permission = 'wifi.guest.qr'").run();
  db.close();
  const again = openDatabase(path, permissionMigrations);
  const family = again.prepare("SELECT permission FROM grants WHERE role = 'family'").pluck().all();
  assert.equal(family.includes('wifi.guest.qr'), false, 'the seed does not run twice');
  assert.ok(family.includes('pihole.domain.allow-temporary'));
  assert.equal(again.prepare("SELECT count(*) FROM grants WHERE role = 'owner'").pluck().get(), 0);
  again.close();
});
