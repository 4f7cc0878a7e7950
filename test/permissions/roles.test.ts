import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { atLeast, isRole, minRole, roleRank, ROLES } from '../../src/permissions/roles.ts';
import { isPermission, serviceOf } from '../../src/permissions/permissions.ts';

describe('roles', () => {
  test('ROLES is strongest first and ranks strictly decrease', () => {
    assert.deepEqual([...ROLES], ['owner', 'admin', 'family', 'guest']);
    for (let i = 1; i < ROLES.length; i++) assert.ok(roleRank(ROLES[i - 1]!) > roleRank(ROLES[i]!));
  });

  const cases: [Parameters<typeof atLeast>[0], Parameters<typeof atLeast>[1], boolean][] = [
    ['owner', 'admin', true],
    ['admin', 'admin', true],
    ['family', 'admin', false],
    ['guest', 'guest', true],
    ['guest', 'family', false],
    ['admin', 'owner', false],
  ];
  for (const [r, min, want] of cases) test(`atLeast(${r}, ${min}) = ${want}`, () => assert.equal(atLeast(r, min), want));

  test('minRole picks the weaker in either order', () => {
    assert.equal(minRole('owner', 'family'), 'family');
    assert.equal(minRole('family', 'owner'), 'family');
    assert.equal(minRole('guest', 'admin'), 'guest');
    assert.equal(minRole('admin', 'admin'), 'admin');
  });

  test('isRole refuses look-alikes', () => {
    assert.ok(isRole('family'));
    for (const s of ['Family', 'root', '', 'owner ']) assert.equal(isRole(s), false, s);
  });
});

describe('permission names', () => {
  const good = ['proxmox.guest.power', 'pihole.domain.allow-temporary', 'router.guest.qr', 'ups.status.read'];
  const bad = ['proxmox.guest', 'proxmox..power', 'Proxmox.guest.power', 'a.b.c.d', 'a.b.c ', '', 'a.b.-c', '1a.b.c'];
  for (const s of good) test(`accepts ${s}`, () => assert.equal(isPermission(s), true));
  for (const s of bad) test(`refuses "${s}"`, () => assert.equal(isPermission(s), false));
  test('serviceOf takes the first segment', () => assert.equal(serviceOf('pihole.domain.allow'), 'pihole'));
});
