/**
 * The household's roles, strongest first in the model (owner > admin > family > guest).
 * Pure functions only: the policy compares roles through these so nobody compares strings.
 */

/** Every role, strongest first (the order menus show them in). */
export const ROLES = ['owner', 'admin', 'family', 'guest'] as const;

/** One role. */
export type Role = (typeof ROLES)[number];

/** True when the string names a role (arguments typed in chat). */
export function isRole(s: string): s is Role {
  return (ROLES as readonly string[]).includes(s);
}

/** Rank of a role: guest 0 … owner 3. */
export function roleRank(r: Role): number {
  return ROLES.length - 1 - ROLES.indexOf(r);
}

/** True when `r` is `min` or stronger. */
export function atLeast(r: Role, min: Role): boolean {
  return roleRank(r) >= roleRank(min);
}

/** The weaker of two roles (a chat ceiling applied to a person's role). */
export function minRole(a: Role, b: Role): Role {
  return roleRank(a) <= roleRank(b) ? a : b;
}
