/** The people store: persons, identities and strangers, on the real permission migrations. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ManualClock } from '../../src/core/clock.ts';
import { openDatabase } from '../../src/core/db.ts';
import { permissionMigrations } from '../../src/permissions/migrations.ts';
import { PeopleStore } from '../../src/permissions/people.ts';

function store() {
  const db = openDatabase(':memory:', permissionMigrations);
  return { db, people: new PeopleStore(db, new ManualClock()) };
}

describe('people store', () => {
  test('enrol resolves every identity to its person; a stranger resolves to nothing', () => {
    const { people } = store();
    const ana = people.enroll('telegram:7', '  Ana  ', 'family');
    assert.deepEqual(ana, { personId: ana.personId, identity: 'telegram:7', role: 'family', displayName: 'Ana' });
    people.attach(ana.personId, 'discord:70', 'ana#1');
    assert.equal(people.resolve('discord:70')?.personId, ana.personId);
    assert.equal(people.resolve('telegram:8'), undefined);
    assert.throws(() => people.enroll('nope', 'x', 'guest'), /platform:id/);
  });

  test('a flood of new stranger accounts does not grow memory; known people are still remembered and resolved', () => {
    const { people } = store();
    const ana = people.enroll('telegram:7', 'Ana', 'family');
    for (let i = 0; i < 5000; i++) assert.equal(people.resolve(`telegram:${100_000 + i}`), undefined);
    assert.ok(people.rememberedIdentities <= 1000, `${people.rememberedIdentities} identities kept in memory`);
    assert.equal(people.resolve('telegram:7')?.personId, ana.personId);
    assert.equal(people.resolve('telegram:100001'), undefined);
  });

  test('a stranger is noted once ("first"), then counted; enrolling or attaching them clears the record', () => {
    const { db, people } = store();
    assert.equal(people.noteStranger('telegram:9', 'Grandma'), 'first');
    assert.equal(people.noteStranger('telegram:9', 'Grandma'), 'seen');
    assert.equal(people.strangerName('telegram:9'), 'Grandma');
    assert.equal(db.prepare('SELECT attempts FROM unknown_users').pluck().get(), 2);
    const host = people.enroll('telegram:1', 'Host', 'owner');
    people.attach(host.personId, 'telegram:9', 'Grandma');
    assert.equal(people.strangerName('telegram:9'), undefined);
  });

  test('merge moves identities, keeps a language only the other person had, and removes them', () => {
    const { people } = store();
    const a = people.enroll('telegram:1', 'A', 'family');
    const b = people.enroll('discord:2', 'B', 'family');
    people.setLanguage('discord:2', 'es');
    people.merge(b.personId, a.personId);
    assert.equal(people.resolve('discord:2')?.personId, a.personId);
    assert.equal(people.resolve('telegram:1')?.language, 'es');
    assert.equal(people.find(b.personId), undefined);
    assert.deepEqual(people.find(a.personId)?.identities, ['discord:2', 'telegram:1']);
  });

  test('roles, owners, staff and removal', () => {
    const { people } = store();
    const o = people.enroll('telegram:1', 'O', 'owner');
    const k = people.enroll('telegram:2', 'K', 'guest');
    people.enroll('telegram:3', 'Ad', 'admin');
    people.setRole(k.personId, 'family');
    assert.equal(people.roleOf(k.personId), 'family');
    assert.equal(people.ownerCount(), 1);
    assert.deepEqual(
      people.staff().map((p) => p.identity),
      ['telegram:1', 'telegram:3'],
    );
    assert.deepEqual(
      people.all().map((p) => p.role),
      ['owner', 'admin', 'family'],
    );
    people.remove(o.personId);
    assert.equal(people.resolve('telegram:1'), undefined, 'identities go with the person');
    assert.equal(people.setLanguage('telegram:1', 'es'), false);
  });
});
