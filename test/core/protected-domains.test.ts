/**
 * protectedDomains written in the common forms protect the domain they name (and its
 * subdomains); forms that cannot be read as a domain are refused by the config check with the
 * key path, instead of protecting nothing.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseConfigText } from '../../src/core/config.ts';
import { normaliseProtectedDomain } from '../../src/core/protected-domains.ts';
import { checkDomain } from '../../src/services/pihole/domain.ts';

const noFile = (): never => {
  throw Object.assign(new Error('nope'), { code: 'ENOENT' });
};
const piholeYaml = (entries: string[]): string =>
  `pihole:\n  url: https://127.0.0.1\n  password: x\n  protectedDomains:\n${entries.map((e) => `    - ${JSON.stringify(e)}\n`).join('')}`;

describe('protected domains in the common forms', () => {
  const forms = ['tiktok.com', 'TikTok.com.', '*.tiktok.com', '.tiktok.com', 'https://tiktok.com', 'https://www.tiktok.com/@x?y=1'];
  const regexForms = ['(\\.|^)tiktok\\.com$', '(^|\\.)tiktok\\.com$', '^tiktok\\.com$', 'tiktok\\.com$'];
  for (const entry of [...forms, ...regexForms]) {
    test(`"${entry}" protects tiktok.com and its subdomains from /unblock`, () => {
      const parsed = parseConfigText(piholeYaml([entry]), {}, noFile);
      assert.ok(parsed.ok, JSON.stringify(!parsed.ok && parsed.problems));
      const list = parsed.config.pihole?.protectedDomains ?? [];
      const expected = entry.includes('www.') ? 'www.tiktok.com' : 'tiktok.com';
      assert.deepEqual(list, [expected]);
      for (const domain of [expected, `m.${expected}`]) {
        const c = checkDomain(domain, { protectedDomains: list });
        assert.equal(c.ok, false, `${domain} was allowed despite ${entry}`);
        assert.equal(!c.ok && c.reason, 'protected');
      }
      // Raw forms passed straight to the check are read the same way.
      assert.equal(checkDomain(`v.${expected}`, { protectedDomains: [entry] }).ok, false);
      // An admin's regex that would allow it is refused too.
      assert.equal(checkDomain('tiktok', { regex: true, protectedDomains: list }).ok, false);
    });
  }

  test('a neighbour is not protected', () => {
    assert.equal(checkDomain('nottiktok.com', { protectedDomains: ['*.tiktok.com'] }).ok, true);
  });

  for (const entry of ['tiktok.*', '.*tiktok.*', 'tiktok', 'ftp://', '192.0.2.1', '[a-z]+\\.com$']) {
    test(`"${entry}" is refused by the config check with the key path`, () => {
      assert.equal(normaliseProtectedDomain(entry).ok, false);
      const parsed = parseConfigText(piholeYaml(['ok.example', entry]), {}, noFile);
      assert.equal(parsed.ok, false);
      const problems = parsed.ok ? [] : parsed.problems;
      assert.ok(
        problems.some((p) => p.path === 'pihole.protectedDomains.1' && /not a domain/.test(p.message)),
        JSON.stringify(problems),
      );
    });
  }
});
