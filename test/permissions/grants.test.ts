/** The grants store: hierarchical grants, known permissions and chat ceilings (stored and configured). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ManualClock } from '../../src/core/clock.ts';
import { openDatabase } from '../../src/core/db.ts';
import { GrantsStore, inherited } from '../../src/permissions/grants.ts';
import { permissionMigrations } from '../../src/permissions/migrations.ts';

function store(configCeilings: { chat: string; maxRole: 'guest' | 'family' | 'admin' }[] = []) {
  const db = openDatabase(':memory:', permissionMigrations);
  return new GrantsStore(db, new ManualClock(), configCeilings);
}

describe('grants store', () => {
  test('a role holds its own grants and every weaker role’s; the owner holds everything', () => {
    const g = store();
    g.ensureKnown(['test.thing.read']);
    assert.deepEqual(inherited('admin').sort(), ['admin', 'family', 'guest']);
    assert.equal(g.roleHolds('family', 'test.thing.read'), false);
    assert.equal(g.add('guest', 'test.thing.read', 1), true);
    assert.equal(g.add('guest', 'test.thing.read', 1), false, 'already granted');
    assert.equal(g.roleHolds('admin', 'test.thing.read'), true);
    assert.equal(g.grantedDirectly('admin', 'test.thing.read'), true, 'the default grant went to admin');
    assert.equal(g.roleHolds('owner', 'anything.at.all'), true);
    assert.equal(g.remove('guest', 'test.thing.read'), true);
    assert.equal(g.roleHolds('family', 'test.thing.read'), false);
  });

  test('a first-seen permission gets its default grant once; a revoked one is never re-granted', () => {
    const g = store();
    g.ensureKnown(['test.thing.stop']);
    assert.equal(g.isKnown('test.thing.stop'), true);
    assert.equal(g.remove('admin', 'test.thing.stop'), true);
    g.ensureKnown(['test.thing.stop']);
    assert.equal(g.roleHolds('admin', 'test.thing.stop'), false);
    assert.throws(() => g.ensureKnown(['Bad Name']), /malformed/);
    g.ensureKnown([], ['test.secret.read']);
    assert.equal(g.isOwnerOnly('test.secret.read'), true);
    assert.deepEqual(g.known().find((k) => k.permission === 'test.secret.read')?.grantedTo, []);
  });

  test('ceilings: the lower of the stored and the configured one; private chats have none', () => {
    const g = store([{ chat: 'telegram:-9', maxRole: 'family' }]);
    const grp = { platform: 'telegram' as const, id: '-9', kind: 'group' as const };
    assert.equal(g.chatCeiling(grp), 'family');
    g.setChatCeiling(grp, 'guest', 1);
    assert.equal(g.chatCeiling(grp), 'guest');
    g.setChatCeiling(grp, 'admin', 1);
    assert.equal(g.chatCeiling(grp), 'family', 'a stored ceiling never lifts the configured one');
    g.setChatCeiling(grp, null, 1);
    assert.deepEqual(g.chatCeilings(), [{ chat: grp, maxRole: 'family', fromConfig: true }]);
    assert.equal(g.chatCeiling({ ...grp, kind: 'private' }), undefined);
  });
});
