/**
 * Owner bootstrap without config: the first start logs a one-time code; whoever sends it
 * becomes the owner. Only the newest code is valid and nothing works once an owner exists.
 */
import type { Clock } from '../core/clock.ts';
import type { Db } from '../core/db.ts';
import type { AccessControl, Outcome, Principal } from './access.ts';
import { hashCode, humanCode, normaliseCode } from './codes.ts';

/** Replaces any unused setup code with a fresh one and returns it (to be logged, never stored). */
export function createSetup(db: Db, clock: Clock, ttlMs: number): string {
  const code = humanCode(12);
  const now = clock.now();
  db.transaction(() => {
    db.prepare('DELETE FROM setup_codes WHERE used_at IS NULL').run();
    db.prepare('INSERT INTO setup_codes (code_hash, created_at, expires_at) VALUES (?, ?, ?)').run(hashCode(code), now, now + ttlMs);
  })();
  return code;
}

/** Consumes a setup code and makes the identity the owner. */
export function claimSetup(
  access: AccessControl,
  code: string,
  identity: string,
  displayName: string,
): Outcome<'unknown' | 'expired' | 'used' | 'owner-exists', { principal: Principal }> {
  const { db, clock } = access;
  return db.transaction((): Outcome<'unknown' | 'expired' | 'used' | 'owner-exists', { principal: Principal }> => {
    const h = hashCode(normaliseCode(code));
    const row = db.prepare('SELECT expires_at AS expiresAt, used_at AS usedAt FROM setup_codes WHERE code_hash = ?').get(h) as
      { expiresAt: number; usedAt: number | null } | undefined;
    if (!row) return { ok: false, reason: 'unknown' };
    if (row.usedAt !== null) return { ok: false, reason: 'used' };
    if (clock.now() >= row.expiresAt) return { ok: false, reason: 'expired' };
    if (access.hasOwner()) return { ok: false, reason: 'owner-exists' };
    db.prepare('UPDATE setup_codes SET used_at = ?, used_by = ? WHERE code_hash = ?').run(clock.now(), identity, h);
    const known = access.resolve(identity);
    if (known) db.prepare("UPDATE persons SET role = 'owner' WHERE id = ?").run(known.personId);
    const principal = known ? (access.resolve(identity) as Principal) : access.enroll(identity, displayName, 'owner');
    return { ok: true, principal };
  })();
}
