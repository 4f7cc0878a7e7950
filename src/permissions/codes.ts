/** One-time codes and opaque tokens: generated from crypto randomness, stored only as hashes. */
import { createHash, randomBytes } from 'node:crypto';

/** Crockford's base32: 32 symbols, so bytes map evenly; O/I/L are read as 0/1 when typed. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A human-typable code of `length` symbols (5 bits each). Safe inside a Telegram deep link. */
export function humanCode(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const b of bytes) out += ALPHABET[b & 31];
  return out;
}

/** Normalises what a person typed: case, spaces, dashes and O/I/L look-alikes do not matter. */
export function normaliseCode(typed: string): string {
  return typed.trim().replace(/[\s-]/g, '').toUpperCase().replace(/O/g, '0').replace(/[IL]/g, '1');
}

/** An opaque URL-safe token of 16 random bytes (22 characters). */
export function opaqueToken(): string {
  return randomBytes(16).toString('base64url');
}

/** SHA-256 of a code or token: what the database keeps. */
export function hashCode(code: string): string {
  return createHash('sha256').update(code).digest('hex');
}
