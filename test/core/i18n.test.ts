import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { Messages, pickLanguage, type Language, type Params } from '../../src/core/i18n.ts';
import { allMessageFragments } from '../../src/wiring/messages.ts';
import { proxmoxMessages } from '../../src/handlers/proxmox/messages.ts';
import { testKey } from '../support/test-keys.ts';

describe('message catalogues', () => {
  const messages = new Messages(allMessageFragments, { strict: true });

  test('every fragment has the same keys in English and Spanish, none empty', () => {
    for (const f of allMessageFragments) {
      assert.deepEqual(Object.keys(f.es).sort(), Object.keys(f.en).sort());
      for (const [k, v] of [...Object.entries(f.en), ...Object.entries(f.es)]) assert.ok(v.trim().length > 0, `empty text for ${k}`);
    }
  });

  test('placeholders are the same in both languages', () => {
    // Which placeholders, not how often: a language may need a plural twice (Spanish agrees the verb too).
    const names = (s: string) => [...new Set([...s.matchAll(/\{(\w+)(?:\}|,\s*plural,)/g)].map((m) => m[1]))].sort();
    for (const f of allMessageFragments) {
      for (const k of Object.keys(f.en)) assert.deepEqual(names(f.es[k] ?? ''), names(f.en[k] ?? ''), `placeholders differ for ${k}`);
    }
  });

  test('a missing key fails loudly in strict mode', () => {
    assert.throws(() => messages.t('en', testKey('no.such.key')), /missing message key/);
  });

  test('parameters are interpolated', () => {
    assert.equal(messages.t('es', 'pipeline.unknownCommand', { name: 'x' }), 'No conozco /x. Envía /help para ver lo que puedes hacer.');
  });

  test('a count picks the plural form of the language (Intl.PluralRules), with # as the count', () => {
    const m = new Messages([
      {
        en: { 'x.left': '{n, plural, =0 {nothing left} one {# file left in {dir}} other {# files left in {dir}}}.' },
        es: { 'x.left': '{n, plural, =0 {no queda nada} one {queda # archivo en {dir}} other {quedan # archivos en {dir}}}.' },
      },
    ]);
    assert.equal(m.t('en', testKey('x.left'), { n: 0, dir: 'a' }), 'nothing left.');
    assert.equal(m.t('en', testKey('x.left'), { n: 1, dir: 'a' }), '1 file left in a.');
    assert.equal(m.t('en', testKey('x.left'), { n: 2, dir: 'a' }), '2 files left in a.');
    assert.equal(m.t('es', testKey('x.left'), { n: 1, dir: 'b' }), 'queda 1 archivo en b.');
    assert.equal(m.t('es', testKey('x.left'), { n: 5, dir: 'b' }), 'quedan 5 archivos en b.');
  });

  test('counts in the catalogues agree with the number (no "1 terminadas", no "1 more known devices")', () => {
    assert.equal(
      messages.t('es', 'downloads.status.line', { downloading: 0, seeding: 1, down: '0 B' }),
      '0 descargando, 1 terminada, ↓ 0 B/s',
    );
    assert.equal(
      messages.t('es', 'downloads.status.line', { downloading: 0, seeding: 2, down: '0 B' }),
      '0 descargando, 2 terminadas, ↓ 0 B/s',
    );
    assert.equal(messages.t('en', 'router.devices.inactive', { n: 1 }), '1 more known device is not connected right now.');
    assert.equal(messages.t('en', 'router.devices.inactive', { n: 3 }), '3 more known devices are not connected right now.');
    assert.equal(messages.t('es', 'router.devices.inactive', { n: 1 }), 'Otro dispositivo conocido no está conectado ahora mismo.');
    assert.equal(messages.t('es', 'router.devices.inactive', { n: 3 }), 'Otros 3 dispositivos conocidos no están conectados ahora mismo.');
    assert.equal(messages.t('en', 'nas.status.disksBad', { count: 1 }), '1 disk needs attention');
    assert.equal(messages.t('es', 'nas.status.disksBad', { count: 2 }), '2 discos requieren atención');
    assert.equal(messages.t('en', 'alerts.digest.active', { count: 1 }), '1 alert active — see /alerts.');
    assert.equal(messages.t('es', 'age.days', { n: 1 }), 'hace 1 día');
  });

  test('no catalogue text leaves a count as a bare "(s)"', () => {
    for (const f of allMessageFragments) for (const [k, v] of Object.entries(f.en)) assert.doesNotMatch(v, /\}\s+\w+\(s\)/, `${k}: ${v}`);
  });

  test('a Proxmox guest is a "máquina" in Spanish, never "invitado" (that is the guest WiFi)', () => {
    for (const [k, v] of Object.entries(proxmoxMessages.es)) assert.doesNotMatch(v, /invitad/i, `${k}: ${v}`);
    assert.equal(messages.t('es', 'proxmox.guests.title', { node: 'pve' }), 'Máquinas virtuales y contenedores en pve');
  });

  test('texts are parsed once and render as parsing them every time did (every catalogue text, generated texts)', () => {
    const values: readonly (string | number)[] = [0, 1, 2, 5, 21, 1.5, 'x', '{n}', '#', 'a {b} c'];
    for (const f of allMessageFragments) {
      for (const lang of ['en', 'es'] as const) {
        for (const [key, text] of Object.entries(f[lang])) {
          assert.ok(messages.has(key), key);
          const names = [...new Set([...text.matchAll(/\{(\w+)/g)].map((m) => m[1]!))];
          for (const [i, v] of values.entries()) {
            const params = Object.fromEntries(names.map((n, j) => [n, values[(i + j) % values.length]!]));
            // Twice: the second render comes from the parsed form.
            assert.equal(messages.t(lang, key, params), reference(lang, text, params), `${key} with ${JSON.stringify(params)}`);
            assert.equal(messages.t(lang, key, params), reference(lang, text, params));
            if (v === 0) assert.equal(messages.t(lang, key), reference(lang, text, {}));
          }
        }
      }
    }
    const piece = fc.constantFrom(
      '{n, plural, one {# a {x}} other {# b}}',
      '{n, plural, =0 {none} other {#}}',
      '{x}',
      '{y}',
      'txt ',
      '#',
      '{',
      '}',
      ' ',
      '{n, plural, one {',
    );
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 8 }),
        fc.constantFrom<Language>('en', 'es'),
        fc.option(fc.integer({ min: -2, max: 30 })),
        (parts, lang, n) => {
          const text = parts.join('');
          const m = new Messages([{ en: { k: text }, es: { k: text } }]);
          const params: Params = n === null ? { x: 'X' } : { n, x: 'X#{y}' };
          assert.equal(m.t(lang, testKey('k'), params), reference(lang, text, params));
          assert.equal(m.t(lang, testKey('k'), params), reference(lang, text, params));
        },
      ),
    );
  });

  test('language codes map to supported languages', () => {
    assert.equal(pickLanguage('es-ES'), 'es');
    assert.equal(pickLanguage('en_GB'), 'en');
    assert.equal(pickLanguage('fr'), 'en');
    assert.equal(pickLanguage(undefined, 'es'), 'es');
  });
});

/** The renderer as it was before texts were parsed once: the oracle for the parsed form. */
function reference(lang: Language, text: string, params: Params): string {
  const start = /\{(\w+),\s*plural,/g;
  let out = '';
  let from = 0;
  for (let m = start.exec(text); m; m = start.exec(text)) {
    const block = referenceOptions(text, m.index + m[0].length);
    if (!block) break;
    const count = Number(params[m[1] ?? '']);
    let form = m[0];
    if (Number.isFinite(count)) {
      const rule = new Intl.PluralRules(lang).select(count);
      form = (block.options.get(`=${count}`) ?? block.options.get(rule) ?? block.options.get('other') ?? '').replace(/#/g, String(count));
    }
    out += text.slice(from, m.index) + form;
    from = block.end;
    start.lastIndex = block.end;
  }
  out += text.slice(from);
  return out.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

function referenceOptions(text: string, start: number): { options: Map<string, string>; end: number } | undefined {
  const options = new Map<string, string>();
  let i = start;
  for (;;) {
    while (/\s/.test(text[i] ?? '')) i++;
    if (text[i] === '}') return { options, end: i + 1 };
    const key = /^(=\d+|\w+)\s*\{/.exec(text.slice(i));
    if (!key) return undefined;
    i += key[0].length;
    let depth = 1;
    const bodyStart = i;
    for (; i < text.length && depth > 0; i++) {
      if (text[i] === '{') depth++;
      else if (text[i] === '}') depth--;
    }
    if (depth > 0) return undefined;
    options.set(key[1] ?? '', text.slice(bodyStart, i - 1));
  }
}
