/**
 * The pure policy of who may change roles, grants and chat ceilings. The rule behind every
 * check: nothing a non-owner does can leave anyone (themselves included) with a role or a
 * permission the actor does not have; owner-only permissions and roles ≥ admin are the
 * owner's alone. AccessControl reads the facts from SQLite and asks these functions.
 */
import { atLeast, roleRank, type Role } from './roles.ts';

/** Why a change was refused. */
export type PolicyReason =
  | 'not-allowed' // the actor lacks the managing permission or the target is not below them
  | 'above-own-role' // the change would give a role stronger than the actor's
  | 'owner-only' // only the owner may grant or revoke this permission
  | 'not-held'; // the actor cannot hand out a permission they do not hold

/** Facts about the acting person needed by every check. */
export interface ActorFacts {
  role: Role;
  /** Whether the actor's role holds a permission (hierarchical grants). */
  holds: (permission: string) => boolean;
}

/** May the actor move a person from `current` to `next`? */
export function checkSetRole(actor: ActorFacts, manage: string, current: Role, next: Role): PolicyReason | undefined {
  if (actor.role === 'owner') return undefined;
  if (!actor.holds(manage)) return 'not-allowed';
  // Peers and stronger people are untouchable: no demoting another admin, no self-promotion.
  if (roleRank(current) >= roleRank(actor.role)) return 'not-allowed';
  if (roleRank(next) > roleRank(actor.role)) return 'above-own-role';
  return undefined;
}

/** May the actor add (or remove) a role → permission grant? */
export function checkGrantChange(
  actor: ActorFacts,
  manage: string,
  role: Role,
  permission: string,
  ownerOnly: boolean,
  adding: boolean,
): PolicyReason | undefined {
  if (actor.role === 'owner') return undefined;
  if (!actor.holds(manage)) return 'not-allowed';
  // Only the owner touches roles ≥ admin; a non-owner only roles strictly below their own.
  if (atLeast(role, 'admin') || roleRank(role) >= roleRank(actor.role)) return 'not-allowed';
  if (ownerOnly) return 'owner-only';
  if (adding && !actor.holds(permission)) return 'not-held';
  return undefined;
}

/** May the actor set a group's ceiling to `next` (null = lift it) when it is `current`? */
export function checkCeiling(
  actor: ActorFacts,
  manage: string,
  current: Role | undefined,
  next: Role | null,
  setterRole?: Role,
): PolicyReason | undefined {
  if (actor.role === 'owner') return undefined;
  if (!actor.holds(manage)) return 'not-allowed';
  // Lifting a ceiling would also raise the owner in that chat: owner only.
  if (next === null) return 'not-allowed';
  if (current !== undefined && roleRank(current) > roleRank(actor.role)) return 'not-allowed';
  // A limit set by someone stronger is theirs to raise (lowering it further is fine).
  const raising = current !== undefined && roleRank(next) > roleRank(current);
  if (raising && setterRole !== undefined && roleRank(setterRole) > roleRank(actor.role)) return 'not-allowed';
  if (roleRank(next) > roleRank(actor.role)) return 'above-own-role';
  return undefined;
}

/** May the actor invite someone as `role`? Owners are made by config or setup code, never invited. */
export function checkInvite(actor: ActorFacts, manage: string, role: Role): PolicyReason | undefined {
  if (role === 'owner') return 'above-own-role';
  if (actor.role === 'owner') return undefined;
  if (!actor.holds(manage)) return 'not-allowed';
  if (roleRank(role) > roleRank(actor.role)) return 'above-own-role';
  return undefined;
}
