import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { bdecode, bencode, BencodeError, sha1Hex } from '../../src/services/transmission/bencode.ts';
import { inspectTorrentFile, isInfoHash, parseMagnet, validateTorrentUrl } from '../../src/services/transmission/validate.ts';
import { dialectFromHeader, snakeKeys, snakeParams, toSnake } from '../../src/services/transmission/dialect.ts';

describe('bencode', () => {
  test('encodes BEP 3 examples with sorted keys', () => {
    assert.equal(bencode({ spam: ['a', 'b'], cow: 'moo' }).toString(), 'd3:cow3:moo4:spaml1:a1:bee');
    assert.equal(bencode(-3).toString(), 'i-3e');
    assert.equal(bencode('').toString(), '0:');
  });
  test('round-trips arbitrary values', () => {
    const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
      v: fc.oneof(
        { depthSize: 'small' },
        fc.integer(),
        fc.string(),
        fc.array(tie('v'), { maxLength: 4 }),
        fc.dictionary(fc.string(), tie('v'), { maxKeys: 4 }),
      ),
    })).v;
    fc.assert(
      fc.property(value, (v) => {
        const enc = bencode(v as Parameters<typeof bencode>[0]);
        assert.deepEqual(bencode(toPlain(bdecode(enc)) as Parameters<typeof bencode>[0]), enc);
      }),
    );
  });
  const bad: [string, string][] = [
    ['', 'empty'],
    ['i12', 'unterminated int'],
    ['i03e', 'leading zero'],
    ['i-0e', 'negative zero'],
    ['5:abc', 'short string'],
    ['l1:a', 'unterminated list'],
    ['d1:ae', 'key without value'],
    ['di1e1:ae', 'integer key'],
    ['i1ei2e', 'trailing bytes'],
    ['x', 'junk'],
    ['99999999999999:a', 'absurd length'],
  ];
  for (const [input, why] of bad) {
    test(`rejects ${why}: ${JSON.stringify(input)}`, () => {
      assert.throws(() => bdecode(Buffer.from(input)), BencodeError);
    });
  }
  test('deep nesting is refused instead of blowing the stack', () => {
    assert.throws(() => bdecode(Buffer.from('l'.repeat(10_000) + 'e'.repeat(10_000))), /too deep/);
  });
});

function toPlain(v: ReturnType<typeof bdecode>): unknown {
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  if (Array.isArray(v)) return v.map(toPlain);
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [k, toPlain(x)]));
  return v;
}

describe('.torrent inspection', () => {
  const info = { name: 'holiday.zip', 'piece length': 16384, length: 1234, pieces: Buffer.alloc(20) };
  test('name, size and the info-hash over the raw bytes', () => {
    const r = inspectTorrentFile(bencode({ announce: 'http://tracker.invalid/a', info }));
    assert.ok(r.ok);
    assert.equal(r.value.name, 'holiday.zip');
    assert.equal(r.value.totalBytes, 1234);
    assert.equal(r.value.infoHash, createHash('sha1').update(bencode(info)).digest('hex'));
  });
  test('the hash uses the bytes as received, even with unsorted keys', () => {
    const unsorted = Buffer.from('d4:infod6:lengthi5e4:name1:x12:piece lengthi16384e6:pieces20:' + 'a'.repeat(20) + 'ee');
    const raw = Buffer.from('d6:lengthi5e4:name1:x12:piece lengthi16384e6:pieces20:' + 'a'.repeat(20) + 'e');
    const r = inspectTorrentFile(unsorted);
    assert.ok(r.ok);
    assert.equal(r.value.infoHash, sha1Hex(raw));
  });
  test('multi-file torrents sum their files', () => {
    const multi = {
      name: 'album',
      'piece length': 16384,
      pieces: Buffer.alloc(20),
      files: [
        { length: 10, path: ['a'] },
        { length: 32, path: ['b'] },
      ],
    };
    const r = inspectTorrentFile(bencode({ info: multi }));
    assert.ok(r.ok && r.value.totalBytes === 42 && r.value.fileCount === 2);
  });
  const problems: [string, Buffer, string, number?][] = [
    ['empty', Buffer.alloc(0), 'empty'],
    ['too large', bencode({ info }), 'too-large', 10],
    ['not bencode', Buffer.from('<!doctype html>'), 'not-bencode'],
    ['a list, not a dict', bencode([1, 2]), 'not-bencode'],
    ['no info', bencode({ announce: 'x' }), 'no-info'],
    ['info not a dict', bencode({ info: 'x' }), 'no-info'],
    ['no name', bencode({ info: { 'piece length': 1, length: 1, pieces: '' } }), 'bad-info'],
    ['no length or files', bencode({ info: { name: 'x', 'piece length': 1, pieces: '' } }), 'bad-info'],
    ['negative file length', bencode({ info: { name: 'x', 'piece length': 1, pieces: '', files: [{ length: -1 }] } }), 'bad-info'],
  ];
  for (const [why, bytes, expected, max] of problems) {
    test(`GIVEN ${why} THEN ${expected}`, () => {
      assert.deepEqual(inspectTorrentFile(bytes, max === undefined ? {} : { maxBytes: max }), { ok: false, error: expected });
    });
  }
  test('the default limit is 5 MiB', () => {
    const big = Buffer.alloc(5 * 1024 * 1024 + 1, 0x61);
    assert.deepEqual(inspectTorrentFile(big), { ok: false, error: 'too-large' });
  });
});

describe('magnet links', () => {
  const hex = '0123456789abcdef0123456789abcdef01234567';
  test('hex info-hash, display name and trackers', () => {
    const r = parseMagnet(`magnet:?xt=urn:btih:${hex.toUpperCase()}&dn=Debian%2012&tr=udp%3A%2F%2Fx`);
    assert.ok(r.ok);
    assert.equal(r.value.infoHash, hex);
    assert.equal(r.value.displayName, 'Debian 12');
    assert.equal(r.value.trackers, 1);
  });
  test('base32 info-hash is converted to hex', () => {
    // base32 of the bytes 0x00…0x13
    const bytes = Buffer.from(Array.from({ length: 20 }, (_, i) => i));
    const b32 = 'AAAQEAYEAUDAOCAJBIFQYDIOB4IBCEQTCQKRMFYY'.slice(0, 32);
    const r = parseMagnet(`magnet:?xt=urn:btih:${b32}`);
    assert.ok(r.ok);
    assert.equal(r.value.infoHash, bytes.toString('hex'));
  });
  const bad: [string, string][] = [
    ['https://example.org', 'not-magnet'],
    ['magnet:?dn=x', 'no-btih'],
    ['magnet:?xt=urn:btih:1234', 'bad-hash'],
    ['magnet:?xt=urn:btih:' + 'g'.repeat(40), 'bad-hash'],
    ['magnet:?xt=urn:btmh:1220' + 'a'.repeat(64), 'no-btih'],
    ['magnet:?xt=urn:btih:' + hex + '&dn=a b', 'not-magnet'],
    ['magnet:?xt=urn:btih:' + hex + '&dn=' + 'a'.repeat(9000), 'too-long'],
  ];
  for (const [input, expected] of bad) {
    test(`GIVEN ${input.slice(0, 50)} THEN ${expected}`, () => assert.deepEqual(parseMagnet(input), { ok: false, error: expected }));
  }
});

describe('torrent URLs', () => {
  const table: [string, string | undefined][] = [
    ['https://example.org/a.torrent', undefined],
    ['http://192.0.2.10:8080/x?id=1', undefined],
    ['ftp://example.org/a.torrent', 'not-http'],
    ['file:///etc/passwd', 'not-http'],
    ['https://user:pw@example.org/a', 'credentials'],
    ['not a url', 'not-url'],
    ['https://example.org/' + 'a'.repeat(2100), 'too-long'],
  ];
  for (const [input, expected] of table) {
    test(`GIVEN ${input.slice(0, 40)} THEN ${expected ?? 'ok'}`, () => {
      const r = validateTorrentUrl(input);
      if (expected) assert.deepEqual(r, { ok: false, error: expected });
      else assert.ok(r.ok);
    });
  }
  test('isInfoHash', () => {
    assert.equal(isInfoHash('a'.repeat(40)), true);
    assert.equal(isInfoHash('a'.repeat(39)), false);
    assert.equal(isInfoHash('1'), false);
  });
});

describe('RPC dialect names', () => {
  test('classic names become 4.1 snake_case', () => {
    const table: [string, string][] = [
      ['hashString', 'hash_string'],
      ['percentDone', 'percent_done'],
      ['torrent-get', 'torrent_get'],
      ['delete-local-data', 'delete_local_data'],
      ['alt-speed-enabled', 'alt_speed_enabled'],
      ['size-bytes', 'size_bytes'],
      ['activeTorrentCount', 'active_torrent_count'],
      ['metadataPercentComplete', 'metadata_percent_complete'],
      ['eta', 'eta'],
    ];
    for (const [a, b] of table) assert.equal(toSnake(a), b);
  });
  test('keys are converted deeply, values are not', () => {
    assert.deepEqual(snakeKeys({ 'torrent-added': { hashString: 'AbC', name: 'camelCase' } }), {
      torrent_added: { hash_string: 'AbC', name: 'camelCase' },
    });
    assert.deepEqual(snakeParams({ fields: ['hashString'], ids: ['ABC'] }), { fields: ['hash_string'], ids: ['ABC'] });
  });
  test('dialect from the X-Transmission-Rpc-Version header', () => {
    assert.equal(dialectFromHeader(undefined), 'classic');
    assert.equal(dialectFromHeader('5.3.0'), 'classic');
    assert.equal(dialectFromHeader('6.0.0'), 'jsonrpc');
    assert.equal(dialectFromHeader('junk'), 'classic');
  });
});
