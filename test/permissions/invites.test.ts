import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { world } from './helpers.ts';
import { Invites } from '../../src/permissions/invites.ts';

const HOUR = 3_600_000;

describe('invites', () => {
  test('accepting creates the identity with the role; the code is one-time', () => {
    const w = world();
    const inv = new Invites(w.db, w.clock, w.people, w.access);
    const made = inv.createInvite(w.owner, 'family', HOUR);
    assert.ok(made.ok);
    assert.equal(made.expiresAt, w.clock.now() + HOUR);
    assert.match(made.code, /^[0-9A-Z]{12}$/);
    const r = inv.acceptInvite(made.code, 'telegram:30', 'Ana');
    assert.ok(r.ok);
    assert.equal(r.principal.role, 'family');
    assert.equal(r.principal.displayName, 'Ana');
    assert.deepEqual(inv.acceptInvite(made.code, 'telegram:31', 'Eve'), { ok: false, reason: 'used' });
    assert.equal(w.access.resolve('telegram:31'), undefined);
  });

  test('expired codes are refused, at the exact expiry instant too', () => {
    const w = world();
    const inv = new Invites(w.db, w.clock, w.people, w.access);
    const made = inv.createInvite(w.owner, 'guest', HOUR);
    assert.ok(made.ok);
    w.clock.advance(HOUR);
    assert.deepEqual(inv.acceptInvite(made.code, 'telegram:30', 'Ana'), { ok: false, reason: 'expired' });
  });

  test('unknown and tampered codes are refused', () => {
    const w = world();
    const inv = new Invites(w.db, w.clock, w.people, w.access);
    const made = inv.createInvite(w.owner, 'family', HOUR);
    assert.ok(made.ok);
    const last = made.code.at(-1) === 'A' ? 'B' : 'A';
    assert.deepEqual(inv.acceptInvite(made.code.slice(0, -1) + last, 'telegram:30', 'Ana'), { ok: false, reason: 'unknown' });
    assert.ok(inv.acceptInvite(` ${made.code.toLowerCase()} `, 'telegram:30', 'Ana').ok, 'case and spaces do not matter');
  });

  test('an invite for one platform is refused on another', () => {
    const w = world();
    const inv = new Invites(w.db, w.clock, w.people, w.access);
    const made = inv.createInvite(w.owner, 'family', HOUR, { platform: 'telegram' });
    assert.ok(made.ok);
    assert.deepEqual(inv.acceptInvite(made.code, 'discord:30', 'Ana'), { ok: false, reason: 'wrong-platform' });
    assert.ok(inv.acceptInvite(made.code, 'telegram:30', 'Ana').ok, 'a refused platform does not burn the code');
  });

  test('an admin invites up to admin, never owner; family cannot invite', () => {
    const w = world();
    const inv = new Invites(w.db, w.clock, w.people, w.access);
    const admin = w.person('telegram:10', 'admin');
    const fam = w.person('telegram:11', 'family');
    assert.ok(inv.createInvite(admin, 'admin', HOUR).ok);
    assert.deepEqual(inv.createInvite(admin, 'owner', HOUR), { ok: false, reason: 'above-own-role' });
    assert.deepEqual(inv.createInvite(w.owner, 'owner', HOUR), { ok: false, reason: 'above-own-role' });
    assert.deepEqual(inv.createInvite(fam, 'guest', HOUR), { ok: false, reason: 'not-allowed' });
    assert.deepEqual(inv.createInvite(admin, 'wizard', HOUR), { ok: false, reason: 'unknown-role' });
    assert.deepEqual(inv.createInvite(admin, 'guest', 1), { ok: false, reason: 'bad-ttl' });
  });

  test('an invite dies when its inviter is demoted before it is used', () => {
    const w = world();
    const inv = new Invites(w.db, w.clock, w.people, w.access);
    const admin = w.person('telegram:10', 'admin');
    const made = inv.createInvite(admin, 'admin', HOUR);
    assert.ok(made.ok);
    w.management.setRole(w.owner, 'telegram:10', 'family');
    assert.deepEqual(inv.acceptInvite(made.code, 'telegram:30', 'Ana'), { ok: false, reason: 'revoked' });
  });

  test('a known person is raised by a stronger invite, but never lowered', () => {
    const w = world();
    const inv = new Invites(w.db, w.clock, w.people, w.access);
    w.person('telegram:30', 'guest');
    const fam = inv.createInvite(w.owner, 'family', HOUR);
    const guest = inv.createInvite(w.owner, 'guest', HOUR);
    assert.ok(fam.ok && guest.ok);
    const up = inv.acceptInvite(fam.code, 'telegram:30', 'Ana');
    assert.ok(up.ok && up.upgraded);
    assert.deepEqual(inv.acceptInvite(guest.code, 'telegram:30', 'Ana'), { ok: false, reason: 'already-known' });
    assert.equal(w.access.resolve('telegram:30')?.role, 'family');
  });

  test('accepting clears the stranger record so a later removal notifies again', () => {
    const w = world();
    const inv = new Invites(w.db, w.clock, w.people, w.access);
    w.people.noteStranger('telegram:30', 'Ana');
    const made = inv.createInvite(w.owner, 'family', HOUR);
    assert.ok(made.ok);
    inv.acceptInvite(made.code, 'telegram:30', 'Ana');
    w.management.forget(w.owner, 'telegram:30');
    assert.equal(w.people.noteStranger('telegram:30', 'Ana'), 'first');
  });

  test('admit: only strangers who wrote, within the role of the actor', () => {
    const w = world();
    const inv = new Invites(w.db, w.clock, w.people, w.access);
    const admin = w.person('telegram:10', 'admin');
    w.people.noteStranger('telegram:40', 'Grandma');
    assert.deepEqual(inv.admit(admin, 'telegram:41', 'family'), { ok: false, reason: 'not-a-stranger' });
    assert.deepEqual(inv.admit(admin, 'telegram:40', 'owner'), { ok: false, reason: 'above-own-role' });
    assert.deepEqual(inv.admit(w.person('telegram:11', 'family'), 'telegram:40', 'guest'), { ok: false, reason: 'not-allowed' });
    const r = inv.admit(w.owner, 'telegram:40', 'family');
    assert.ok(r.ok);
    assert.equal(r.principal.displayName, 'Grandma');
    assert.deepEqual(inv.admit(w.owner, 'telegram:40', 'family'), { ok: false, reason: 'already-known' });
  });
});
