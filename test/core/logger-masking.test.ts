/**
 * Log masking: a canary per secret key of the config schema, by key and by value, in JSON and
 * pretty modes, including values JSON escapes (quotes, backslashes).
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, test } from 'node:test';
import { SECRET_KEYS } from '../../src/core/config-schema.ts';
import { createLogger } from '../../src/core/logger.ts';

const KEYS = SECRET_KEYS.source.replace(/^\^\(|\)\$$/g, '').split('|');

function capture(): { sink: Writable; text: () => string } {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      chunks.push(chunk.toString());
      cb();
    },
  });
  return { sink, text: () => chunks.join('') };
}

describe('log masking', () => {
  assert.ok(KEYS.includes('tokenSecret') && KEYS.includes('serverinfoToken') && KEYS.includes('privateKey'), KEYS.join());
  for (const pretty of [false, true]) {
    for (const key of KEYS) {
      test(`${pretty ? 'pretty' : 'JSON'}: ${key} is masked by key, nested, and by value`, () => {
        const byKey = `canary-key-${key}-7f3a`;
        const byValue = `canary-val-${key}-"q\\uote"-9c1d`;
        const out = capture();
        const log = createLogger({ destination: out.sink, pretty, secrets: [byValue] });
        log.info({ [key]: byKey, backend: { [key]: byKey, inner: { [key]: byKey } } }, 'by key');
        log.warn(`backend said ${byValue}`);
        log.error({ err: new Error(`boom ${byValue}`), detail: { quoted: byValue } }, 'by value');
        const all = out.text();
        assert.ok(all.length > 0);
        assert.ok(!all.includes(byKey), `${key} leaked by key: ${all}`);
        assert.ok(!all.includes(byValue), `${key} leaked raw`);
        assert.ok(!all.includes(JSON.stringify(byValue).slice(1, -1)), `${key} leaked JSON-escaped: ${all}`);
        assert.ok(!all.includes('canary-val'), `${key} partly leaked: ${all}`);
        assert.match(all, /\[REDACTED\]/);
      });
    }
  }
});
