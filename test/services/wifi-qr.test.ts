import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';
import { escapeWifiQrField, wifiQrPayload, wifiQrPng } from '../../src/services/routeros/wifi-qr.ts';
import { generatePassphrase, UNAMBIGUOUS_CHARS, validateWpaPassphrase } from '../../src/services/routeros/passphrase.ts';
import { WORDS } from '../../src/services/routeros/wordlist.ts';

// jsqr is a CommonJS bundle whose types declare an ES default export; under NodeNext the
// callable sits on `.default` for the type checker and on the module itself at runtime.
const jsQR = jsQRModule.default;

function decodePng(png: Buffer): string | undefined {
  const img = PNG.sync.read(png);
  return jsQR(new Uint8ClampedArray(img.data.buffer, img.data.byteOffset, img.data.length), img.width, img.height)?.data;
}

describe('WiFi QR payload', () => {
  test('plain WPA network', () => {
    assert.equal(
      wifiQrPayload({ ssid: 'thehomelab-guest', passphrase: 'maple-tiger-cloud-piano-4827' }),
      'WIFI:T:WPA;S:thehomelab-guest;P:maple-tiger-cloud-piano-4827;;',
    );
  });
  test('reserved characters are escaped', () => {
    assert.equal(escapeWifiQrField('a\\b;c,d:e"f'), 'a\\\\b\\;c\\,d\\:e\\"f');
    assert.equal(wifiQrPayload({ ssid: 'Casa;1', passphrase: 'p:a,s"s\\' }), 'WIFI:T:WPA;S:Casa\\;1;P:p\\:a\\,s\\"s\\\\;;');
  });
  test('hidden network and open network', () => {
    assert.equal(wifiQrPayload({ ssid: 'x', passphrase: 'yyyyyyyy', hidden: true }), 'WIFI:T:WPA;S:x;P:yyyyyyyy;H:true;;');
    assert.equal(wifiQrPayload({ ssid: 'open' }), 'WIFI:T:nopass;S:open;;');
  });
  test('the PNG decodes back to the payload', async () => {
    const w = { ssid: 'thehomelab-guest', passphrase: 'otter;cabin,lemon:9342"x\\' };
    const png = await wifiQrPng(w);
    assert.equal(png.subarray(1, 4).toString('ascii'), 'PNG');
    assert.equal(decodePng(png), wifiQrPayload(w));
  });
  test('a different passphrase gives a different QR', async () => {
    const a = decodePng(await wifiQrPng({ ssid: 's', passphrase: 'aaaaaaaa' }));
    assert.notEqual(a, wifiQrPayload({ ssid: 's', passphrase: 'bbbbbbbb' }));
  });
});

describe('passphrase generator', () => {
  test('words style: 4 known words and 4 unambiguous digits, 16–63 chars', () => {
    for (let i = 0; i < 200; i++) {
      const p = generatePassphrase();
      assert.ok(p.value.length >= 16 && p.value.length <= 63, p.value);
      const parts = p.value.split('-');
      assert.equal(parts.length, 5);
      for (const w of parts.slice(0, 4)) assert.ok(WORDS.includes(w), w);
      assert.match(parts[4]!, /^[2-9]{4}$/);
      assert.equal(validateWpaPassphrase(p.value), undefined);
    }
  });
  test('chars style: no ambiguous characters, grouped by 4', () => {
    for (let i = 0; i < 200; i++) {
      const p = generatePassphrase({ style: 'chars' });
      assert.match(p.value, /^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/);
      assert.doesNotMatch(p.value, /[01ilo]/);
      assert.ok(p.entropyBits > 75);
    }
    assert.doesNotMatch(UNAMBIGUOUS_CHARS, /[01ilo]/);
  });
  test('word list has 256 distinct lowercase words', () => {
    assert.equal(new Set(WORDS).size, 256);
    assert.ok(WORDS.every((w) => /^[a-z]+$/.test(w)));
  });
  test('randomness: 100 passphrases are all different', () => {
    const seen = new Set(Array.from({ length: 100 }, () => generatePassphrase().value));
    assert.equal(seen.size, 100);
  });
  test('WPA validation', () => {
    assert.equal(validateWpaPassphrase('1234567'), 'too-short');
    assert.equal(validateWpaPassphrase('x'.repeat(64)), 'too-long');
    assert.equal(validateWpaPassphrase('ñandú-ñandú'), 'bad-chars');
    assert.equal(validateWpaPassphrase('12345678'), undefined);
  });
});
