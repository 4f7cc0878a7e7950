import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkDomain, matchProtected, type DomainCheckOptions } from '../../src/services/pihole/domain.ts';

type Row = [input: string, opts: DomainCheckOptions, expected: string];

// expected: `exact:<value>`, `regex:<value>`, or `no:<reason>`
const rows: Row[] = [
  ['example.com', {}, 'exact:example.com'],
  ['  Example.COM  ', {}, 'exact:example.com'],
  ['example.com.', {}, 'exact:example.com'],
  ['bücher.de', {}, 'exact:xn--bcher-kva.de'],
  ['xn--bcher-kva.de', {}, 'exact:xn--bcher-kva.de'],
  ['ＥＸＡＭＰＬＥ.com', {}, 'exact:example.com'],
  ['_dmarc.example.com', {}, 'exact:_dmarc.example.com'],
  ['https://ads.example.com/path?q=1#x', {}, 'exact:ads.example.com'],
  ['http://user:pw@cdn.example.org:8080/', {}, 'exact:cdn.example.org'],
  ['ftp://files.example.com/', {}, 'no:url_scheme'],
  ['javascript:alert(1)', {}, 'no:url_scheme'],
  ['https://203.0.113.6/', {}, 'no:ip_address'],
  ['192.168.1.6', {}, 'no:ip_address'],
  ['::1', {}, 'no:ip_address'],
  ['[2001:db8::1]', {}, 'no:ip_address'],
  ['1.2.3.999', {}, 'no:ip_address'],
  ['', {}, 'no:empty'],
  ['   ', {}, 'no:empty'],
  ['tv', {}, 'no:single_label'],
  ['-bad.example.com', {}, 'no:bad_label'],
  ['bad-.example.com', {}, 'no:bad_label'],
  ['a..b.com', {}, 'no:bad_label'],
  ['.example.com', {}, 'no:bad_label'],
  [`${'a'.repeat(64)}.com`, {}, 'no:bad_label'],
  [`${'a.'.repeat(127)}com`, {}, 'no:too_long'],
  ['ex ample.com', {}, 'no:bad_character'],
  ['example.com/ads', {}, 'no:bad_character'],
  ['user@example.com', {}, 'no:bad_character'],
  ['exa!mple.com', {}, 'no:bad_character'],
  ['example.com; rm -rf /', {}, 'no:bad_character'],
  ['$(reboot).com', {}, 'no:bad_character'],
  ['äöü{{{.com', {}, 'no:bad_character'],
  ['*.example.com', {}, 'no:wildcard'],
  ['ads*.example.com', {}, 'no:wildcard'],
  ['^ads\\.', {}, 'no:bad_character'],
  ['*.example.com', { regex: true }, 'regex:(\\.|^)example\\.com$'],
  ['*.bücher.de', { regex: true }, 'regex:(\\.|^)xn--bcher-kva\\.de$'],
  ['^ads[0-9]+\\.example\\.com$', { regex: true }, 'regex:^ads[0-9]+\\.example\\.com$'],
  ['(unclosed', { regex: true }, 'no:regex_invalid'],
  ['a b', { regex: true }, 'no:bad_character'],
  ['x'.repeat(600), { regex: true }, 'no:too_long'],
  ['doubleclick.net', { protectedDomains: ['doubleclick.net'] }, 'no:protected'],
  ['ad.doubleclick.net', { protectedDomains: ['doubleclick.net'] }, 'no:protected'],
  ['https://AD.DoubleClick.net/x', { protectedDomains: ['doubleclick.net'] }, 'no:protected'],
  ['notdoubleclick.net', { protectedDomains: ['doubleclick.net'] }, 'exact:notdoubleclick.net'],
  ['*.doubleclick.net', { regex: true, protectedDomains: ['doubleclick.net'] }, 'no:protected'],
  ['double', { regex: true, protectedDomains: ['doubleclick.net'] }, 'no:protected'],
  ['^tracker\\.', { regex: true, protectedDomains: ['doubleclick.net'] }, 'regex:^tracker\\.'],
];

describe('checkDomain', () => {
  for (const [input, opts, expected] of rows) {
    test(`GIVEN ${JSON.stringify(input.length > 40 ? `${input.slice(0, 40)}…` : input)} ${JSON.stringify(opts)} THEN ${expected}`, () => {
      const r = checkDomain(input, opts);
      const got = r.ok ? `${r.kind}:${r.value}` : `no:${r.reason}`;
      assert.equal(got, expected);
    });
  }

  test('a pasted URL is marked as reduced to its host', () => {
    const r = checkDomain('https://ads.example.com/x');
    assert.ok(r.ok);
    assert.equal(r.fromUrl, true);
    const plain = checkDomain('ads.example.com');
    assert.ok(plain.ok);
    assert.equal(plain.fromUrl, false);
  });

  test('IDN keeps a Unicode display form', () => {
    const r = checkDomain('XN--BCHER-KVA.de');
    assert.ok(r.ok);
    assert.equal(r.display, 'bücher.de');
  });

  test('a protected rejection names the entry that matched', () => {
    const r = checkDomain('ad.doubleclick.net', { protectedDomains: ['example.org', 'doubleclick.net'] });
    assert.deepEqual(r, { ok: false, reason: 'protected', protectedBy: 'doubleclick.net' });
  });
});

describe('matchProtected', () => {
  const list = ['doubleclick.net', 'Bücher.de', 'malware.example.'];
  const cases: [string, string | undefined][] = [
    ['doubleclick.net', 'doubleclick.net'],
    ['a.b.doubleclick.net', 'doubleclick.net'],
    ['doubleclick.net.evil.com', undefined],
    ['xdoubleclick.net', undefined],
    ['shop.xn--bcher-kva.de', 'Bücher.de'],
    ['malware.example', 'malware.example.'],
    ['example', undefined],
  ];
  for (const [domain, hit] of cases) {
    test(`${domain} → ${hit ?? 'not protected'}`, () => assert.equal(matchProtected(domain, list), hit));
  }
});
