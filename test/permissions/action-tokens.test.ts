import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { dm, world } from './helpers.ts';
import { ActionTokens } from '../../src/permissions/action-tokens.ts';

function setup() {
  const w = world();
  return { w, tokens: new ActionTokens(w.db, w.clock) };
}
const base = { command: 'vm-start', args: { vmid: '101' }, chat: dm('2'), ttlMs: 60_000 };

describe('action tokens', () => {
  test('fits Telegram callback_data and round-trips the action', () => {
    const { tokens } = setup();
    const t = tokens.create({ ...base, oneShot: false });
    assert.ok(Buffer.byteLength(`a:${t}`) <= 64);
    assert.ok(t.length <= 24);
    assert.match(t, /^[A-Za-z0-9_-]+$/);
    assert.deepEqual(tokens.take(t, 'telegram:2'), { ok: true, command: 'vm-start', args: { vmid: '101' }, chat: dm('2') });
  });

  test('the database never stores the token itself', () => {
    const { w, tokens } = setup();
    const t = tokens.create({ ...base, oneShot: true });
    const dump = JSON.stringify(w.db.prepare('SELECT * FROM action_tokens').all());
    assert.equal(dump.includes(t), false);
  });

  test('tampered and garbage tokens are unknown', () => {
    const { tokens } = setup();
    const t = tokens.create({ ...base, oneShot: false });
    const flipped = t.slice(0, 5) + (t[5] === 'x' ? 'y' : 'x') + t.slice(6);
    for (const bad of [flipped, t + 'A', '', 'a'.repeat(22), '../../etc', `${t.slice(0, 21)}*`]) {
      assert.deepEqual(tokens.take(bad, 'telegram:2'), { ok: false, reason: 'unknown' }, bad);
    }
  });

  test('a one-shot token works once; a reusable one keeps working', () => {
    const { tokens } = setup();
    const once = tokens.create({ ...base, oneShot: true });
    const many = tokens.create({ ...base, oneShot: false });
    assert.ok(tokens.take(once, 'telegram:2').ok);
    assert.deepEqual(tokens.take(once, 'telegram:2'), { ok: false, reason: 'used' });
    assert.ok(tokens.take(many, 'telegram:2').ok);
    assert.ok(tokens.take(many, 'telegram:2').ok);
  });

  test('expiry at exactly ttl', () => {
    const { w, tokens } = setup();
    const t = tokens.create({ ...base, oneShot: true });
    w.clock.advance(59_999);
    const u = tokens.create({ ...base, oneShot: true });
    w.clock.advance(1);
    assert.deepEqual(tokens.take(t, 'telegram:2'), { ok: false, reason: 'expired' });
    assert.ok(tokens.take(u, 'telegram:2').ok);
  });

  test('a personal button pressed by someone else is not theirs and stays usable', () => {
    const { w, tokens } = setup();
    w.person('telegram:2', 'admin');
    w.person('telegram:3', 'admin');
    const t = tokens.create({ ...base, allowedIdentity: 'telegram:2', oneShot: true });
    assert.deepEqual(tokens.take(t, 'telegram:3'), { ok: false, reason: 'not-yours' });
    assert.ok(tokens.take(t, 'telegram:2').ok, 'the stranger did not burn it');
  });

  test('an open button may be pressed by anyone (the pipeline then checks their permission)', () => {
    const { tokens } = setup();
    const t = tokens.create({ ...base, oneShot: true });
    assert.ok(tokens.take(t, 'discord:77').ok);
  });

  test('revokeWhere closes the sibling buttons of a finished flow', () => {
    const { tokens } = setup();
    const approve = tokens.create({
      command: 'approval-decide',
      args: { id: '7', decision: 'approve' },
      chat: dm(),
      ttlMs: 1000,
      oneShot: true,
    });
    const other = tokens.create({
      command: 'approval-decide',
      args: { id: '8', decision: 'approve' },
      chat: dm(),
      ttlMs: 1000,
      oneShot: true,
    });
    assert.equal(tokens.revokeWhere('approval-decide', 'id', '7'), 1);
    assert.deepEqual(tokens.take(approve, 'telegram:1'), { ok: false, reason: 'used' });
    assert.ok(tokens.take(other, 'telegram:1').ok);
  });

  test('a re-pressable button made again soon reuses its token (no new row); one-shot buttons never do', () => {
    const { w, tokens } = setup();
    const rows = (): number => (w.db.prepare('SELECT count(*) AS n FROM action_tokens').get() as { n: number }).n;
    const first = tokens.create({ ...base, oneShot: false });
    w.clock.advance(30_000);
    assert.equal(tokens.create({ ...base, oneShot: false }), first, 'half the lifetime left: same token');
    assert.equal(rows(), 1);
    assert.notEqual(tokens.create({ ...base, args: { vmid: '102' }, oneShot: false }), first, 'other arguments: another token');
    assert.notEqual(tokens.create({ ...base, chat: dm('3'), oneShot: false }), first, 'another chat: another token');
    assert.notEqual(tokens.create({ ...base, oneShot: true }), tokens.create({ ...base, oneShot: true }), 'one-shot: always new');
    w.clock.advance(1);
    const fresh = tokens.create({ ...base, oneShot: false });
    assert.notEqual(fresh, first, 'less than half its lifetime left: a fresh token');
    assert.ok(tokens.take(first, 'telegram:2').ok, 'the reused token still works until it expires');
    w.clock.advance(30_000);
    assert.deepEqual(tokens.take(first, 'telegram:2'), { ok: false, reason: 'expired' });
    assert.ok(tokens.take(fresh, 'telegram:2').ok);
  });

  test('two re-pressable buttons share a token exactly when action, arguments, chat, presser and lifetime are the same', () => {
    // Texts made of the characters a key could be confused by (separators, digits, length prefixes).
    const text = fc.string({ unit: fc.constantFrom('a', '1', ':'), maxLength: 2 });
    const spec = fc.record({
      command: fc.constantFrom('vm', 'vm1'),
      args: fc.dictionary(text, text, { maxKeys: 2 }),
      allowedIdentity: fc.option(text, { nil: undefined }),
      chat: fc.constantFrom(dm('2'), dm('3')),
      ttlMs: fc.constantFrom(60_000, 600_000),
    });
    fc.assert(
      fc.property(spec, spec, (a, b) => {
        const { tokens } = setup();
        // Tiny alphabets make near-identical specs common: only those can confuse a careless key.
        const same =
          JSON.stringify([a.command, a.args, a.allowedIdentity ?? null, a.chat, a.ttlMs]) ===
          JSON.stringify([b.command, b.args, b.allowedIdentity ?? null, b.chat, b.ttlMs]);
        assert.equal(tokens.create({ ...a, oneShot: false }) === tokens.create({ ...b, oneShot: false }), same);
      }),
      { numRuns: 2000 },
    );
  });

  test('rows expired for over a week are swept, at most once a minute', () => {
    const { w, tokens } = setup();
    const rows = (): number => (w.db.prepare('SELECT count(*) AS n FROM action_tokens').get() as { n: number }).n;
    const week = 7 * 24 * 3_600_000;
    tokens.create({ ...base, ttlMs: 1, oneShot: true });
    tokens.create({ ...base, ttlMs: 60_500, oneShot: true });
    w.clock.advance(week + 60_000);
    tokens.create({ ...base, oneShot: true });
    assert.equal(rows(), 2, 'the row expired over a week ago is swept');
    w.clock.advance(1000);
    tokens.create({ ...base, oneShot: true });
    assert.equal(rows(), 3, 'the second row is now a week expired, but the last sweep was a second ago');
    w.clock.advance(60_000);
    tokens.create({ ...base, oneShot: true });
    assert.equal(rows(), 3, 'a minute later it is swept');
  });
});
