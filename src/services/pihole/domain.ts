/**
 * Domain arguments for Pi-hole allow/deny lists, validated before anything reaches the API.
 * Pure functions; the handler maps a rejection reason to a message.
 *
 * Decisions:
 * - A pasted http(s) URL is reduced to its host (`https://ads.example.com/x?y` → `ads.example.com`):
 *   people copy links from the browser, and the host is the only thing Pi-hole can act on.
 *   Any other scheme (`ftp://`, `javascript:`) is refused.
 * - IDN input is converted to punycode (node:url domainToASCII, UTS #46), so `bücher.de` and
 *   `xn--bcher-kva.de` are the same entry; `display` carries the Unicode form for replies.
 * - Wildcards and regular expressions are refused unless the caller passes `regex: true`
 *   (the handler only does so for admins). In regex mode `*.example.com` becomes Pi-hole's usual
 *   "domain and all subdomains" pattern `(\.|^)example\.com$`.
 * - IP addresses, single-label names (`tv`) and numeric TLDs are refused: Pi-hole lists are for
 *   domain names, and an allow entry for `router` would never match anything useful.
 */
import { domainToASCII, domainToUnicode } from 'node:url';
import { isIP } from 'node:net';
import { normaliseProtectedDomain } from '../../core/protected-domains.ts';

/** Why a domain argument was refused. */
export type DomainRejection =
  | 'empty'
  | 'too_long'
  | 'bad_label'
  | 'single_label'
  | 'bad_character'
  | 'wildcard'
  | 'ip_address'
  | 'url_scheme'
  | 'regex_invalid'
  | 'protected';

/** A usable list entry, or the reason it was refused. */
export type DomainCheck =
  | {
      readonly ok: true;
      readonly kind: 'exact' | 'regex';
      /** What goes to Pi-hole: punycode domain (exact) or the regex. */
      readonly value: string;
      /** What to show people: Unicode domain, or the regex as given. */
      readonly display: string;
      /** True when the argument was a URL and only its host was kept. */
      readonly fromUrl: boolean;
    }
  | { readonly ok: false; readonly reason: DomainRejection; readonly protectedBy?: string };

/** What a domain check allows: patterns (admins only) and the domains nobody may self-serve. */
export interface DomainCheckOptions {
  /** Accept wildcards/regular expressions (admins only; the caller decides). */
  readonly regex?: boolean;
  /** Domains nobody may self-serve; each also protects its subdomains. */
  readonly protectedDomains?: readonly string[];
}

const MAX_DOMAIN = 253;
const MAX_LABEL = 63;
const MAX_REGEX = 512;
const LABEL = /^[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?$/;

const fail = (reason: DomainRejection, protectedBy?: string): DomainCheck =>
  protectedBy === undefined ? { ok: false, reason } : { ok: false, reason, protectedBy };

/** Validates and normalises one domain (or, with `regex`, a pattern) for a Pi-hole list. */
export function checkDomain(input: string, opts: DomainCheckOptions = {}): DomainCheck {
  const raw = input.trim();
  if (raw.length === 0) return fail('empty');
  if (opts.regex && !looksLikeWildcard(raw) && !raw.includes('://')) return checkRegex(raw, opts);

  let host = raw;
  let fromUrl = false;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return fail('bad_character');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return fail('url_scheme');
    host = decodeURIComponent(url.hostname);
    fromUrl = true;
  } else if (/^(javascript|data|file|mailto):/i.test(raw)) {
    return fail('url_scheme');
  }

  const bare = host.replace(/^\[|\]$/g, '');
  if (isIP(bare) !== 0) return fail('ip_address');
  if (host.includes('*')) {
    if (!opts.regex) return fail('wildcard');
    return wildcardToRegex(host, opts);
  }
  const exact = normaliseHost(host);
  if (!exact.ok) return exact.check;
  const hit = matchProtected(exact.ascii, opts.protectedDomains ?? []);
  if (hit !== undefined) return fail('protected', hit);
  return { ok: true, kind: 'exact', value: exact.ascii, display: domainToUnicode(exact.ascii) || exact.ascii, fromUrl };
}

/**
 * Returns the protected entry that covers `domain` (exact match or a parent domain), if any.
 * `ad.doubleclick.net` is covered by `doubleclick.net`; `notdoubleclick.net` is not.
 */
export function matchProtected(domain: string, protectedDomains: readonly string[]): string | undefined {
  const d = domain.toLowerCase().replace(/\.$/, '');
  for (const entry of protectedDomains) {
    // The config check already normalised entries; callers passing raw forms get the same reading.
    const n = normaliseProtectedDomain(entry);
    if (!n.ok) continue;
    const p = n.domain;
    if (d === p || d.endsWith(`.${p}`)) return entry;
  }
  return undefined;
}

type HostResult = { ok: true; ascii: string } | { ok: false; check: DomainCheck };

function normaliseHost(host: string): HostResult {
  const bad = (reason: DomainRejection): HostResult => ({ ok: false, check: fail(reason) });
  // Checked before domainToASCII, which would otherwise parse `a/b` or `a@b` as a URL.
  if (/[\s/\\?#@:%,;'"`<>(){}[\]|^$+=!&~]/u.test(host)) return bad('bad_character');
  const withoutDot = host.endsWith('.') ? host.slice(0, -1) : host;
  // A numeric last label reads as an IPv4 address (WHATWG would refuse it silently as '').
  if (/(^|\.)[0-9]+$/.test(withoutDot)) return bad('ip_address');
  const ascii = domainToASCII(withoutDot);
  if (ascii === '') return bad('bad_character');
  if (ascii.length > MAX_DOMAIN) return bad('too_long');
  const labels = ascii.split('.');
  for (const label of labels) {
    if (label.length === 0 || label.length > MAX_LABEL || !LABEL.test(label)) return bad('bad_label');
  }
  if (labels.length < 2) return bad('single_label');
  return { ok: true, ascii };
}

function looksLikeWildcard(s: string): boolean {
  return /^\*\.[^*]+$/.test(s);
}

function wildcardToRegex(host: string, opts: DomainCheckOptions): DomainCheck {
  if (!looksLikeWildcard(host)) return fail('wildcard');
  const base = normaliseHost(host.slice(2));
  if (!base.ok) return base.check;
  const hit = matchProtected(base.ascii, opts.protectedDomains ?? []);
  if (hit !== undefined) return fail('protected', hit);
  const value = `(\\.|^)${base.ascii.replace(/[.]/g, '\\.')}$`;
  return { ok: true, kind: 'regex', value, display: `*.${domainToUnicode(base.ascii) || base.ascii}`, fromUrl: false };
}

function checkRegex(pattern: string, opts: DomainCheckOptions): DomainCheck {
  if (pattern.length > MAX_REGEX) return fail('too_long');
  if (/\s/.test(pattern)) return fail('bad_character');
  let re: RegExp;
  try {
    // JS syntax approximates Pi-hole's POSIX ERE; Pi-hole itself has the last word (regex_error).
    re = new RegExp(pattern.split(';')[0] ?? pattern);
  } catch {
    return fail('regex_invalid');
  }
  // A pattern that would allow a protected domain (or a subdomain of it) is refused too.
  for (const entry of opts.protectedDomains ?? []) {
    const n = normaliseProtectedDomain(entry);
    if (!n.ok) continue;
    if (re.test(n.domain) || re.test(`x.${n.domain}`)) return fail('protected', entry);
  }
  return { ok: true, kind: 'regex', value: pattern, display: pattern, fromUrl: false };
}
