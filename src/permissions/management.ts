/**
 * Guarded changes to roles, grants and chat ceilings: each decision is one of policy.ts's pure
 * checks over the actor's stored facts; the writes go to the people and grants stores.
 */
import type { AccessControl } from './access.ts';
import type { ChatRef } from '../core/chat-address.ts';
import { inherited, type GrantsStore } from './grants.ts';
import type { Outcome, PeopleStore, PersonSummary, Principal } from './people.ts';
import { P } from './permissions.ts';
import { checkCeiling, checkGrantChange, checkSetRole, type PolicyReason } from './policy.ts';
import { isRole, type Role } from './roles.ts';

/** Changes to who has which role, what each role holds, and how far a group lowers roles. */
export class Management {
  constructor(
    private readonly people: PeopleStore,
    private readonly grants: GrantsStore,
    private readonly access: AccessControl,
    /** Owners named in config: they stay owners. */
    private readonly configuredOwners: ReadonlySet<string>,
  ) {}

  /** True when the identity is an owner named in config (they stay owners). */
  isConfiguredOwner(identity: string): boolean {
    return this.configuredOwners.has(identity);
  }

  /** Changes a person's role (target: identity, `#id`, name or person id), with the actor's role in chat `where`. */
  setRole(
    actor: Principal,
    target: string | number,
    role: string,
    where?: ChatRef,
  ): Outcome<
    PolicyReason | 'unknown-role' | 'unknown-target' | 'last-owner' | 'configured-owner',
    { person: PersonSummary; previous: Role; changed: boolean }
  > {
    if (!isRole(role)) return { ok: false, reason: 'unknown-role' };
    const facts = this.access.actorFacts(actor, where);
    if (!facts) return { ok: false, reason: 'not-allowed' };
    const person = this.people.find(target);
    if (!person) return { ok: false, reason: 'unknown-target' };
    const refused = checkSetRole(facts, P.roleManage, person.role, role) ?? this.ownerGuard(person, role);
    if (refused) return { ok: false, reason: refused };
    const changed = person.role !== role;
    if (changed) this.people.setRole(person.personId, role);
    return { ok: true, person: { ...person, role }, previous: person.role, changed };
  }

  /** Removes a person and all their identities (they become strangers again). */
  forget(
    actor: Principal,
    target: string | number,
    where?: ChatRef,
  ): Outcome<PolicyReason | 'unknown-target' | 'last-owner' | 'configured-owner', { person: PersonSummary }> {
    const facts = this.access.actorFacts(actor, where);
    if (!facts) return { ok: false, reason: 'not-allowed' };
    const person = this.people.find(target);
    if (!person) return { ok: false, reason: 'unknown-target' };
    const refused = checkSetRole(facts, P.roleManage, person.role, 'guest') ?? this.ownerGuard(person, 'guest');
    if (refused) return { ok: false, reason: refused };
    this.people.remove(person.personId);
    return { ok: true, person };
  }

  /** Owners from config stay owners; the last owner cannot step down. */
  private ownerGuard(person: PersonSummary, next: Role): 'last-owner' | 'configured-owner' | undefined {
    if (person.role !== 'owner' || next === 'owner') return undefined;
    if (person.identities.some((i) => this.isConfiguredOwner(i))) return 'configured-owner';
    return this.people.ownerCount() <= 1 ? 'last-owner' : undefined;
  }

  /** Grants a permission to a role (and, by hierarchy, to every stronger role). */
  grant(
    actor: Principal,
    role: string,
    permission: string,
    where?: ChatRef,
  ): Outcome<PolicyReason | 'unknown-role' | 'owner-implicit' | 'unknown-permission', { changed: boolean }> {
    const pre = this.grantPreconditions(actor, role, permission, true, where);
    if (!pre.ok) return pre;
    return { ok: true, changed: this.grants.add(role as Role, permission, actor.personId) };
  }

  /** Revokes a role's own grant; `stillHeldVia` names a weaker role that still grants it. */
  revoke(
    actor: Principal,
    role: string,
    permission: string,
    where?: ChatRef,
  ): Outcome<PolicyReason | 'unknown-role' | 'owner-implicit' | 'unknown-permission', { changed: boolean; stillHeldVia?: Role }> {
    const pre = this.grantPreconditions(actor, role, permission, false, where);
    if (!pre.ok) return pre;
    const changed = this.grants.remove(role as Role, permission);
    const via = inherited(role as Role)
      .reverse()
      .find((r) => this.grants.grantedDirectly(r, permission));
    return via ? { ok: true, changed, stillHeldVia: via } : { ok: true, changed };
  }

  private grantPreconditions(
    actor: Principal,
    role: string,
    permission: string,
    adding: boolean,
    where: ChatRef | undefined,
  ): Outcome<PolicyReason | 'unknown-role' | 'owner-implicit' | 'unknown-permission'> {
    if (!isRole(role)) return { ok: false, reason: 'unknown-role' };
    const facts = this.access.actorFacts(actor, where);
    if (!facts) return { ok: false, reason: 'not-allowed' };
    if (role === 'owner') return { ok: false, reason: facts.role === 'owner' ? 'owner-implicit' : 'not-allowed' };
    if (!this.grants.isKnown(permission)) return { ok: false, reason: 'unknown-permission' };
    const refused = checkGrantChange(facts, P.grantManage, role, permission, this.grants.isOwnerOnly(permission), adding);
    return refused ? { ok: false, reason: refused } : { ok: true };
  }

  /**
   * Sets (or with null lifts) the role limit of group `chat`, with the actor's role in chat
   * `where` (commands pass the chat they were typed in). A limit set by someone stronger than the
   * actor is theirs to raise.
   */
  setChatCeiling(
    actor: Principal,
    chat: ChatRef,
    maxRole: string | null,
    where?: ChatRef,
  ): Outcome<PolicyReason | 'unknown-role' | 'private-chat', { previous?: Role; effective?: Role; changed: boolean }> {
    if (maxRole !== null && !isRole(maxRole)) return { ok: false, reason: 'unknown-role' };
    if (chat.kind === 'private') return { ok: false, reason: 'private-chat' };
    const facts = this.access.actorFacts(actor, where);
    if (!facts) return { ok: false, reason: 'not-allowed' };
    const previous = this.grants.chatCeiling(chat);
    const setBy = this.grants.chatCeilingSetBy(chat);
    const setterRole = setBy === undefined ? undefined : this.people.roleOf(setBy);
    const refused = checkCeiling(facts, P.ceilingManage, previous, maxRole, setterRole);
    if (refused) return { ok: false, reason: refused };
    this.grants.setChatCeiling(chat, maxRole, actor.personId);
    // A configured ceiling still applies after a stored one is lifted or raised.
    const effective = this.grants.chatCeiling(chat);
    return { ok: true, changed: previous !== effective, ...(previous ? { previous } : {}), ...(effective ? { effective } : {}) };
  }
}
