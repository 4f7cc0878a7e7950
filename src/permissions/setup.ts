/**
 * Owner bootstrap without config: the first start logs a one-time code; whoever sends it
 * becomes the owner. Only the newest code is valid and nothing works once an owner exists.
 * Owns `setup_codes`; people are changed through the people store.
 */
import type { Clock } from '../core/clock.ts';
import type { Db } from '../core/db.ts';
import { parseIdentity } from '../core/chat-address.ts';
import { hashCode, humanCode, normaliseCode } from './codes.ts';
import type { Outcome, PeopleStore, Principal } from './people.ts';

/** Why a setup code was refused. */
export type SetupReason = 'unknown' | 'expired' | 'used' | 'owner-exists' | 'bad-identity';

/** Creates and claims the one-time owner code. */
export class Setup {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly people: PeopleStore,
    /** Owners named in config: with any, no setup code is ever made. */
    private readonly configuredOwners: ReadonlySet<string>,
  ) {}

  /** True when some person is an owner. */
  hasOwner(): boolean {
    return this.people.ownerCount() > 0;
  }

  /** A one-time owner code when no owner is configured or stored (replacing any unused one); undefined otherwise. */
  createCode(ttlMs = 24 * 3_600_000): string | undefined {
    if (this.configuredOwners.size > 0 || this.hasOwner()) return undefined;
    const code = humanCode(12);
    const now = this.clock.now();
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM setup_codes WHERE used_at IS NULL').run();
      this.db.prepare('INSERT INTO setup_codes (code_hash, created_at, expires_at) VALUES (?, ?, ?)').run(hashCode(code), now, now + ttlMs);
    })();
    return code;
  }

  /** Cancels an unused setup code (it was shown where others could read it); true when one was live. */
  cancel(code: string): boolean {
    return (
      this.db.prepare('DELETE FROM setup_codes WHERE code_hash = ? AND used_at IS NULL').run(hashCode(normaliseCode(code))).changes > 0
    );
  }

  /** Consumes a setup code and makes the identity the owner (once). */
  claim(code: string, identity: string, displayName: string): Outcome<SetupReason, { principal: Principal }> {
    if (!parseIdentity(identity)) return { ok: false, reason: 'bad-identity' };
    const { db, clock } = this;
    // Through the people store's transaction: a rollback must not leave its read cache stale.
    return this.people.transaction((): Outcome<SetupReason, { principal: Principal }> => {
      const h = hashCode(normaliseCode(code));
      const row = db.prepare('SELECT expires_at AS expiresAt, used_at AS usedAt FROM setup_codes WHERE code_hash = ?').get(h) as
        { expiresAt: number; usedAt: number | null } | undefined;
      if (!row) return { ok: false, reason: 'unknown' };
      if (row.usedAt !== null) return { ok: false, reason: 'used' };
      if (clock.now() >= row.expiresAt) return { ok: false, reason: 'expired' };
      if (this.hasOwner()) return { ok: false, reason: 'owner-exists' };
      db.prepare('UPDATE setup_codes SET used_at = ?, used_by = ? WHERE code_hash = ?').run(clock.now(), identity, h);
      const known = this.people.resolve(identity);
      if (known) this.people.setRole(known.personId, 'owner');
      const principal = known ? (this.people.resolve(identity) as Principal) : this.people.enroll(identity, displayName, 'owner');
      return { ok: true, principal };
    });
  }
}
