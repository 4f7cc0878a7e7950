/**
 * Linking a person's identities across platforms: `/link` on one platform gives a one-time
 * code (10 minutes); sending it from the other platform attaches that identity to the same
 * person, so role, language and audit history follow the person. Owns `link_codes`; people
 * are changed through the people store.
 */
import type { Clock } from '../core/clock.ts';
import type { Db } from '../core/db.ts';
import { parseIdentity } from '../core/chat-address.ts';
import { hashCode, humanCode, normaliseCode } from './codes.ts';
import type { Outcome, PeopleStore, Principal } from './people.ts';

/** How long a link code lives. */
export const LINK_TTL_MS = 10 * 60_000;

/** Why a link code was refused. */
export type LinkReason =
  'unknown' | 'expired' | 'used' | 'same-platform' | 'platform-taken' | 'already-linked' | 'role-mismatch' | 'bad-identity';

interface LinkRow {
  personId: number;
  fromIdentity: string;
  expiresAt: number;
  usedAt: number | null;
}

/** Creates and redeems link codes. */
export class Linking {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly people: PeopleStore,
  ) {}

  /** A fresh code for this person; earlier unused codes of theirs stop working. */
  createLinkCode(principal: Principal): { code: string; expiresAt: number } {
    const { db, clock } = this;
    const code = humanCode(8);
    const now = clock.now();
    db.transaction(() => {
      db.prepare('DELETE FROM link_codes WHERE person_id = ? AND used_at IS NULL').run(principal.personId);
      db.prepare('INSERT INTO link_codes (code_hash, person_id, from_identity, created_at, expires_at) VALUES (?, ?, ?, ?, ?)').run(
        hashCode(code),
        principal.personId,
        principal.identity,
        now,
        now + LINK_TTL_MS,
      );
    })();
    return { code, expiresAt: now + LINK_TTL_MS };
  }

  /** Cancels an unused link code (it was shown where others could read it); true when one was live. */
  cancel(code: string): boolean {
    return this.db.prepare('DELETE FROM link_codes WHERE code_hash = ? AND used_at IS NULL').run(hashCode(normaliseCode(code))).changes > 0;
  }

  /**
   * Redeems a code from an identity on another platform. A stranger's identity joins the
   * person; a known identity of another person merges into it only when both have the same
   * role (linking must never be a way to change anyone's role). A person keeps at most one
   * identity per platform, so a code can never hand someone's role to a second account (or a
   * stranger) on a platform where they already speak.
   */
  redeemLinkCode(code: string, identity: string, displayName: string): Outcome<LinkReason, { principal: Principal; from: string }> {
    const parsed = parseIdentity(identity);
    if (!parsed) return { ok: false, reason: 'bad-identity' };
    const { db, clock } = this;
    const h = hashCode(normaliseCode(code));
    // Through the people store's transaction: a rollback must not leave its read cache stale.
    return this.people.transaction((): Outcome<LinkReason, { principal: Principal; from: string }> => {
      const row = db
        .prepare(
          'SELECT person_id AS personId, from_identity AS fromIdentity, expires_at AS expiresAt, used_at AS usedAt FROM link_codes WHERE code_hash = ?',
        )
        .get(h) as LinkRow | undefined;
      if (!row) return { ok: false, reason: 'unknown' };
      if (row.usedAt !== null) return { ok: false, reason: 'used' };
      if (clock.now() >= row.expiresAt) return { ok: false, reason: 'expired' };
      if (parseIdentity(row.fromIdentity)?.platform === parsed.platform) return { ok: false, reason: 'same-platform' };
      const target = this.people.find(row.personId);
      if (!target) return { ok: false, reason: 'unknown' };
      const known = this.people.resolve(identity);
      if (known?.personId === target.personId) return { ok: false, reason: 'already-linked' };
      if (known && known.role !== target.role) return { ok: false, reason: 'role-mismatch' };
      const incoming = known ? (this.people.find(known.personId)?.identities ?? []) : [identity];
      if (sharesPlatform(target.identities, incoming)) return { ok: false, reason: 'platform-taken' };
      db.prepare('UPDATE link_codes SET used_at = ?, used_by = ? WHERE code_hash = ?').run(clock.now(), identity, h);
      if (known) {
        // Merge: every identity of the other person moves over; keep a language if only they had one.
        this.people.merge(known.personId, target.personId);
      } else {
        this.people.attach(target.personId, identity, displayName);
      }
      return { ok: true, principal: this.people.resolve(identity) as Principal, from: row.fromIdentity };
    });
  }
}

/** True when some identity in `b` is on a platform an identity in `a` already uses. */
function sharesPlatform(a: readonly string[], b: readonly string[]): boolean {
  const used = new Set(a.map((i) => parseIdentity(i)?.platform));
  return b.some((i) => used.has(parseIdentity(i)?.platform));
}
