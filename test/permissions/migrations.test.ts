import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../src/core/db.ts';
import { permissionMigrations, RENAMED_PERMISSIONS } from '../../src/permissions/migrations.ts';
import { GrantsStore } from '../../src/permissions/grants.ts';
import { ManualClock } from '../../src/core/clock.ts';

test("migrations apply once to a file and keep the owner's changes on reopen", (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'perm-mig-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'bot.sqlite');
  const db = openDatabase(path, permissionMigrations);
  assert.ok(permissionMigrations.every((m) => m.id.startsWith('permissions-')));
  db.prepare("DELETE FROM grants WHERE role = 'family' AND permission = 'router.guest.qr'").run();
  db.close();
  const again = openDatabase(path, permissionMigrations);
  const family = again.prepare("SELECT permission FROM grants WHERE role = 'family'").pluck().all();
  assert.equal(family.includes('router.guest.qr'), false, 'the seed does not run twice');
  assert.ok(family.includes('pihole.domain.allow-temporary'));
  assert.equal(again.prepare("SELECT count(*) FROM grants WHERE role = 'owner'").pluck().get(), 0);
  again.close();
});

test('a database from before the area ids keeps its grants, revocations and pending approvals under the new names', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'perm-mig-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'bot.sqlite');
  // The database as an older release left it: schema and seed applied, permissions under old names.
  const old = openDatabase(path, permissionMigrations.slice(0, 2));
  old.exec('DELETE FROM grants; DELETE FROM known_permissions;');
  const known = old.prepare('INSERT INTO known_permissions (permission, owner_only, first_seen_at) VALUES (?, 0, 0)');
  const grant = old.prepare('INSERT INTO grants (role, permission, granted_by, granted_at) VALUES (?, ?, 1, 0)');
  for (const p of Object.keys(RENAMED_PERMISSIONS)) known.run(p);
  grant.run('family', 'transmission.torrent.add'); // the owner gave family downloads
  grant.run('family', 'nut.status.read');
  grant.run('admin', 'wifi.guest.rotate');
  // …and took the guest WiFi QR away from family (not granted, though known).
  old
    .prepare(
      "INSERT INTO approvals (requester, chat, command, args, permission, status, created_at, expires_at) VALUES ('telegram:5', 'telegram:5', 'pause', '{}', 'transmission.torrent.control', 'pending', 0, 1)",
    )
    .run();
  old.close();

  const db = openDatabase(path, permissionMigrations);
  t.after(() => db.close());
  const grants = db.prepare('SELECT role, permission FROM grants ORDER BY role, permission').all();
  assert.deepEqual(grants, [
    { role: 'admin', permission: 'router.guest.rotate' },
    { role: 'family', permission: 'downloads.torrent.add' },
    { role: 'family', permission: 'ups.status.read' },
  ]);
  const knownNow = db.prepare('SELECT permission FROM known_permissions ORDER BY permission').pluck().all();
  assert.deepEqual(knownNow, Object.values(RENAMED_PERMISSIONS).sort());
  assert.equal(db.prepare('SELECT permission FROM approvals').pluck().get(), 'downloads.torrent.control');

  // At start the registry announces today's names: a known one is not re-granted by default.
  new GrantsStore(db, new ManualClock(0)).ensureKnown(['router.guest.qr', 'downloads.torrent.add']);
  const family = db.prepare("SELECT permission FROM grants WHERE role = 'family'").pluck().all();
  assert.equal(family.includes('router.guest.qr'), false, 'a revoked default stays revoked after the rename');
});
