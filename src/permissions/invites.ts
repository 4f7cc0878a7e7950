/**
 * One-time, expiring invites for a role. An inviter can never invite above their own role,
 * and an invite dies with its inviter's power: if they are demoted or removed before it is
 * used, accepting it is refused. Owns `invites`; people are changed through the people store.
 */
import type { Clock } from '../core/clock.ts';
import type { Db } from '../core/db.ts';
import type { AccessControl } from './access.ts';
import { parseIdentity, type Platform } from '../core/chat-address.ts';
import { hashCode, humanCode, normaliseCode } from './codes.ts';
import type { Outcome, PeopleStore, Principal } from './people.ts';
import { P } from './permissions.ts';
import { checkInvite, type PolicyReason } from './policy.ts';
import { isRole, roleRank, type Role } from './roles.ts';

/** Shortest and longest invite lifetimes accepted. */
export const INVITE_TTL = { minMs: 60_000, maxMs: 7 * 24 * 3_600_000, defaultMs: 48 * 3_600_000 } as const;

/** Why an invite could not be accepted. */
export type AcceptReason = 'unknown' | 'expired' | 'used' | 'wrong-platform' | 'already-known' | 'revoked' | 'bad-identity';

interface InviteRow {
  role: Role;
  platform: Platform | null;
  createdBy: number;
  expiresAt: number;
  usedAt: number | null;
}

/** Creates and accepts invites. */
export class Invites {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly people: PeopleStore,
    private readonly access: AccessControl,
  ) {}

  /** A new invite code for `role`, optionally only for one platform. */
  createInvite(
    actor: Principal,
    role: string,
    ttlMs: number = INVITE_TTL.defaultMs,
    opts: { platform?: Platform } = {},
  ): Outcome<PolicyReason | 'unknown-role' | 'bad-ttl', { code: string; expiresAt: number; role: Role }> {
    if (!isRole(role)) return { ok: false, reason: 'unknown-role' };
    if (!(ttlMs >= INVITE_TTL.minMs && ttlMs <= INVITE_TTL.maxMs)) return { ok: false, reason: 'bad-ttl' };
    const facts = this.access.actorFacts(actor);
    if (!facts) return { ok: false, reason: 'not-allowed' };
    const refused = checkInvite(facts, P.inviteCreate, role);
    if (refused) return { ok: false, reason: refused };
    const code = humanCode(12);
    const now = this.clock.now();
    const expiresAt = now + ttlMs;
    this.db
      .prepare('INSERT INTO invites (code_hash, role, platform, created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(hashCode(code), role, opts.platform ?? null, actor.personId, now, expiresAt);
    return { ok: true, code, expiresAt, role };
  }

  /** True when the text looks like one of our codes (so /start can tell a code from noise). */
  static looksLikeCode(text: string): boolean {
    return /^[0-9A-Za-z-]{8,20}$/.test(text.trim());
  }

  /** Accepts an invite: creates the identity with the invite's role, or raises a weaker known one. */
  acceptInvite(code: string, identity: string, displayName: string): Outcome<AcceptReason, { principal: Principal; upgraded: boolean }> {
    const parsed = parseIdentity(identity);
    if (!parsed) return { ok: false, reason: 'bad-identity' };
    const { db, clock } = this;
    const h = hashCode(normaliseCode(code));
    // Through the people store's transaction: a rollback must not leave its read cache stale.
    return this.people.transaction((): Outcome<AcceptReason, { principal: Principal; upgraded: boolean }> => {
      const row = db
        .prepare(
          'SELECT role, platform, created_by AS createdBy, expires_at AS expiresAt, used_at AS usedAt FROM invites WHERE code_hash = ?',
        )
        .get(h) as InviteRow | undefined;
      if (!row) return { ok: false, reason: 'unknown' };
      if (row.usedAt !== null) return { ok: false, reason: 'used' };
      if (clock.now() >= row.expiresAt) return { ok: false, reason: 'expired' };
      if (row.platform !== null && row.platform !== parsed.platform) return { ok: false, reason: 'wrong-platform' };
      const inviter = this.people.roleOf(row.createdBy);
      if (!inviter || checkInvite({ role: inviter, holds: (p) => this.access.roleHolds(inviter, p) }, P.inviteCreate, row.role)) {
        return { ok: false, reason: 'revoked' };
      }
      const known = this.people.resolve(identity);
      if (known && roleRank(known.role) >= roleRank(row.role)) return { ok: false, reason: 'already-known' };
      db.prepare('UPDATE invites SET used_at = ?, used_by = ? WHERE code_hash = ?').run(clock.now(), identity, h);
      if (known) {
        this.people.setRole(known.personId, row.role);
        return { ok: true, principal: this.people.resolve(identity) as Principal, upgraded: true };
      }
      return { ok: true, principal: this.people.enroll(identity, displayName, row.role), upgraded: false };
    });
  }

  /**
   * Admits a stranger who already wrote to the bot (the owner's "invite as family" button):
   * the same rules as an invite, without a code to pass around.
   */
  admit(
    actor: Principal,
    identity: string,
    role: string,
  ): Outcome<PolicyReason | 'unknown-role' | 'already-known' | 'not-a-stranger', { principal: Principal }> {
    if (!isRole(role)) return { ok: false, reason: 'unknown-role' };
    const facts = this.access.actorFacts(actor);
    if (!facts) return { ok: false, reason: 'not-allowed' };
    const refused = checkInvite(facts, P.inviteCreate, role);
    if (refused) return { ok: false, reason: refused };
    if (this.people.resolve(identity)) return { ok: false, reason: 'already-known' };
    const name = this.people.strangerName(identity);
    if (name === undefined) return { ok: false, reason: 'not-a-stranger' };
    return { ok: true, principal: this.people.enroll(identity, name, role) };
  }

  /** Unused, unexpired invites (for the owner's overview). */
  pending(): { role: Role; platform?: Platform; createdBy: number; expiresAt: number }[] {
    const rows = this.db
      .prepare(
        'SELECT role, platform, created_by AS createdBy, expires_at AS expiresAt FROM invites WHERE used_at IS NULL AND expires_at > ? ORDER BY expires_at',
      )
      .all(this.clock.now()) as { role: Role; platform: Platform | null; createdBy: number; expiresAt: number }[];
    return rows.map((r) => ({
      role: r.role,
      createdBy: r.createdBy,
      expiresAt: r.expiresAt,
      ...(r.platform ? { platform: r.platform } : {}),
    }));
  }
}
