/**
 * Message keys are checked by the compiler: `npm run typecheck` compiles this file, and each
 * `@ts-expect-error` below is itself an error if the line it marks compiles (keys back to `string`).
 * The runtime assertions show what the compiler saves us from.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Messages, type KeySuffix, type MessageKey, type Translate } from '../../src/core/i18n.ts';
import type { Role } from '../../src/permissions/roles.ts';
import { allMessageFragments } from '../../src/wiring/messages.ts';

const messages = new Messages(allMessageFragments, { strict: true });
const t: Translate = messages.forLanguage('en');

/** True only when the two types are the same. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

describe('message keys at compile time', () => {
  test('MessageKey is the union of the fragments’ keys, not string', () => {
    const keyIsNotString: Same<MessageKey, string> = false;
    const stringIsNotAKey: string extends MessageKey ? true : false = false;
    const known: MessageKey = 'ups.status.battery';
    assert.equal(keyIsNotString, false);
    assert.equal(stringIsNotAKey, false);
    assert.equal(messages.has(known), true);
  });

  test('a misspelt key does not compile (and would throw in strict mode if it did)', () => {
    // @ts-expect-error 'ups.status.batery' is not a key of any fragment
    assert.throws(() => t('ups.status.batery'), /missing message key/);
    // @ts-expect-error neither is it a key for Messages.t
    assert.throws(() => messages.t('es', 'alerts.list.tittle'), /missing message key/);
  });

  test('a key built from a typed value compiles; one built from any string does not', () => {
    const role: Role = 'family';
    assert.equal(t(`role.${role}`), 'family');
    const anything: string = role;
    // @ts-expect-error `role.${string}` is wider than the keys that exist
    assert.equal(t(`role.${anything}`), 'family');
  });

  test('a plain string is a key only after Messages.has says so (the check for keys that arrive as data)', () => {
    const fromDatabase: string = JSON.parse('"alerts.backend.unreachable"') as string;
    // @ts-expect-error a stored string is not known to be a key
    t(fromDatabase, { backend: 'x' });
    assert.ok(messages.has(fromDatabase));
    if (messages.has(fromDatabase)) assert.match(t(fromDatabase, { backend: 'NAS' }), /NAS/);
  });

  test('KeySuffix lists what follows a prefix, so a reason code must have its text', () => {
    const reasons: Same<KeySuffix<'role.'>, Role> = true;
    // @ts-expect-error 'mayor' is not a role with a name
    const notARole: KeySuffix<'role.'> = 'mayor';
    assert.equal(reasons, true);
    assert.equal(messages.has(`role.${notARole}`), false);
  });
});
