import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dm, group, world } from './helpers.ts';
import { Approvals } from '../../src/permissions/approvals.ts';

const PERM = 'pihole.domain.allow';

function setup(ttlMs?: number) {
  const w = world();
  w.grants.ensureKnown([PERM]);
  const approvals = new Approvals(w.db, w.clock, w.access, ttlMs ? { ttlMs } : {});
  const kid = w.person('telegram:30', 'family', 'Kid');
  const admin = w.person('telegram:10', 'admin', 'Admin');
  const id = approvals.requestApproval({
    requester: kid,
    chat: group('-7'),
    command: 'allow',
    args: { domain: 'example.org' },
    permission: PERM,
  });
  return { w, approvals, kid, admin, id };
}

describe('approvals', () => {
  test('an admin holding the permission approves once; the request comes back intact', () => {
    const { approvals, admin, id, kid } = setup();
    const r = approvals.decide(id, admin, 'approve');
    assert.ok(r.ok);
    assert.equal(r.request.status, 'approved');
    assert.equal(r.request.decidedBy, 'telegram:10');
    assert.deepEqual(r.request.args, { domain: 'example.org' });
    assert.deepEqual(r.request.chat, group('-7'));
    assert.equal(r.requester.personId, kid.personId);
    assert.deepEqual(approvals.decide(id, admin, 'deny'), { ok: false, reason: 'already-decided' });
    assert.equal(approvals.get(id)?.status, 'approved');
  });

  test('a second admin cannot overturn a denial', () => {
    const { w, approvals, admin, id } = setup();
    assert.ok(approvals.decide(id, admin, 'deny').ok);
    assert.deepEqual(approvals.decide(id, w.owner, 'approve'), { ok: false, reason: 'already-decided' });
  });

  test('family cannot approve, nor an admin who lacks the permission', () => {
    const { w, approvals, admin, id } = setup();
    const otherFamily = w.person('telegram:31', 'family');
    assert.deepEqual(approvals.decide(id, otherFamily, 'approve'), { ok: false, reason: 'not-allowed' });
    w.management.revoke(w.owner, 'admin', PERM);
    assert.deepEqual(approvals.decide(id, admin, 'approve'), { ok: false, reason: 'not-allowed' });
    assert.ok(approvals.decide(id, w.owner, 'approve').ok, 'the owner always holds it');
  });

  test('an admin deciding in a family-ceiling group acts as family', () => {
    const { w, approvals, admin, id } = setup();
    w.management.setChatCeiling(w.owner, group('-8'), 'family');
    assert.deepEqual(approvals.decide(id, admin, 'approve', group('-8')), { ok: false, reason: 'not-allowed' });
    assert.ok(approvals.decide(id, admin, 'approve', dm('10')).ok);
  });

  test('nobody approves their own request', () => {
    const { w, approvals } = setup();
    const admin2 = w.person('telegram:11', 'admin');
    const own = approvals.requestApproval({ requester: admin2, chat: group('-8'), command: 'allow', args: {}, permission: PERM });
    assert.deepEqual(approvals.decide(own, admin2, 'approve'), { ok: false, reason: 'own-request' });
  });

  test('requests expire; unknown ids are refused', () => {
    const { w, approvals, admin, id } = setup(60_000);
    w.clock.advance(60_000);
    assert.deepEqual(approvals.decide(id, admin, 'approve'), { ok: false, reason: 'expired' });
    assert.deepEqual(approvals.decide(id + 100, admin, 'approve'), { ok: false, reason: 'unknown' });
    assert.deepEqual(approvals.pending(), []);
  });

  test('asking twice returns the same pending request', () => {
    const { approvals, kid, id } = setup();
    const again = approvals.requestApproval({
      requester: kid,
      chat: group('-7'),
      command: 'allow',
      args: { domain: 'example.org' },
      permission: PERM,
    });
    assert.equal(again, id);
    assert.equal(approvals.pending().length, 1);
  });

  test('a request whose requester was removed cannot be approved', () => {
    const { w, approvals, admin, id } = setup();
    w.management.forget(w.owner, 'telegram:30');
    assert.deepEqual(approvals.decide(id, admin, 'approve'), { ok: false, reason: 'requester-gone' });
  });

  test('approversFor lists staff whose role holds the permission', () => {
    const { w } = setup();
    assert.deepEqual(
      w.access.approversFor(PERM).map((p) => p.identity),
      ['telegram:1', 'telegram:10'],
    );
    w.management.revoke(w.owner, 'admin', PERM);
    assert.deepEqual(
      w.access.approversFor(PERM).map((p) => p.identity),
      ['telegram:1'],
    );
  });
});
