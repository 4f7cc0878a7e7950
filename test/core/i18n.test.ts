import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Messages, pickLanguage } from '../../src/core/i18n.ts';
import { allMessageFragments } from '../../src/wiring/messages.ts';

describe('message catalogues', () => {
  const messages = new Messages(allMessageFragments, { strict: true });

  test('every fragment has the same keys in English and Spanish, none empty', () => {
    for (const f of allMessageFragments) {
      assert.deepEqual(Object.keys(f.es).sort(), Object.keys(f.en).sort());
      for (const [k, v] of [...Object.entries(f.en), ...Object.entries(f.es)]) assert.ok(v.trim().length > 0, `empty text for ${k}`);
    }
  });

  test('placeholders are the same in both languages', () => {
    const names = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const f of allMessageFragments) {
      for (const k of Object.keys(f.en)) assert.deepEqual(names(f.es[k] ?? ''), names(f.en[k] ?? ''), `placeholders differ for ${k}`);
    }
  });

  test('a missing key fails loudly in strict mode', () => {
    assert.throws(() => messages.t('en', 'no.such.key'), /missing message key/);
  });

  test('parameters are interpolated', () => {
    assert.equal(messages.t('es', 'pipeline.unknownCommand', { name: 'x' }), 'No conozco /x. Envía /help para ver lo que puedes hacer.');
  });

  test('language codes map to supported languages', () => {
    assert.equal(pickLanguage('es-ES'), 'es');
    assert.equal(pickLanguage('en_GB'), 'en');
    assert.equal(pickLanguage('fr'), 'en');
    assert.equal(pickLanguage(undefined, 'es'), 'es');
  });
});
