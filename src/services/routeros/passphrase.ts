import { randomInt } from 'node:crypto';
import { WORDS } from './wordlist.ts';

/** Letters and digits that cannot be confused when read off a screen (no 0/o, 1/l/i). */
export const UNAMBIGUOUS_CHARS = 'abcdefghjkmnpqrstuvwxyz23456789';
const DIGITS = '23456789';

/** Passphrase shape: readable words (default) or dash-grouped unambiguous characters. */
export interface PassphraseOptions {
  readonly style?: 'words' | 'chars';
  /** Words (style words, default 4) or characters (style chars, default 16). */
  readonly length?: number;
}

/** A generated passphrase and its entropy, so callers can show or test the strength. */
export interface Passphrase {
  readonly value: string;
  readonly entropyBits: number;
}

/**
 * Generates a guest WiFi passphrase with crypto randomness: `maple-tiger-cloud-piano-4827`
 * or `k7mp-x3qd-h9tw-c4ne`. Always 16–63 characters (the WPA limit is 63).
 */
export function generatePassphrase(opts: PassphraseOptions = {}): Passphrase {
  const style = opts.style ?? 'words';
  for (;;) {
    const p = style === 'words' ? wordsPassphrase(opts.length ?? 4) : charsPassphrase(opts.length ?? 16);
    if (p.value.length >= 16 && p.value.length <= 63) return p;
    // Too short (a few short words) or too long: draw again; with ≥3 words this is rare.
    if (style === 'words' && (opts.length ?? 4) < 3) throw new RangeError('use at least 3 words');
  }
}

function wordsPassphrase(count: number): Passphrase {
  const parts: string[] = [];
  for (let i = 0; i < count; i++) parts.push(WORDS[randomInt(WORDS.length)] ?? 'apple');
  let digits = '';
  for (let i = 0; i < 4; i++) digits += DIGITS[randomInt(DIGITS.length)];
  parts.push(digits);
  return { value: parts.join('-'), entropyBits: count * Math.log2(WORDS.length) + 4 * Math.log2(DIGITS.length) };
}

function charsPassphrase(count: number): Passphrase {
  let raw = '';
  for (let i = 0; i < count; i++) raw += UNAMBIGUOUS_CHARS[randomInt(UNAMBIGUOUS_CHARS.length)];
  const groups = raw.match(/.{1,4}/g) ?? [raw];
  return { value: groups.join('-'), entropyBits: count * Math.log2(UNAMBIGUOUS_CHARS.length) };
}

/** Why a WPA2/3 passphrase is unusable, or undefined when it is fine (8–63 printable ASCII). */
export function validateWpaPassphrase(p: string): 'too-short' | 'too-long' | 'bad-chars' | undefined {
  if (p.length < 8) return 'too-short';
  if (p.length > 63) return 'too-long';
  if (!/^[\x20-\x7e]+$/.test(p)) return 'bad-chars';
  return undefined;
}
