/**
 * Who is this and may they: read-only decisions over the people store (identities → persons →
 * roles) and the grants store (hierarchical role grants, chat ceilings), plus the per-identity
 * rate limit. Nothing here writes a table; changes go through management.ts, invites.ts,
 * linking.ts and setup.ts on the stores.
 */
import type { Clock } from '../core/clock.ts';
import type { Language } from '../core/i18n.ts';
import type { ChatRef } from '../core/chat-address.ts';
import type { GrantsStore } from './grants.ts';
import type { PeopleStore, Principal } from './people.ts';
import type { Permission } from './permissions.ts';
import type { ActorFacts } from './policy.ts';
import { RateLimiter } from './rate-limit.ts';

/** What the per-person limit says about one command. */
export type RateVerdict = 'allowed' | 'refused' | 'refused-quietly';
import { minRole, type Role } from './roles.ts';

export type { ChatRef } from '../core/chat-address.ts';
export type { Caller, Outcome, PersonSummary, Principal, Stranger } from './people.ts';

/** Messages one stranger may send per minute before they are dropped unread and unwritten. */
export const STRANGER_PER_MINUTE = 5;
/** Messages all strangers together may send per minute (many fresh accounts are still one flood). */
export const STRANGERS_PER_MINUTE = 60;
const ALL_STRANGERS = '*';

/** Read-only permission decisions. */
export class AccessControl {
  private readonly limiter: RateLimiter;
  private readonly strangerLimiter: RateLimiter;
  private readonly allStrangersLimiter: RateLimiter;

  constructor(
    private readonly people: PeopleStore,
    private readonly grants: GrantsStore,
    clock: Clock,
    opts: { rateLimit?: { perMinute: number } } = {},
  ) {
    this.limiter = new RateLimiter(clock, opts.rateLimit?.perMinute ?? 20);
    this.strangerLimiter = new RateLimiter(clock, STRANGER_PER_MINUTE);
    this.allStrangersLimiter = new RateLimiter(clock, STRANGERS_PER_MINUTE);
  }

  /** The person behind an identity; undefined for strangers. */
  resolve(identity: string): Principal | undefined {
    return this.people.resolve(identity);
  }

  /** A known person's chosen language, if any. */
  getLanguage(identity: string): Language | undefined {
    return this.people.resolve(identity)?.language;
  }

  /** The language to write to someone in unprompted (pushes): their /lang choice, else their app's language. */
  languageOf(identity: string): Language | undefined {
    const p = this.people.resolve(identity);
    return p?.language ?? p?.platformLanguage;
  }

  /** The role that counts in this chat: a group's ceiling lowers it; private chats use the person's. */
  effectiveRole(p: Principal, chat: ChatRef): Role {
    if (chat.kind === 'private') return p.role;
    const ceiling = this.grants.chatCeiling(chat);
    return ceiling ? minRole(p.role, ceiling) : p.role;
  }

  /**
   * The role a button posted to a chat is built for: in a private chat its person's (none for a
   * stranger), in a group or channel its ceiling when it has one, else the top role (every press
   * is still authorised with the presser's own role).
   */
  roleForChat(chat: ChatRef): Role | undefined {
    if (chat.kind === 'private') return this.people.resolve(`${chat.platform}:${chat.id}`)?.role;
    return this.grants.chatCeiling(chat) ?? 'owner';
  }

  /** May this person use the permission in this chat? Owner (after the ceiling) may do anything. */
  can(p: Principal, chat: ChatRef, permission: Permission): boolean {
    return this.grants.roleHolds(this.effectiveRole(p, chat), permission);
  }

  /** Whether a role holds a permission, through its own grants or a weaker role's. */
  roleHolds(role: Role, permission: string): boolean {
    return this.grants.roleHolds(role, permission);
  }

  /** Changes whenever a grant, known permission or chat ceiling changes (derived caches key on it). */
  get grantsGeneration(): number {
    return this.grants.generation;
  }

  /** Every permission a role holds (owner: every known one). */
  permissionsOf(role: Role): Permission[] {
    return this.grants.permissionsOf(role);
  }

  /**
   * The actor's facts as stored now (a stale Principal never carries old powers); with `where`,
   * the role that applies in that chat (a group's ceiling lowers it, for role management too).
   */
  actorFacts(actor: Principal, where?: ChatRef): ActorFacts | undefined {
    const stored = this.people.roleOf(actor.personId);
    if (!stored) return undefined;
    const role = where ? this.effectiveRole({ ...actor, role: stored }, where) : stored;
    return { role, holds: (perm) => this.grants.roleHolds(role, perm) };
  }

  /** Known principals of role ≥ admin whose role holds the permission (who may approve a request). */
  approversFor(permission: string): Principal[] {
    return this.people.staff().filter((p) => this.grants.roleHolds(p.role, permission));
  }

  /**
   * Counts one command: `allowed`, or over the per-minute limit — `refused` the first time in a
   * window (tell them once), `refused-quietly` after that (a flood gets no reply per message).
   */
  consumeRateLimit(identity: string): RateVerdict {
    if (this.limiter.consume(identity)) return 'allowed';
    return this.limiter.tellRefusal(identity) ? 'refused' : 'refused-quietly';
  }

  /**
   * Counts one message from a stranger, in memory only: false when that stranger, or all strangers
   * together, are over their per-minute limit (the message is then dropped before any write).
   */
  consumeStrangerLimit(identity: string): boolean {
    return this.strangerLimiter.consume(identity) && this.allStrangersLimiter.consume(ALL_STRANGERS);
  }

  /** Whether the owner chose to ignore this stranger. */
  strangerIgnored(identity: string): boolean {
    return this.people.strangerIgnored(identity);
  }
}
