/**
 * `pihole.protectedDomains` entries as people write them: a plain domain, or the common forms
 * that mean "this domain and everything under it" — a wildcard (`*.tiktok.com`), a leading dot
 * (`.tiktok.com`), a URL (`https://tiktok.com/…`) or Pi-hole's own subdomain regex
 * (`(\.|^)tiktok\.com$`, `^tiktok\.com$`). Each becomes the bare domain, which protects itself
 * and its subdomains. Anything else (`tiktok.*`, a real regular expression) cannot be read as a
 * domain and is refused, so the config check names it instead of it silently protecting nothing.
 */
import { domainToASCII } from 'node:url';

/** The bare ASCII domain an entry protects, or why it cannot be one. */
export type ProtectedDomain = { readonly ok: true; readonly domain: string } | { readonly ok: false; readonly reason: string };

const LABEL = /^[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?$/;

/** Normalises one protectedDomains entry to the domain it protects. */
export function normaliseProtectedDomain(entry: string): ProtectedDomain {
  let s = entry.trim().toLowerCase();
  if (/^[a-z][a-z0-9+.-]*:\/\//.test(s)) {
    try {
      s = new URL(s).hostname;
    } catch {
      return refuse(entry);
    }
  }
  s = unanchorRegex(s) ?? s;
  s = s.replace(/^\*\./, '').replace(/^\./, '').replace(/\.$/, '');
  const ascii = /[^\x20-\x7e]/.test(s) ? domainToASCII(s) : s;
  const labels = ascii.split('.');
  if (ascii.length === 0 || ascii.length > 253 || labels.length < 2 || !labels.every((l) => l.length <= 63 && LABEL.test(l))) {
    return refuse(entry);
  }
  if (/^[0-9]+$/.test(labels.at(-1) ?? '')) return refuse(entry);
  return { ok: true, domain: ascii };
}

/** `(\.|^)a\.b$`, `(^|\.)a\.b$`, `^a\.b$`, `a\.b$` → `a.b`; undefined when it is not such a pattern. */
function unanchorRegex(s: string): string | undefined {
  const m = /^(?:\(\\\.\|\^\)|\(\^\|\\\.\)|\^)?((?:[a-z0-9_-]+\\\.)+[a-z0-9_-]+)\$$/.exec(s);
  return m?.[1]?.replace(/\\\./g, '.');
}

function refuse(entry: string): ProtectedDomain {
  return {
    ok: false,
    reason: `"${entry}" is not a domain; write it as example.com (that also protects every subdomain)`,
  };
}
