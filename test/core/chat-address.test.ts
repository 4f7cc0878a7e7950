/** Chat addresses: the one module that builds and parses `platform:id` and the SQLite chat key. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  chatAddress,
  chatStorageKey,
  formatAddress,
  IDENTITY_PATTERN,
  parseAddress,
  parseChatStorageKey,
  parseIdentity,
  platformOf,
  privateChatOf,
  type ChatRef,
} from '../../src/core/chat-address.ts';
import { configSchema } from '../../src/core/config-schema.ts';

test('parseAddress: platform and the rest (topics and colons stay in the id); unknown platforms and empty ids are refused', () => {
  const table: [string, ReturnType<typeof parseAddress>][] = [
    ['telegram:-100123', { platform: 'telegram', id: '-100123' }],
    ['telegram:-100123/7', { platform: 'telegram', id: '-100123/7' }],
    ['discord:42', { platform: 'discord', id: '42' }],
    ['console:main', { platform: 'console', id: 'main' }],
    ['console:a:b', { platform: 'console', id: 'a:b' }],
    ['slack:1', undefined],
    ['telegram:', undefined],
    ['telegram', undefined],
    ['', undefined],
  ];
  for (const [text, expected] of table) assert.deepEqual(parseAddress(text), expected, text);
});

test('parseIdentity is stricter than an address: no topic, no spaces, at most 64 characters', () => {
  assert.deepEqual(parseIdentity('telegram:123'), { platform: 'telegram', id: '123' });
  assert.equal(parseIdentity('telegram:-100123/7'), undefined);
  assert.equal(parseIdentity('discord:a b'), undefined);
  assert.equal(parseIdentity(`discord:${'1'.repeat(65)}`), undefined);
  assert.deepEqual(privateChatOf('discord:9'), { platform: 'discord', id: '9', kind: 'private' });
  assert.equal(privateChatOf('nobody'), undefined);
});

test('format and parse are inverses, for the address and for the stored key', () => {
  const chats: ChatRef[] = [
    { platform: 'telegram', id: '-100123', kind: 'group' },
    { platform: 'discord', id: '77', kind: 'private' },
    { platform: 'console', id: 'main', kind: 'private' },
  ];
  for (const chat of chats) {
    const address = chatAddress(chat);
    assert.equal(address, formatAddress(chat.platform, chat.id));
    assert.deepEqual(parseAddress(address), { platform: chat.platform, id: chat.id });
    assert.equal(platformOf(address), chat.platform);
    assert.deepEqual(parseChatStorageKey(chatStorageKey(chat)), chat);
  }
  assert.equal(chatStorageKey(chats[0]!), 'telegram:group:-100123');
  assert.equal(parseChatStorageKey('telegram:-100123'), undefined);
});

test('an identity is accepted or refused the same by parseIdentity and the config schema (one pattern, IDENTITY_PATTERN)', () => {
  const table: [string, boolean][] = [
    ['telegram:123456', true],
    ['discord:123456789012345678', true],
    ['console:owner', true],
    ['console:ana.garcia', true],
    ['telegram:-100123', true],
    ['telegram:@myname', false],
    ['telegram:-100123/7', false],
    ['telegram:12 34', false],
    ['slack:1', false],
    ['telegram:', false],
    [`discord:${'1'.repeat(65)}`, false],
  ];
  const ownerIssue = (identity: string) =>
    (configSchema.safeParse({ permissions: { owners: [identity] } }).error?.issues ?? []).some(
      (i) => i.path.join('.') === 'permissions.owners.0',
    );
  for (const [identity, valid] of table) {
    assert.equal(parseIdentity(identity) !== undefined, valid, `parseIdentity ${identity}`);
    assert.equal(IDENTITY_PATTERN.test(identity), valid, `pattern ${identity}`);
    assert.equal(!ownerIssue(identity), valid, `config permissions.owners ${identity}`);
  }
});
