import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { group, dm, world } from './helpers.ts';

describe('setRole', () => {
  const cases: { actor: 'owner' | 'admin' | 'family'; target: 'admin' | 'family' | 'guest'; to: string; want: string }[] = [
    { actor: 'owner', target: 'family', to: 'admin', want: 'ok' },
    { actor: 'owner', target: 'admin', to: 'guest', want: 'ok' },
    { actor: 'admin', target: 'guest', to: 'family', want: 'ok' },
    { actor: 'admin', target: 'family', to: 'admin', want: 'ok' },
    { actor: 'admin', target: 'family', to: 'owner', want: 'above-own-role' },
    { actor: 'admin', target: 'admin', to: 'guest', want: 'not-allowed' },
    { actor: 'family', target: 'guest', to: 'family', want: 'not-allowed' },
    { actor: 'owner', target: 'family', to: 'superuser', want: 'unknown-role' },
  ];
  for (const c of cases) {
    test(`${c.actor} sets a ${c.target} to ${c.to} → ${c.want}`, () => {
      const w = world();
      const actor = c.actor === 'owner' ? w.owner : w.person('telegram:10', c.actor);
      w.person('telegram:20', c.target);
      const r = w.management.setRole(actor, 'telegram:20', c.to);
      assert.equal(r.ok ? 'ok' : r.reason, c.want);
      assert.equal(w.access.resolve('telegram:20')?.role, c.want === 'ok' ? c.to : c.target);
    });
  }

  test('nobody below owner changes their own role', () => {
    const w = world();
    const admin = w.person('telegram:10', 'admin');
    assert.deepEqual(w.management.setRole(admin, 'telegram:10', 'owner'), { ok: false, reason: 'not-allowed' });
    assert.deepEqual(w.management.setRole(admin, 'telegram:10', 'family'), { ok: false, reason: 'not-allowed' });
  });

  test('a stale principal does not keep its old powers', () => {
    const w = world();
    const admin = w.person('telegram:10', 'admin');
    w.person('telegram:20', 'guest');
    w.management.setRole(w.owner, 'telegram:10', 'family');
    assert.deepEqual(w.management.setRole(admin, 'telegram:20', 'family'), { ok: false, reason: 'not-allowed' });
  });

  test('the last owner and configured owners stay owners', () => {
    const w = world({ owners: [] });
    const code = w.setup.createCode() as string;
    const claimed = w.setup.claim(code, 'telegram:5', 'Pat');
    assert.ok(claimed.ok);
    assert.deepEqual(w.management.setRole(claimed.principal, 'telegram:5', 'admin'), { ok: false, reason: 'last-owner' });
    const w2 = world();
    w2.management.setRole(w2.owner, w2.person('telegram:6', 'family').identity, 'owner');
    assert.deepEqual(w2.management.setRole(w2.fresh(w2.person('telegram:7', 'guest')), 'telegram:1', 'admin'), {
      ok: false,
      reason: 'not-allowed',
    });
    assert.deepEqual(w2.management.setRole(w2.fresh(w2.owner), 'telegram:1', 'admin'), { ok: false, reason: 'configured-owner' });
    assert.ok(w2.management.setRole(w2.owner, 'telegram:6', 'admin').ok, 'a second, unconfigured owner can be demoted');
  });

  test('forget removes a person and all identities', () => {
    const w = world();
    const fam = w.person('telegram:20', 'family');
    w.people.attach(fam.personId, 'discord:20', 'F');
    const admin = w.person('telegram:10', 'admin');
    assert.ok(w.management.forget(admin, 'discord:20').ok);
    assert.equal(w.access.resolve('telegram:20'), undefined);
    assert.equal(w.access.resolve('discord:20'), undefined);
    assert.deepEqual(w.management.forget(admin, 'telegram:1'), { ok: false, reason: 'not-allowed' });
  });
});

describe('grant and revoke', () => {
  test('owner grants and revokes for any stored role; owner itself is implicit', () => {
    const w = world();
    w.grants.ensureKnown(['proxmox.guest.power']);
    assert.deepEqual(w.management.grant(w.owner, 'family', 'proxmox.guest.power'), { ok: true, changed: true });
    assert.deepEqual(w.management.grant(w.owner, 'family', 'proxmox.guest.power'), { ok: true, changed: false });
    assert.deepEqual(w.management.grant(w.owner, 'owner', 'proxmox.guest.power'), { ok: false, reason: 'owner-implicit' });
    assert.deepEqual(w.management.grant(w.owner, 'family', 'proxmox.typo.power'), { ok: false, reason: 'unknown-permission' });
    assert.ok(w.access.roleHolds('family', 'proxmox.guest.power'));
  });

  test('revoke reports a weaker role that still grants the permission', () => {
    const w = world();
    assert.deepEqual(w.management.revoke(w.owner, 'admin', 'router.guest.qr'), { ok: true, changed: false, stillHeldVia: 'family' });
    assert.deepEqual(w.management.revoke(w.owner, 'family', 'router.guest.qr'), { ok: true, changed: true });
    assert.equal(w.access.roleHolds('admin', 'router.guest.qr'), false);
  });

  test('an admin without the owner-only grant permission cannot grant at all', () => {
    const w = world();
    const admin = w.person('telegram:10', 'admin');
    assert.deepEqual(w.management.grant(admin, 'guest', 'router.guest.qr'), { ok: false, reason: 'not-allowed' });
    assert.deepEqual(w.management.revoke(admin, 'family', 'router.guest.qr'), { ok: false, reason: 'not-allowed' });
  });

  test('a delegated admin grants only what they hold, to roles below admin, never owner-only', () => {
    const w = world();
    w.grants.ensureKnown(['proxmox.guest.power', 'bot.config.reload'], ['bot.config.reload']);
    assert.ok(w.management.grant(w.owner, 'admin', 'permissions.grant.manage').ok);
    assert.ok(w.management.grant(w.owner, 'admin', 'bot.config.reload').ok);
    assert.ok(w.management.revoke(w.owner, 'admin', 'proxmox.guest.power').ok);
    const admin = w.person('telegram:10', 'admin');
    assert.deepEqual(w.management.grant(admin, 'family', 'proxmox.guest.power'), { ok: false, reason: 'not-held' });
    assert.deepEqual(w.management.grant(admin, 'admin', 'router.guest.qr'), { ok: false, reason: 'not-allowed' });
    assert.deepEqual(w.management.grant(admin, 'family', 'bot.config.reload'), { ok: false, reason: 'owner-only' });
    assert.deepEqual(w.management.grant(admin, 'family', 'permissions.grant.manage'), { ok: false, reason: 'owner-only' });
    assert.deepEqual(w.management.grant(admin, 'family', 'permissions.audit.read'), { ok: true, changed: true });
    assert.deepEqual(w.management.revoke(admin, 'family', 'permissions.audit.read'), { ok: true, changed: true });
  });
});

describe('chat ceilings', () => {
  test('refused for private chats', () => {
    const w = world();
    assert.deepEqual(w.management.setChatCeiling(w.owner, dm(), 'family'), { ok: false, reason: 'private-chat' });
  });

  test('admin may lower a group but never lift a ceiling or set one above admin', () => {
    const w = world();
    const admin = w.person('telegram:10', 'admin');
    const g = group('-5');
    assert.deepEqual(w.management.setChatCeiling(admin, g, 'owner'), { ok: false, reason: 'above-own-role' });
    assert.deepEqual(w.management.setChatCeiling(admin, g, 'family'), { ok: true, effective: 'family', changed: true });
    assert.deepEqual(w.management.setChatCeiling(admin, g, 'admin'), { ok: true, previous: 'family', effective: 'admin', changed: true });
    assert.deepEqual(w.management.setChatCeiling(admin, g, null), { ok: false, reason: 'not-allowed' });
    assert.deepEqual(w.management.setChatCeiling(w.owner, g, null), { ok: true, previous: 'admin', changed: true });
    assert.equal(w.grants.chatCeiling(g), undefined);
  });

  test("a limit the owner set cannot be raised by an admin; in the group itself the owner acts with the group's role", () => {
    const w = world();
    const admin = w.person('telegram:10', 'admin');
    const g = group('-6');
    assert.ok(w.management.setChatCeiling(w.owner, g, 'family').ok);
    assert.deepEqual(w.management.setChatCeiling(admin, g, 'admin'), { ok: false, reason: 'not-allowed' });
    assert.deepEqual(w.management.setChatCeiling(admin, g, 'guest'), { ok: true, previous: 'family', effective: 'guest', changed: true });
    assert.deepEqual(w.management.setChatCeiling(w.owner, g, null, g), { ok: false, reason: 'not-allowed' });
    assert.deepEqual(w.management.setRole(w.owner, 'telegram:10', 'owner', g), { ok: false, reason: 'not-allowed' });
    assert.equal(w.access.resolve('telegram:10')?.role, 'admin');
  });

  test('a configured ceiling cannot be lifted from chat; the lower of both applies', async () => {
    const { openPermissions } = await import('../../src/permissions/open.ts');
    const w = world();
    const { access, management, grants } = openPermissions(w.db, w.clock, {
      owners: ['telegram:1'],
      chatCeilings: [{ chat: 'telegram:-9', maxRole: 'family' }],
    });
    const g = group('-9');
    const admin = w.person('telegram:10', 'admin');
    assert.equal(access.effectiveRole(admin, g), 'family');
    assert.deepEqual(management.setChatCeiling(w.owner, g, 'admin'), { ok: true, previous: 'family', effective: 'family', changed: false });
    assert.deepEqual(management.setChatCeiling(w.owner, g, 'guest'), { ok: true, previous: 'family', effective: 'guest', changed: true });
    assert.equal(access.effectiveRole(admin, g), 'guest');
    assert.deepEqual(management.setChatCeiling(w.owner, g, null), { ok: true, previous: 'guest', effective: 'family', changed: true });
    assert.deepEqual(grants.chatCeilings(), [{ chat: g, maxRole: 'family', fromConfig: true }]);
    assert.equal(access.effectiveRole(admin, group('-9', 'discord')), 'admin');
  });

  test('family cannot set ceilings', () => {
    const w = world();
    const fam = w.person('telegram:11', 'family');
    assert.deepEqual(w.management.setChatCeiling(fam, group(), 'guest'), { ok: false, reason: 'not-allowed' });
  });
});
