import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dm, group, world } from './helpers.ts';
import { ROLES, type Role } from '../../src/permissions/roles.ts';
import type { ChatRef } from '../../src/permissions/access.ts';
import { openPermissions } from '../../src/permissions/open.ts';

describe('effectiveRole and can() with chat ceilings', () => {
  const w = world();
  w.grants.ensureKnown(['proxmox.guest.power', 'router.guest.qr', 'bot.help.read']);
  const people: Record<Role, ReturnType<typeof w.person>> = {
    owner: w.owner,
    admin: w.person('telegram:2', 'admin'),
    family: w.person('telegram:3', 'family'),
    guest: w.person('telegram:4', 'guest'),
  };
  const chats: Record<string, ChatRef> = {
    private: dm(),
    'group, no ceiling': group('-1'),
    'group, ceiling family': group('-2'),
    'group, ceiling guest': group('-3'),
    'group, ceiling admin': group('-4'),
  };
  w.management.setChatCeiling(w.owner, chats['group, ceiling family']!, 'family');
  w.management.setChatCeiling(w.owner, chats['group, ceiling guest']!, 'guest');
  w.management.setChatCeiling(w.owner, chats['group, ceiling admin']!, 'admin');

  // Rows: person role; columns in the order of `chats`.
  const effective: Record<Role, Role[]> = {
    owner: ['owner', 'owner', 'family', 'guest', 'admin'],
    admin: ['admin', 'admin', 'family', 'guest', 'admin'],
    family: ['family', 'family', 'family', 'guest', 'family'],
    guest: ['guest', 'guest', 'guest', 'guest', 'guest'],
  };
  for (const role of ROLES) {
    Object.keys(chats).forEach((name, i) => {
      test(`${role} in ${name} acts as ${effective[role][i]}`, () => {
        assert.equal(w.access.effectiveRole(people[role], chats[name]!), effective[role][i]);
      });
    });
  }

  // What each effective role may do, by permission.
  const allowed: Record<string, Role[]> = {
    'permissions.grant.manage': ['owner'],
    'proxmox.guest.power': ['owner', 'admin'],
    'router.guest.qr': ['owner', 'admin', 'family'],
    'bot.help.read': ['owner', 'admin', 'family', 'guest'],
    'never.registered.thing': ['owner'],
  };
  for (const role of ROLES) {
    Object.keys(chats).forEach((name, i) => {
      for (const [perm, roles] of Object.entries(allowed)) {
        const want = roles.includes(effective[role][i]!);
        test(`${role} in ${name}: ${perm} → ${want ? 'allowed' : 'denied'}`, () => {
          assert.equal(w.access.can(people[role], chats[name]!, perm as `${string}.${string}.${string}`), want);
        });
      }
    });
  }

  test('a ceiling on a group does not affect the same id as a private chat or another platform', () => {
    assert.equal(w.access.effectiveRole(people.admin, { platform: 'telegram', id: '-2', kind: 'private' }), 'admin');
    assert.equal(w.access.effectiveRole(people.admin, { platform: 'discord', id: '-2', kind: 'group' }), 'admin');
  });
});

describe('identities and config owners', () => {
  test('unknown identity resolves to undefined; config owner exists from the start', () => {
    const w = world({ owners: ['telegram:1', 'discord:9'] });
    assert.equal(w.access.resolve('telegram:999'), undefined);
    assert.equal(w.access.resolve('telegram:1')?.role, 'owner');
    assert.equal(w.access.resolve('discord:9')?.role, 'owner');
  });

  test('a configured owner stored with a lower role is raised at start-up', () => {
    const w = world();
    w.person('telegram:5', 'family');
    const again = openPermissions(w.db, w.clock, { owners: ['telegram:5'] }).access;
    assert.equal(again.resolve('telegram:5')?.role, 'owner');
  });

  test('malformed owner identities are a start-up error', () => {
    const w = world();
    assert.throws(() => openPermissions(w.db, w.clock, { owners: ['123'] }), /platform:id/);
  });

  test('findPerson by #id, identity and unique name', () => {
    const w = world();
    const a = w.person('telegram:7', 'family', 'Ana');
    w.person('telegram:8', 'family', 'Bo');
    w.person('telegram:9', 'guest', 'Bo');
    assert.equal(w.people.find(`#${a.personId}`)?.identities[0], 'telegram:7');
    assert.equal(w.people.find('telegram:7')?.displayName, 'Ana');
    assert.equal(w.people.find('ana')?.personId, a.personId);
    assert.equal(w.people.find('Bo'), undefined, 'ambiguous names match nobody');
  });
});

describe('known permissions and default grants', () => {
  test('migration seeds household defaults', () => {
    const w = world();
    const fam = w.person('telegram:3', 'family');
    const guest = w.person('telegram:4', 'guest');
    for (const p of ['router.guest.qr', 'pihole.domain.allow-temporary', 'proxmox.status.read', 'bot.help.read'] as const) {
      assert.ok(w.access.can(fam, dm(), p), p);
    }
    assert.deepEqual(w.access.permissionsOf('guest'), ['bot.help.read', 'bot.session.start']);
    assert.equal(w.access.can(guest, dm(), 'router.guest.qr'), false);
  });

  test('new permissions go to admin (status reads to family); owner-only ones to nobody', () => {
    const w = world();
    w.grants.ensureKnown(['proxmox.guest.power', 'frigate.status.read', 'bot.config.reload'], ['bot.config.reload']);
    assert.ok(w.access.roleHolds('admin', 'proxmox.guest.power'));
    assert.equal(w.access.roleHolds('family', 'proxmox.guest.power'), false);
    assert.ok(w.access.roleHolds('family', 'frigate.status.read'));
    assert.equal(w.access.roleHolds('admin', 'bot.config.reload'), false);
    assert.equal(w.access.roleHolds('admin', 'permissions.grant.manage'), false);
    assert.ok(w.grants.isOwnerOnly('bot.config.reload'));
  });

  test('a revocation survives the next start-up registration', () => {
    const w = world();
    w.grants.ensureKnown(['proxmox.guest.power']);
    assert.ok(w.management.revoke(w.owner, 'admin', 'proxmox.guest.power').ok);
    w.grants.ensureKnown(['proxmox.guest.power']);
    assert.equal(w.access.roleHolds('admin', 'proxmox.guest.power'), false);
  });

  test('malformed command permissions refuse to register', () => {
    const w = world();
    assert.throws(() => w.grants.ensureKnown(['proxmox.power']), /malformed permission/);
  });
});

describe('rate limit, strangers, language', () => {
  test('per-identity limit over a sliding minute', () => {
    const w = world({ perMinute: 3 });
    for (let i = 0; i < 3; i++) assert.equal(w.access.consumeRateLimit('telegram:2'), 'allowed');
    assert.equal(w.access.consumeRateLimit('telegram:2'), 'refused', 'told once');
    assert.equal(w.access.consumeRateLimit('telegram:3'), 'allowed', 'other identities are not affected');
    w.clock.advance(59_999);
    assert.equal(w.access.consumeRateLimit('telegram:2'), 'refused-quietly', 'not told again within the minute');
    w.clock.advance(1);
    assert.equal(w.access.consumeRateLimit('telegram:2'), 'allowed');
  });

  test('unknown user: first exactly once per identity', () => {
    const w = world();
    assert.equal(w.people.noteStranger('telegram:50', 'X'), 'first');
    assert.equal(w.people.noteStranger('telegram:50', 'X'), 'seen');
    assert.equal(w.people.noteStranger('discord:50', 'X'), 'first');
  });

  test('language for known users only, shared across linked identities', () => {
    const w = world();
    const a = w.person('telegram:2', 'family');
    w.people.attach(a.personId, 'discord:2', 'A');
    assert.equal(w.access.getLanguage('telegram:2'), undefined);
    assert.ok(w.people.setLanguage('telegram:2', 'es'));
    assert.equal(w.access.getLanguage('discord:2'), 'es');
    assert.equal(w.people.setLanguage('telegram:404', 'es'), false);
    assert.equal(w.access.getLanguage('telegram:404'), undefined);
  });
});

describe('setup code', () => {
  test('only without any owner; one-time; makes the sender owner', () => {
    const w = world({ owners: [] });
    const code = w.setup.createCode();
    assert.ok(code);
    assert.equal(w.setup.claim('WRONG00000', 'telegram:5', 'Eve').ok, false);
    const claimed = w.setup.claim(code.toLowerCase(), 'telegram:5', 'Pat');
    assert.ok(claimed.ok);
    assert.equal(w.access.resolve('telegram:5')?.role, 'owner');
    assert.deepEqual(w.setup.claim(code, 'telegram:6', 'Eve'), { ok: false, reason: 'used' });
    assert.equal(w.access.resolve('telegram:6'), undefined);
    assert.equal(w.setup.createCode(), undefined, 'no new code once an owner exists');
  });

  test('no code when an owner is configured', () => {
    assert.equal(world().setup.createCode(), undefined);
  });

  test('a newer code replaces an older one; codes expire', () => {
    const w = world({ owners: [] });
    const first = w.setup.createCode() as string;
    const second = w.setup.createCode(1000) as string;
    assert.deepEqual(w.setup.claim(first, 'telegram:5', 'A'), { ok: false, reason: 'unknown' });
    w.clock.advance(1000);
    assert.deepEqual(w.setup.claim(second, 'telegram:5', 'A'), { ok: false, reason: 'expired' });
  });
});
