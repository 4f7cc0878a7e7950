import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { arg, parseDuration, parseNamed, splitPositional, tokenize } from '../../src/handlers/args.ts';
import { testKey } from '../support/test-keys.ts';

describe('parseDuration', () => {
  const table: [string, number | undefined][] = [
    ['5', 5 * 60_000],
    ['90s', 90_000],
    ['5m', 300_000],
    ['5min', 300_000],
    ['1h30m', 5_400_000],
    ['1h 30m', 5_400_000],
    ['2d', 172_800_000],
    ['1w', 604_800_000],
    ['0m', undefined],
    ['', undefined],
    ['h', undefined],
    ['5 parsecs', undefined],
    ['1h; rm -rf /', undefined],
    ['-5m', undefined],
  ];
  for (const [input, expected] of table) {
    test(`GIVEN "${input}" THEN ${expected}`, () => assert.equal(parseDuration(input), expected));
  }
});

describe('argument parsers', () => {
  test('integer rejects non-numbers and out-of-range values', () => {
    const vmid = arg.integer({ descriptionKey: testKey('x'), min: 100, max: 999_999_999 });
    assert.deepEqual(vmid.parse('101'), { ok: true, value: 101 });
    assert.equal(vmid.parse('abc').ok, false);
    assert.equal(vmid.parse('1e3').ok, false);
    const low = vmid.parse('5');
    assert.equal(low.ok, false);
    if (!low.ok) assert.equal(low.error.key, 'args.outOfRange');
  });

  test('duration enforces its range', () => {
    const d = arg.duration({ descriptionKey: testKey('x'), minMs: 60_000, maxMs: 3_600_000 });
    assert.deepEqual(d.parse('30m'), { ok: true, value: 1_800_000 });
    const long = d.parse('2h');
    assert.equal(long.ok, false);
    if (!long.ok) assert.equal(long.error.key, 'args.durationRange');
  });

  test('choice is case-insensitive and returns the canonical value', () => {
    const c = arg.choice(['on', 'off'] as const, { descriptionKey: testKey('x') });
    assert.deepEqual(c.parse('ON'), { ok: true, value: 'on' });
    assert.equal(c.parse('maybe').ok, false);
  });

  test('string enforces pattern and length', () => {
    const s = arg.string({ descriptionKey: testKey('x'), maxLength: 5, pattern: /^[a-z]+$/ });
    assert.deepEqual(s.parse(' abc '), { ok: true, value: 'abc' });
    assert.equal(s.parse('abcdef').ok, false);
    assert.equal(s.parse('ab;c').ok, false);
  });
});

describe('positional splitting', () => {
  const defs = {
    domain: arg.string({ descriptionKey: testKey('x') }),
    duration: arg.duration({ descriptionKey: testKey('y'), required: false }),
  };

  test('tokenize honours quotes', () => {
    assert.deepEqual(tokenize(`a "b c" 'd e' f`), ['a', 'b c', 'd e', 'f']);
  });

  test('maps tokens to names in order, optional ones may be absent', () => {
    assert.deepEqual(splitPositional(defs, 'example.com 2h'), { ok: true, value: { domain: 'example.com', duration: '2h' } });
    assert.deepEqual(splitPositional(defs, 'example.com'), { ok: true, value: { domain: 'example.com' } });
  });

  test('too many tokens is an error', () => {
    const r = splitPositional(defs, 'a 1h extra');
    assert.equal(r.ok, false);
  });

  test('a rest argument swallows the remaining text', () => {
    const r = splitPositional({ text: arg.string({ descriptionKey: testKey('x'), rest: true }) }, 'hello big world');
    assert.deepEqual(r, { ok: true, value: { text: 'hello big world' } });
  });

  test('parseNamed reports the missing argument by name', () => {
    const r = parseNamed(defs, {});
    assert.equal(r.ok, false);
    if (!r.ok) assert.deepEqual(r.error, { key: 'args.missing', params: { name: 'domain' } });
  });

  test('parseNamed parses typed values', () => {
    const r = parseNamed(defs, { domain: 'a.com', duration: '1h' });
    assert.deepEqual(r, { ok: true, value: { domain: 'a.com', duration: 3_600_000 } });
  });
});
