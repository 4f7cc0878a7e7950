/**
 * The people and grants stores answer per-command reads from memory; every write must drop
 * that memory so the very next command sees the change. Each case warms the cache first (the
 * same reads a command makes), changes something, then reads again as the next command would.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ChatRef } from '../../src/permissions/access.ts';
import { group, world } from './helpers.ts';

const POWER = 'proxmox.guest.power';

/** What the pipeline does for one command from `identity` in `chat`. */
function nextCommand(w: ReturnType<typeof world>, identity: string, chat: ChatRef) {
  const p = w.access.resolve(identity);
  return p ? { role: w.access.effectiveRole(p, chat), canPower: w.access.can(p, chat, POWER) } : undefined;
}

describe('in-memory permission reads follow every write', () => {
  test('a demoted admin loses power on the next command; promoted back, regains it', () => {
    const w = world();
    w.grants.ensureKnown([POWER]);
    const admin = w.person('telegram:2', 'admin');
    const chat = group('-5');
    assert.deepEqual(nextCommand(w, 'telegram:2', chat), { role: 'admin', canPower: true });
    assert.equal(w.management.setRole(w.owner, admin.personId, 'family').ok, true);
    assert.deepEqual(nextCommand(w, 'telegram:2', chat), { role: 'family', canPower: false });
    assert.equal(w.access.actorFacts(admin)?.role, 'family', 'a stale Principal carries no old powers');
    assert.equal(w.management.setRole(w.owner, admin.personId, 'admin').ok, true);
    assert.deepEqual(nextCommand(w, 'telegram:2', chat), { role: 'admin', canPower: true });
  });

  test('a revoked grant stops counting on the next command, a new one counts at once', () => {
    const w = world();
    w.grants.ensureKnown([POWER]);
    w.person('telegram:3', 'family');
    const chat = group('-6');
    assert.equal(nextCommand(w, 'telegram:3', chat)?.canPower, false);
    assert.equal(w.management.grant(w.owner, 'family', POWER).ok, true);
    assert.equal(nextCommand(w, 'telegram:3', chat)?.canPower, true);
    assert.deepEqual(w.access.permissionsOf('family').includes(POWER), true);
    assert.equal(w.management.revoke(w.owner, 'family', POWER).ok, true);
    assert.equal(nextCommand(w, 'telegram:3', chat)?.canPower, false);
    assert.equal(w.access.permissionsOf('family').includes(POWER), false);
    assert.equal(w.access.approversFor(POWER).length, 1, 'only the owner approves once family lost it (admin holds it by default)');
  });

  test('a lowered chat ceiling counts on the next command; removing it lifts the role again', () => {
    const w = world();
    w.grants.ensureKnown([POWER]);
    w.person('telegram:2', 'admin');
    const chat = group('-7');
    assert.deepEqual(nextCommand(w, 'telegram:2', chat), { role: 'admin', canPower: true });
    w.management.setChatCeiling(w.owner, chat, 'guest');
    assert.deepEqual(nextCommand(w, 'telegram:2', chat), { role: 'guest', canPower: false });
    w.management.setChatCeiling(w.owner, chat, null);
    assert.deepEqual(nextCommand(w, 'telegram:2', chat), { role: 'admin', canPower: true });
  });

  test('a removed person is a stranger on the next command, on every linked identity', () => {
    const w = world();
    w.grants.ensureKnown([POWER]);
    const admin = w.person('telegram:2', 'admin');
    w.people.attach(admin.personId, 'discord:20', 'ana');
    assert.equal(nextCommand(w, 'discord:20', group('-8'))?.canPower, true);
    assert.equal(
      w.access.approversFor(POWER).some((p) => p.personId === admin.personId),
      true,
    );
    assert.equal(w.management.forget(w.owner, admin.personId).ok, true);
    assert.equal(nextCommand(w, 'telegram:2', group('-8')), undefined);
    assert.equal(nextCommand(w, 'discord:20', group('-8')), undefined);
    assert.equal(w.access.actorFacts(admin), undefined);
    assert.equal(
      w.access.approversFor(POWER).some((p) => p.personId === admin.personId),
      false,
    );
  });

  test('a language change is served on the next read', () => {
    const w = world();
    w.person('telegram:4', 'guest');
    assert.equal(w.access.getLanguage('telegram:4'), undefined);
    assert.equal(w.people.setLanguage('telegram:4', 'es'), true);
    assert.equal(w.access.getLanguage('telegram:4'), 'es');
  });

  test('a rolled-back transaction leaves no cached person behind', () => {
    const w = world();
    assert.throws(() =>
      w.people.transaction(() => {
        w.people.enroll('telegram:9', 'Eve', 'admin');
        assert.equal(w.access.resolve('telegram:9')?.role, 'admin', 'visible inside the transaction');
        throw new Error('abort');
      }),
    );
    assert.equal(w.access.resolve('telegram:9'), undefined);
  });

  test('cached principals cannot be changed by a caller', () => {
    const w = world();
    w.person('telegram:5', 'guest');
    const p = w.access.resolve('telegram:5')!;
    assert.throws(() => Object.assign(p, { role: 'owner' }));
    assert.equal(w.access.resolve('telegram:5')?.role, 'guest');
  });

  test('every write bumps the store generation (what /help and other derived caches key on)', () => {
    const w = world();
    const [pg, gg] = [w.people.generation, w.grants.generation];
    w.person('telegram:6', 'guest');
    assert.ok(w.people.generation > pg);
    w.grants.ensureKnown([POWER]);
    assert.ok(w.grants.generation > gg);
  });
});
