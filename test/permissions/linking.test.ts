import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { world } from './helpers.ts';
import { Linking, LINK_TTL_MS } from '../../src/permissions/linking.ts';

describe('linking identities', () => {
  test('a stranger on the other platform joins the person; the code is one-time', () => {
    const w = world();
    const link = new Linking(w.db, w.clock, w.people);
    const ana = w.person('telegram:30', 'family', 'Ana');
    w.people.setLanguage('telegram:30', 'es');
    const { code, expiresAt } = link.createLinkCode(ana);
    assert.equal(expiresAt, w.clock.now() + LINK_TTL_MS);
    const r = link.redeemLinkCode(code, 'discord:30', 'ana#1');
    assert.ok(r.ok);
    assert.equal(r.principal.personId, ana.personId);
    assert.equal(r.principal.role, 'family');
    assert.equal(r.principal.language, 'es');
    assert.deepEqual(link.redeemLinkCode(code, 'console:x', 'x'), { ok: false, reason: 'used' });
  });

  test('same platform, expired and unknown codes are refused', () => {
    const w = world();
    const link = new Linking(w.db, w.clock, w.people);
    const ana = w.person('telegram:30', 'family');
    const { code } = link.createLinkCode(ana);
    assert.deepEqual(link.redeemLinkCode(code, 'telegram:31', 'x'), { ok: false, reason: 'same-platform' });
    assert.deepEqual(link.redeemLinkCode('ZZZZZZZZ', 'discord:30', 'x'), { ok: false, reason: 'unknown' });
    w.clock.advance(LINK_TTL_MS);
    assert.deepEqual(link.redeemLinkCode(code, 'discord:30', 'x'), { ok: false, reason: 'expired' });
    assert.equal(w.access.resolve('discord:30'), undefined);
  });

  test('a new code replaces the previous one', () => {
    const w = world();
    const link = new Linking(w.db, w.clock, w.people);
    const ana = w.person('telegram:30', 'family');
    const first = link.createLinkCode(ana).code;
    link.createLinkCode(ana);
    assert.deepEqual(link.redeemLinkCode(first, 'discord:30', 'x'), { ok: false, reason: 'unknown' });
  });

  test('a known identity of another person merges only with the same role', () => {
    const w = world();
    const link = new Linking(w.db, w.clock, w.people);
    const ana = w.person('telegram:30', 'family');
    const anaDiscord = w.person('discord:30', 'family');
    const admin = w.person('discord:40', 'admin');
    assert.deepEqual(link.redeemLinkCode(link.createLinkCode(ana).code, admin.identity, 'x'), { ok: false, reason: 'role-mismatch' });
    const merged = link.redeemLinkCode(link.createLinkCode(ana).code, anaDiscord.identity, 'x');
    assert.ok(merged.ok);
    assert.equal(merged.principal.personId, ana.personId);
    assert.equal(w.people.find(anaDiscord.personId), undefined, 'the emptied person is gone');
    assert.deepEqual(link.redeemLinkCode(link.createLinkCode(ana).code, 'discord:30', 'x'), { ok: false, reason: 'already-linked' });
  });

  test('a button for one identity may be pressed from a linked one (same person)', async () => {
    const { ActionTokens } = await import('../../src/permissions/action-tokens.ts');
    const w = world();
    const link = new Linking(w.db, w.clock, w.people);
    const ana = w.person('telegram:30', 'family');
    assert.ok(link.redeemLinkCode(link.createLinkCode(ana).code, 'discord:30', 'x').ok);
    const tokens = new ActionTokens(w.db, w.clock);
    const t = tokens.create({
      command: 'status',
      args: {},
      allowedIdentity: 'telegram:30',
      chat: { platform: 'telegram', id: '30', kind: 'private' },
      ttlMs: 1000,
      oneShot: false,
    });
    assert.ok(tokens.take(t, 'discord:30').ok);
  });

  test('at most one identity per platform: a second account (or a stranger) cannot take the role', () => {
    const w = world();
    const link = new Linking(w.db, w.clock, w.people);
    const ana = w.person('telegram:30', 'family');
    assert.ok(link.redeemLinkCode(link.createLinkCode(ana).code, 'discord:30', 'x').ok);
    // A family member's fresh code cannot enrol a second Discord account (nor a Telegram one).
    const again = link.createLinkCode(ana).code;
    assert.deepEqual(link.redeemLinkCode(again, 'discord:31', 'stranger'), { ok: false, reason: 'platform-taken' });
    assert.equal(w.access.resolve('discord:31'), undefined, 'the stranger stays a stranger');
    // A merge that would leave two identities on one platform is refused too.
    const bob = w.person('console:40', 'family');
    w.people.attach(bob.personId, 'discord:41', 'bob');
    assert.deepEqual(link.redeemLinkCode(link.createLinkCode(bob).code, 'telegram:30', 'x'), { ok: false, reason: 'platform-taken' });
    assert.equal(w.access.resolve('telegram:30')?.personId, ana.personId);
  });

  test('the redeem result names the identity that made the code (for the owner notice)', () => {
    const w = world();
    const link = new Linking(w.db, w.clock, w.people);
    const ana = w.person('telegram:30', 'family');
    const r = link.redeemLinkCode(link.createLinkCode(ana).code, 'discord:30', 'x');
    assert.ok(r.ok);
    assert.equal(r.from, 'telegram:30');
  });
});
