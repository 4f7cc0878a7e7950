/**
 * Guarded changes to roles, grants and chat ceilings. AccessControl's methods of the same
 * names delegate here; every decision is one of policy.ts's pure checks.
 */
import type { AccessControl, ChatRef, Outcome, PersonSummary, Principal } from './access.ts';
import { chatKey } from './chat.ts';
import { P } from './permissions.ts';
import { checkCeiling, checkGrantChange, checkSetRole, type PolicyReason } from './policy.ts';
import { isRole, ROLES, roleRank, type Role } from './roles.ts';

/** Roles whose grants a role inherits: itself and every weaker stored role. */
export const inherited = (r: Role): Role[] => ROLES.filter((x) => x !== 'owner' && roleRank(x) <= roleRank(r));

/** Changes a person's role (target: identity, `#id`, name or person id). */
export function setRole(
  access: AccessControl,
  actor: Principal,
  target: string | number,
  role: string,
): Outcome<
  PolicyReason | 'unknown-role' | 'unknown-target' | 'last-owner' | 'configured-owner',
  { person: PersonSummary; previous: Role; changed: boolean }
> {
  if (!isRole(role)) return { ok: false, reason: 'unknown-role' };
  const facts = access.actorFacts(actor);
  if (!facts) return { ok: false, reason: 'not-allowed' };
  const person = access.findPerson(target);
  if (!person) return { ok: false, reason: 'unknown-target' };
  const refused = checkSetRole(facts, P.roleManage, person.role, role) ?? ownerGuard(access, person, role);
  if (refused) return { ok: false, reason: refused };
  const changed = person.role !== role;
  if (changed) access.db.prepare('UPDATE persons SET role = ? WHERE id = ?').run(role, person.personId);
  return { ok: true, person: { ...person, role }, previous: person.role, changed };
}

/** Removes a person and all their identities (they become strangers again). */
export function forget(
  access: AccessControl,
  actor: Principal,
  target: string | number,
): Outcome<PolicyReason | 'unknown-target' | 'last-owner' | 'configured-owner', { person: PersonSummary }> {
  const facts = access.actorFacts(actor);
  if (!facts) return { ok: false, reason: 'not-allowed' };
  const person = access.findPerson(target);
  if (!person) return { ok: false, reason: 'unknown-target' };
  const refused = checkSetRole(facts, P.roleManage, person.role, 'guest') ?? ownerGuard(access, person, 'guest');
  if (refused) return { ok: false, reason: refused };
  access.db.prepare('DELETE FROM persons WHERE id = ?').run(person.personId);
  return { ok: true, person };
}

/** Owners from config stay owners; the last owner cannot step down. */
function ownerGuard(access: AccessControl, person: PersonSummary, next: Role): 'last-owner' | 'configured-owner' | undefined {
  if (person.role !== 'owner' || next === 'owner') return undefined;
  if (person.identities.some((i) => access.isConfiguredOwner(i))) return 'configured-owner';
  const owners = access.db.prepare("SELECT count(*) FROM persons WHERE role = 'owner'").pluck().get() as number;
  return owners <= 1 ? 'last-owner' : undefined;
}

/** Grants a permission to a role (and, by hierarchy, to every stronger role). */
export function grant(
  access: AccessControl,
  actor: Principal,
  role: string,
  permission: string,
): Outcome<PolicyReason | 'unknown-role' | 'owner-implicit' | 'unknown-permission', { changed: boolean }> {
  const pre = grantPreconditions(access, actor, role, permission, true);
  if (!pre.ok) return pre;
  const changed =
    access.db
      .prepare('INSERT OR IGNORE INTO grants (role, permission, granted_by, granted_at) VALUES (?, ?, ?, ?)')
      .run(role, permission, actor.personId, access.clock.now()).changes === 1;
  return { ok: true, changed };
}

/** Revokes a role's own grant; `stillHeldVia` names a weaker role that still grants it. */
export function revoke(
  access: AccessControl,
  actor: Principal,
  role: string,
  permission: string,
): Outcome<PolicyReason | 'unknown-role' | 'owner-implicit' | 'unknown-permission', { changed: boolean; stillHeldVia?: Role }> {
  const pre = grantPreconditions(access, actor, role, permission, false);
  if (!pre.ok) return pre;
  const changed = access.db.prepare('DELETE FROM grants WHERE role = ? AND permission = ?').run(role, permission).changes === 1;
  const via = inherited(role as Role)
    .reverse()
    .find((r) => access.db.prepare('SELECT 1 FROM grants WHERE role = ? AND permission = ?').get(r, permission));
  return via ? { ok: true, changed, stillHeldVia: via } : { ok: true, changed };
}

function grantPreconditions(
  access: AccessControl,
  actor: Principal,
  role: string,
  permission: string,
  adding: boolean,
): Outcome<PolicyReason | 'unknown-role' | 'owner-implicit' | 'unknown-permission'> {
  if (!isRole(role)) return { ok: false, reason: 'unknown-role' };
  const facts = access.actorFacts(actor);
  if (!facts) return { ok: false, reason: 'not-allowed' };
  if (role === 'owner') return { ok: false, reason: facts.role === 'owner' ? 'owner-implicit' : 'not-allowed' };
  const known = access.db.prepare('SELECT 1 FROM known_permissions WHERE permission = ?').get(permission) !== undefined;
  if (!known) return { ok: false, reason: 'unknown-permission' };
  const refused = checkGrantChange(facts, P.grantManage, role, permission, access.isOwnerOnly(permission), adding);
  return refused ? { ok: false, reason: refused } : { ok: true };
}

/** Sets (or with null lifts) the role limit of a group chat. */
export function setChatCeiling(
  access: AccessControl,
  actor: Principal,
  chat: ChatRef,
  maxRole: string | null,
): Outcome<PolicyReason | 'unknown-role' | 'private-chat', { previous?: Role; effective?: Role; changed: boolean }> {
  if (maxRole !== null && !isRole(maxRole)) return { ok: false, reason: 'unknown-role' };
  if (chat.kind === 'private') return { ok: false, reason: 'private-chat' };
  const facts = access.actorFacts(actor);
  if (!facts) return { ok: false, reason: 'not-allowed' };
  const previous = access.chatCeiling(chat);
  const refused = checkCeiling(facts, P.ceilingManage, previous, maxRole);
  if (refused) return { ok: false, reason: refused };
  if (maxRole === null) access.db.prepare('DELETE FROM chat_ceilings WHERE chat = ?').run(chatKey(chat));
  else
    access.db
      .prepare(
        'INSERT INTO chat_ceilings (chat, max_role, set_by, set_at) VALUES (?, ?, ?, ?) ON CONFLICT (chat) DO UPDATE SET max_role = excluded.max_role, set_by = excluded.set_by, set_at = excluded.set_at',
      )
      .run(chatKey(chat), maxRole, actor.personId, access.clock.now());
  // A configured ceiling still applies after a stored one is lifted or raised.
  const effective = access.chatCeiling(chat);
  return { ok: true, changed: previous !== effective, ...(previous ? { previous } : {}), ...(effective ? { effective } : {}) };
}
