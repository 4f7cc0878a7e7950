/**
 * Property: whatever sequence of role changes, grants, revocations and invites non-owners
 * attempt, no step leaves anyone with a role above the actor's or a permission the actor did
 * not hold at that moment, and no non-owner ever becomes owner.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { world } from './helpers.ts';
import { Invites } from '../../src/permissions/invites.ts';
import { P } from '../../src/permissions/permissions.ts';
import { roleRank, type Role } from '../../src/permissions/roles.ts';

const STORED: Role[] = ['admin', 'family', 'guest'];
const PERMS = [
  'proxmox.guest.power',
  'pihole.domain.allow',
  'router.guest.qr',
  'bot.help.read',
  P.grantManage,
  P.roleManage,
  P.inviteCreate,
  'bot.config.reload',
] as const;
const ALL_ROLES = ['owner', ...STORED, 'wizard'];

const role = fc.constantFrom(...STORED);
const op = fc.oneof(
  fc.record({ kind: fc.constant('setRole' as const), actor: fc.nat(5), target: fc.nat(6), role: fc.constantFrom(...ALL_ROLES) }),
  fc.record({
    kind: fc.constant('grant' as const),
    actor: fc.nat(5),
    role: fc.constantFrom(...ALL_ROLES),
    perm: fc.constantFrom(...PERMS),
  }),
  fc.record({
    kind: fc.constant('revoke' as const),
    actor: fc.nat(5),
    role: fc.constantFrom(...ALL_ROLES),
    perm: fc.constantFrom(...PERMS),
  }),
  fc.record({ kind: fc.constant('invite' as const), actor: fc.nat(5), role: fc.constantFrom(...ALL_ROLES) }),
);
/** The owner's set-up: delegations and revocations that make non-owners interesting. */
const ownerStep = fc.record({ grant: fc.boolean(), role, perm: fc.constantFrom(...PERMS) });

test('non-owners never raise anyone above their own role or permissions', () => {
  fc.assert(
    fc.property(
      fc.array(role, { minLength: 6, maxLength: 6 }),
      fc.array(ownerStep, { maxLength: 12 }),
      fc.array(op, { minLength: 1, maxLength: 40 }),
      (roles, setup, ops) => {
        const w = world();
        w.grants.ensureKnown([...PERMS], ['bot.config.reload']);
        const invites = new Invites(w.db, w.clock, w.people, w.access);
        const people = roles.map((r, i) => w.person(`telegram:${100 + i}`, r));
        for (const s of setup) {
          const r = s.grant ? w.management.grant(w.owner, s.role, s.perm) : w.management.revoke(w.owner, s.role, s.perm);
          assert.ok(r.ok, 'the owner may always change grants of stored roles');
        }
        let newcomer = 0;
        for (const o of ops) {
          const actor = w.access.resolve(people[o.actor % people.length]!.identity);
          if (!actor) continue;
          const everyone = () => w.people.all();
          const before = new Map(everyone().map((p) => [p.personId, { role: p.role, perms: new Set(w.access.permissionsOf(p.role)) }]));
          const actorPerms = new Set(w.access.permissionsOf(actor.role));
          const actorRank = roleRank(actor.role);
          assert.notEqual(actor.role, 'owner');

          let invited: string | undefined;
          if (o.kind === 'setRole') w.management.setRole(actor, people[o.target % people.length]!.identity, o.role);
          else if (o.kind === 'grant') w.management.grant(actor, o.role, o.perm);
          else if (o.kind === 'revoke') w.management.revoke(actor, o.role, o.perm);
          else {
            const made = invites.createInvite(actor, o.role, 3_600_000);
            if (made.ok) {
              invited = `discord:${++newcomer}`;
              assert.ok(invites.acceptInvite(made.code, invited, 'new').ok);
            }
          }

          for (const p of everyone()) {
            const was = before.get(p.personId);
            const perms = w.access.permissionsOf(p.role);
            if (was) {
              if (roleRank(p.role) > roleRank(was.role)) {
                assert.ok(roleRank(p.role) <= actorRank, `${actor.role} raised ${was.role} to ${p.role} via ${o.kind}`);
              }
              for (const perm of perms) {
                if (!was.perms.has(perm)) assert.ok(actorPerms.has(perm), `${actor.role} gave ${perm} to a ${p.role} via ${o.kind}`);
              }
              if (was.role !== 'owner') assert.notEqual(p.role, 'owner', 'a non-owner made an owner');
            } else {
              assert.ok(invited && p.identities.includes(invited), 'only an accepted invite adds a person');
              assert.ok(roleRank(p.role) <= actorRank, `${actor.role} invited a ${p.role}`);
              for (const perm of perms) assert.ok(actorPerms.has(perm), `${actor.role} invited someone holding ${perm}`);
            }
          }
        }
      },
    ),
    { numRuns: 300 },
  );
});

test('the property is not vacuous: delegated non-owners do succeed at changes', () => {
  const w = world();
  w.grants.ensureKnown([...PERMS]);
  w.management.grant(w.owner, 'admin', P.grantManage);
  const admin = w.person('telegram:10', 'admin');
  w.person('telegram:11', 'guest');
  assert.ok(w.management.setRole(admin, 'telegram:11', 'family').ok);
  assert.ok(w.management.grant(admin, 'family', 'proxmox.guest.power').ok);
  assert.ok(w.management.revoke(admin, 'guest', 'bot.help.read').ok);
  assert.ok(new Invites(w.db, w.clock, w.people, w.access).createInvite(admin, 'admin', 60_000).ok);
});
