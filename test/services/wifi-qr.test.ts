import { describe, test } from 'node:test';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';
import QRCode from 'qrcode';
import { GLYPH_HEIGHT, GLYPH_WIDTH, glyphColumns, REPLACEMENT_GLYPH } from '../../src/services/routeros/bitmap-font.ts';
import { captionLayout, QUIET_ZONE_MODULES } from '../../src/services/routeros/labelled-qr.ts';
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

const PRINTABLE_ASCII = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i)).join('');

function isDark(img: PNG, x: number, y: number): boolean {
  return img.data[(y * img.width + x) * 4]! < 128;
}

/** Reads the caption back from the pixels: each character cell matched against every glyph of the font ('□' = the box). */
function readCaption(png: Buffer, payload: string, expected: string, widthPx = 512): string {
  const img = PNG.sync.read(png);
  const layout = captionLayout(QRCode.create(payload, { errorCorrectionLevel: 'M' }).modules.size, widthPx, expected);
  const s = layout.textScale;
  let text = '';
  for (const line of layout.lines) {
    line.chars.forEach((_, i) => {
      const columns = Array.from({ length: GLYPH_WIDTH }, (_, col) => {
        let bits = 0;
        for (let row = 0; row < GLYPH_HEIGHT; row++) {
          // Sample the middle of each font pixel.
          const x = line.x + (i * (GLYPH_WIDTH + 1) + col) * s + Math.floor(s / 2);
          if (isDark(img, x, line.y + row * s + Math.floor(s / 2))) bits |= 1 << row;
        }
        return bits;
      });
      const key = columns.join(',');
      if (key === REPLACEMENT_GLYPH.join(',')) text += '□';
      else text += [...PRINTABLE_ASCII].find((c) => glyphColumns(c).join(',') === key) ?? '¿';
    });
  }
  return text;
}

describe('network name printed under the QR', () => {
  const w = { ssid: 'thehomelab-guest', passphrase: 'maple-tiger-cloud-piano-4827' };

  test('the image is taller than the code, still decodes, and the band under the code carries ink', async () => {
    const png = await wifiQrPng(w);
    const img = PNG.sync.read(png);
    assert.ok(img.height > img.width, `${img.width}x${img.height}: no band under the square QR`);
    assert.equal(decodePng(png), wifiQrPayload(w));
    let dark = 0;
    for (let y = img.width; y < img.height; y++) for (let x = 0; x < img.width; x++) if (isDark(img, x, y)) dark++;
    assert.ok(dark > 100, `only ${dark} dark pixels under the code`);
  });

  test('the quiet zone under the code stays blank (the text starts below it)', async () => {
    const png = await wifiQrPng(w);
    const img = PNG.sync.read(png);
    const modules = QRCode.create(wifiQrPayload(w), { errorCorrectionLevel: 'M' }).modules.size;
    const quiet = (img.width / (modules + 2 * QUIET_ZONE_MODULES)) * QUIET_ZONE_MODULES;
    for (let y = img.width - quiet; y < img.width; y++) {
      for (let x = 0; x < img.width; x++) assert.ok(!isDark(img, x, y), `ink in the quiet zone at ${x},${y}`);
    }
  });

  test('the printed text is the network name, large enough to read on a phone', async () => {
    const png = await wifiQrPng(w);
    assert.equal(readCaption(png, wifiQrPayload(w), w.ssid), w.ssid);
    const layout = captionLayout(QRCode.create(wifiQrPayload(w)).modules.size, 512, w.ssid);
    assert.ok(layout.textScale * GLYPH_HEIGHT >= 21, `text only ${layout.textScale * GLYPH_HEIGHT}px tall`);
    // The longest SSID (32 bytes) wraps instead of shrinking to an unreadable size.
    const longest = captionLayout(QRCode.create(wifiQrPayload(w)).modules.size, 512, 'g'.repeat(32));
    assert.ok(longest.textScale * GLYPH_HEIGHT >= 21 && longest.lines.length === 2, JSON.stringify(longest.textScale));
    // Another name prints differently: the band is not a fixed decoration.
    const other = { ...w, ssid: 'thehomelab-guesT' };
    assert.equal(readCaption(await wifiQrPng(other), wifiQrPayload(other), other.ssid), other.ssid);
  });

  test('every printable ASCII character has its own glyph and reads back; a long name wraps', async () => {
    assert.equal(new Set([...PRINTABLE_ASCII].map((c) => glyphColumns(c).join(','))).size, PRINTABLE_ASCII.length);
    for (const c of PRINTABLE_ASCII) assert.notEqual(glyphColumns(c).join(','), REPLACEMENT_GLYPH.join(','));
    for (let i = 0; i < PRINTABLE_ASCII.length; i += 32) {
      const ssid = PRINTABLE_ASCII.slice(i, i + 32);
      const net = { ssid, passphrase: 'aaaaaaaa' };
      const png = await wifiQrPng(net, { widthPx: 300 });
      assert.equal(decodePng(png), wifiQrPayload(net));
      assert.equal(readCaption(png, wifiQrPayload(net), ssid, 300), ssid);
      assert.ok(captionLayout(QRCode.create(wifiQrPayload(net)).modules.size, 300, ssid).lines.length >= 1);
    }
    const spaced = captionLayout(25, 512, 'Café Wifi_5G #2 (Guests)!').lines.map((l) => l.chars.join(''));
    assert.deepEqual(spaced, ['Café Wifi_5G #2 ', '(Guests)!'], 'a long name breaks at a space, not mid-word');
    const long = 'x'.repeat(32);
    assert.ok(captionLayout(25, 120, long).lines.length > 1, 'a name wider than the code wraps onto more lines');
  });

  test('characters outside the font print as a box; the QR keeps the exact name', async () => {
    const net = { ssid: 'Café ñandú', passphrase: 'aaaaaaaa' };
    const png = await wifiQrPng(net);
    assert.equal(decodePng(png), wifiQrPayload(net));
    assert.equal(readCaption(png, wifiQrPayload(net), net.ssid), 'Caf□ □and□');
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

describe('QR drawing stays out of start-up', () => {
  /** Files reachable from `entry` through static (value) imports; `import type` and `import()` are not followed. */
  function staticGraph(entry: string): Set<string> {
    const seen = new Set<string>();
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      if (!file.startsWith('/')) return; // a package: recorded, not read
      const source = readFileSync(file, 'utf8');
      const specifiers = source.matchAll(
        /^\s*(?:import(?!\s+type\b)[^;'(]*?from\s*|import\s*|export(?!\s+type\b)[^;'(]*?from\s*)'([^']+)'/gm,
      );
      for (const [, spec] of specifiers) visit(spec!.startsWith('.') ? resolve(dirname(file), spec!) : spec!);
    };
    visit(entry);
    return seen;
  }

  // What a start with the router configured loads: main.ts, then the router area's module (a
  // dynamic import when its config section is present). The QR code is drawn on first /wifi only.
  test('main.ts and the router area do not statically reach the QR encoder or the drawing code', () => {
    const graph = new Set([
      ...staticGraph(fileURLToPath(new URL('../../src/main.ts', import.meta.url))),
      ...staticGraph(fileURLToPath(new URL('../../src/wiring/router-module.ts', import.meta.url))),
    ]);
    const wifiQr = fileURLToPath(new URL('../../src/services/routeros/wifi-qr.ts', import.meta.url));
    assert.ok(graph.has(wifiQr), 'the walk reaches the /wifi service (else it proves nothing)');
    for (const lazy of ['qrcode', 'labelled-qr.ts', 'gray-png.ts', 'bitmap-font.ts']) {
      assert.ok(![...graph].some((f) => f === lazy || f.endsWith(`/${lazy}`)), `${lazy} is loaded at start-up`);
    }
  });
});
