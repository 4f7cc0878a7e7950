/**
 * Who is this and may they: identities → persons → roles, hierarchical role grants, chat
 * ceilings, and the guarded changes to all of them. Every fact lives in SQLite (see
 * migrations.ts); the decisions about changes are the pure functions of policy.ts.
 */
import type { Clock } from '../core/clock.ts';
import type { Db } from '../core/db.ts';
import type { Statement } from 'better-sqlite3';
import type { Language } from '../core/i18n.ts';
import { chatKey, parseChatKey, parseIdentity, type ChatRef, type Platform } from './chat.ts';
import { defaultRoleFor, isPermission, OWNER_ONLY, type Permission } from './permissions.ts';
import { forget, grant, inherited, revoke, setChatCeiling, setRole } from './management.ts';
import type { ActorFacts } from './policy.ts';
import { RateLimiter } from './rate-limit.ts';
import { atLeast, isRole, minRole, roleRank, type Role } from './roles.ts';
import { claimSetup, createSetup } from './setup.ts';

export type { ChatRef } from './chat.ts';

/** A known person speaking through one identity. */
export interface Principal {
  personId: number;
  /** `telegram:123`, `discord:456`. */
  identity: string;
  role: Role;
  displayName: string;
  language?: Language;
}

/** A person with all their linked identities (menus, /role). */
export interface PersonSummary {
  personId: number;
  displayName: string;
  role: Role;
  identities: string[];
}

/** Success (with extra fields) or a refusal reason. */
export type Outcome<R extends string, T extends object = object> = ({ ok: true } & T) | { ok: false; reason: R };

/** Options from the composition root. */
export interface AccessOptions {
  /** Owner identities from config; they are (re)made owners at start-up. */
  owners: string[];
  rateLimit?: { perMinute: number };
  /** Ceilings from config (`telegram:-100123` → family); chat commands can lower but never lift them. */
  chatCeilings?: readonly { chat: string; maxRole: Role }[];
}

interface PrincipalRow {
  personId: number;
  identity: string;
  role: Role;
  displayName: string;
  language: Language | null;
}

const toPrincipal = (r: PrincipalRow): Principal => ({
  personId: r.personId,
  identity: r.identity,
  role: r.role,
  displayName: r.displayName,
  ...(r.language ? { language: r.language } : {}),
});

const PRINCIPAL_SQL = `SELECT p.id AS personId, i.identity, p.role, p.display_name AS displayName, p.language
  FROM identities i JOIN persons p ON p.id = i.person_id`;

/** Identity resolution, permission checks and guarded changes to roles, grants and ceilings. */
export class AccessControl {
  /** Prepared statements by SQL text: every command checks identity and grants, so compile once. */
  private readonly statements = new Map<string, Statement>();
  private readonly limiter: RateLimiter;
  private readonly owners: ReadonlySet<string>;
  private readonly configCeilings: ReadonlyMap<string, Role>;

  constructor(
    readonly db: Db,
    readonly clock: Clock,
    opts: AccessOptions,
  ) {
    for (const o of opts.owners) if (!parseIdentity(o)) throw new Error(`owner identity "${o}" is not platform:id`);
    this.owners = new Set(opts.owners);
    this.configCeilings = new Map((opts.chatCeilings ?? []).map((c) => [c.chat, c.maxRole]));
    this.limiter = new RateLimiter(clock, opts.rateLimit?.perMinute ?? 20);
    for (const o of this.owners) {
      const known = this.resolve(o);
      if (!known) this.enroll(o, o, 'owner');
      else if (known.role !== 'owner') this.sql("UPDATE persons SET role = 'owner' WHERE id = ?").run(known.personId);
    }
  }

  /** A cached prepared statement (each call site uses its SQL text in one mode only). */
  private sql(text: string): Statement {
    let st = this.statements.get(text);
    if (!st) {
      st = this.db.prepare(text);
      this.statements.set(text, st);
    }
    return st;
  }

  /** The person behind an identity; undefined for strangers. */
  resolve(identity: string): Principal | undefined {
    const row = this.sql(`${PRINCIPAL_SQL} WHERE i.identity = ?`).get(identity) as PrincipalRow | undefined;
    return row && toPrincipal(row);
  }

  /** The role that counts in this chat: a group's ceiling lowers it; private chats use the person's. */
  effectiveRole(p: Principal, chat: ChatRef): Role {
    if (chat.kind === 'private') return p.role;
    const ceiling = this.chatCeiling(chat);
    return ceiling ? minRole(p.role, ceiling) : p.role;
  }

  /** May this person use the permission in this chat? Owner (after the ceiling) may do anything. */
  can(p: Principal, chat: ChatRef, permission: Permission): boolean {
    return this.roleHolds(this.effectiveRole(p, chat), permission);
  }

  /** Whether a role holds a permission, through its own grants or a weaker role's. */
  roleHolds(role: Role, permission: string): boolean {
    if (role === 'owner') return true;
    const roles = inherited(role);
    const sql = `SELECT 1 FROM grants WHERE permission = ? AND role IN (${roles.map(() => '?').join(',')})`;
    return this.sql(sql).get(permission, ...roles) !== undefined;
  }

  /** Every permission a role holds (owner: every known one). */
  permissionsOf(role: Role): Permission[] {
    if (role === 'owner') return this.knownPermissions().map((k) => k.permission);
    const roles = inherited(role);
    const sql = `SELECT DISTINCT permission FROM grants WHERE role IN (${roles.map(() => '?').join(',')}) ORDER BY permission`;
    return this.sql(sql)
      .pluck()
      .all(...roles) as Permission[];
  }

  /** Known permissions with the roles granted each directly (menus). */
  knownPermissions(): { permission: Permission; ownerOnly: boolean; grantedTo: Role[] }[] {
    const rows = this.sql(
      `SELECT k.permission, k.owner_only AS ownerOnly, group_concat(g.role) AS roles
       FROM known_permissions k LEFT JOIN grants g ON g.permission = k.permission
       GROUP BY k.permission ORDER BY k.permission`,
    ).all() as { permission: Permission; ownerOnly: number; roles: string | null }[];
    return rows.map((r) => ({
      permission: r.permission,
      ownerOnly: r.ownerOnly === 1,
      grantedTo: (r.roles ?? '').split(',').filter(isRole),
    }));
  }

  /**
   * Registers every command's permission at start-up. A permission seen for the first time gets
   * its default grant (admin unless owner-only); later starts never re-grant what the owner revoked.
   * Throws on a malformed name: a command without a proper permission must not register.
   */
  ensureKnownPermissions(perms: readonly string[], ownerOnly: readonly string[] = []): void {
    for (const p of [...perms, ...ownerOnly]) if (!isPermission(p)) throw new Error(`malformed permission "${p}"`);
    const onlyOwner = new Set<string>([...OWNER_ONLY, ...ownerOnly]);
    const at = this.clock.now();
    const known = this.sql('INSERT OR IGNORE INTO known_permissions (permission, owner_only, first_seen_at) VALUES (?, ?, ?)');
    const grant = this.sql('INSERT OR IGNORE INTO grants (role, permission, granted_by, granted_at) VALUES (?, ?, NULL, ?)');
    const mark = this.sql('UPDATE known_permissions SET owner_only = 1 WHERE permission = ?');
    this.db.transaction(() => {
      for (const p of new Set([...perms, ...ownerOnly]) as Set<Permission>) {
        if (known.run(p, onlyOwner.has(p) ? 1 : 0, at).changes === 1) {
          const role = defaultRoleFor(p, onlyOwner);
          if (role) grant.run(role, p, at);
        } else if (onlyOwner.has(p)) mark.run(p);
      }
    })();
  }

  /** True when only the owner may grant or revoke the permission. */
  isOwnerOnly(permission: string): boolean {
    if ((OWNER_ONLY as readonly string[]).includes(permission)) return true;
    return this.sql('SELECT 1 FROM known_permissions WHERE permission = ? AND owner_only = 1').get(permission) !== undefined;
  }

  /** Counts one command; false when the identity is over its per-minute limit. */
  consumeRateLimit(identity: string): boolean {
    return this.limiter.consume(identity);
  }

  /** Records a stranger; 'first' exactly once per identity so the owner is told once. */
  noteUnknownUser(identity: string, displayName: string): 'first' | 'seen' {
    const now = this.clock.now();
    const inserted =
      this.sql(
        `INSERT INTO unknown_users (identity, display_name, first_seen_at, last_seen_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (identity) DO NOTHING`,
      ).run(identity, displayName.slice(0, 100), now, now).changes === 1;
    if (!inserted) this.sql('UPDATE unknown_users SET last_seen_at = ?, attempts = attempts + 1 WHERE identity = ?').run(now, identity);
    return inserted ? 'first' : 'seen';
  }

  /** Stores a known person's language (/lang); false for strangers. */
  setLanguage(identity: string, lang: Language): boolean {
    return (
      this.sql('UPDATE persons SET language = ? WHERE id = (SELECT person_id FROM identities WHERE identity = ?)').run(lang, identity)
        .changes === 1
    );
  }

  /** A known person's chosen language, if any. */
  getLanguage(identity: string): Language | undefined {
    return this.resolve(identity)?.language;
  }

  /** The role limit of a group chat, if one is set (the lower of config's and the stored one). */
  chatCeiling(chat: ChatRef): Role | undefined {
    if (chat.kind === 'private') return undefined;
    const stored = this.sql('SELECT max_role FROM chat_ceilings WHERE chat = ?').pluck().get(chatKey(chat)) as Role | undefined;
    const configured = this.configCeilings.get(`${chat.platform}:${chat.id}`);
    return stored && configured ? minRole(stored, configured) : (stored ?? configured);
  }

  /** Every group with a ceiling, stored ones (changeable from chat) and configured ones. */
  chatCeilings(): { chat: ChatRef; maxRole: Role; fromConfig: boolean }[] {
    const rows = this.sql('SELECT chat, max_role AS maxRole FROM chat_ceilings ORDER BY chat').all() as { chat: string; maxRole: Role }[];
    const stored = rows.flatMap((r) => {
      const chat = parseChatKey(r.chat);
      return chat ? [{ chat, maxRole: r.maxRole, fromConfig: false }] : [];
    });
    const configured = [...this.configCeilings].flatMap(([key, maxRole]) => {
      const m = /^(telegram|discord|console):(.+)$/.exec(key);
      return m ? [{ chat: { platform: m[1] as Platform, id: m[2] as string, kind: 'group' as const }, maxRole, fromConfig: true }] : [];
    });
    return [...stored, ...configured];
  }

  /** Everyone known, strongest first (menus). */
  people(): PersonSummary[] {
    const rows = this.sql(
      `SELECT p.id AS personId, p.display_name AS displayName, p.role, group_concat(i.identity) AS ids
       FROM persons p LEFT JOIN identities i ON i.person_id = p.id GROUP BY p.id ORDER BY p.id`,
    ).all() as { personId: number; displayName: string; role: Role; ids: string | null }[];
    return rows
      .map((r) => ({
        personId: r.personId,
        displayName: r.displayName,
        role: r.role,
        identities: (r.ids ?? '').split(',').filter(Boolean).sort(),
      }))
      .sort((a, b) => roleRank(b.role) - roleRank(a.role) || a.personId - b.personId);
  }

  /** Finds a person by `#id`, person id, identity or (unique, case-insensitive) display name. */
  findPerson(query: string | number): PersonSummary | undefined {
    const all = this.people();
    if (typeof query === 'number') return all.find((p) => p.personId === query);
    const q = query.trim();
    const id = /^#?(\d+)$/.exec(q);
    if (id) return all.find((p) => p.personId === Number(id[1]));
    const byIdentity = all.find((p) => p.identities.includes(q));
    if (byIdentity) return byIdentity;
    const byName = all.filter((p) => p.displayName.toLowerCase() === q.toLowerCase());
    return byName.length === 1 ? byName[0] : undefined;
  }

  /** Known principals of role ≥ admin whose role holds the permission (who may approve a request). */
  approversFor(permission: string): Principal[] {
    const rows = this.sql(`${PRINCIPAL_SQL} WHERE p.role IN ('owner','admin') ORDER BY p.id, i.identity`).all() as PrincipalRow[];
    return rows.map(toPrincipal).filter((p) => this.roleHolds(p.role, permission));
  }

  /** Creates a person with one identity (invites, setup, config owners). */
  enroll(identity: string, displayName: string, role: Role): Principal {
    if (!parseIdentity(identity)) throw new Error(`identity "${identity}" is not platform:id`);
    const at = this.clock.now();
    const name = displayName.trim().slice(0, 100) || identity;
    this.db.transaction(() => {
      const personId = this.sql('INSERT INTO persons (display_name, role, created_at) VALUES (?, ?, ?)').run(
        name,
        role,
        at,
      ).lastInsertRowid;
      this.attach(Number(personId), identity, name);
      this.sql('DELETE FROM unknown_users WHERE identity = ?').run(identity);
    })();
    return this.resolve(identity) as Principal;
  }

  /** Adds an identity to an existing person. */
  attach(personId: number, identity: string, displayName: string): void {
    const platform = parseIdentity(identity)?.platform;
    if (!platform) throw new Error(`identity "${identity}" is not platform:id`);
    this.sql('INSERT INTO identities (identity, person_id, platform, display_name, created_at) VALUES (?, ?, ?, ?, ?)').run(
      identity,
      personId,
      platform,
      displayName.slice(0, 100) || identity,
      this.clock.now(),
    );
  }

  /** The actor's facts as stored now (a stale Principal never carries old powers). */
  actorFacts(actor: Principal): ActorFacts | undefined {
    const role = this.sql('SELECT role FROM persons WHERE id = ?').pluck().get(actor.personId) as Role | undefined;
    return role && { role, holds: (perm) => this.roleHolds(role, perm) };
  }

  /** Changes a person's role (target: identity, `#id`, name or person id). */
  setRole(actor: Principal, target: string | number, role: string): ReturnType<typeof setRole> {
    return setRole(this, actor, target, role);
  }

  /** Removes a person and all their identities (they become strangers again). */
  forget(actor: Principal, target: string | number): ReturnType<typeof forget> {
    return forget(this, actor, target);
  }

  /** Grants a permission to a role (and, by hierarchy, to every stronger role). */
  grant(actor: Principal, role: string, permission: string): ReturnType<typeof grant> {
    return grant(this, actor, role, permission);
  }

  /** Revokes a role's own grant; `stillHeldVia` names a weaker role that still grants it. */
  revoke(actor: Principal, role: string, permission: string): ReturnType<typeof revoke> {
    return revoke(this, actor, role, permission);
  }

  /** Sets (or with null lifts) the role limit of a group chat. */
  setChatCeiling(actor: Principal, chat: ChatRef, maxRole: string | null): ReturnType<typeof setChatCeiling> {
    return setChatCeiling(this, actor, chat, maxRole);
  }

  /** True when the identity is an owner named in config (they stay owners). */
  isConfiguredOwner(identity: string): boolean {
    return this.owners.has(identity);
  }

  /** True when some person is an owner. */
  hasOwner(): boolean {
    return this.sql("SELECT 1 FROM persons WHERE role = 'owner'").get() !== undefined;
  }

  /** Bootstrap: a one-time owner code when no owner is configured or stored; undefined otherwise. */
  createSetupCode(ttlMs = 24 * 3_600_000): string | undefined {
    if (this.owners.size > 0 || this.hasOwner()) return undefined;
    return createSetup(this.db, this.clock, ttlMs);
  }

  /** Makes whoever sends the setup code the owner (once). */
  claimSetupCode(
    code: string,
    identity: string,
    displayName: string,
  ): Outcome<'unknown' | 'expired' | 'used' | 'owner-exists' | 'bad-identity', { principal: Principal }> {
    if (!parseIdentity(identity)) return { ok: false, reason: 'bad-identity' };
    return claimSetup(this, code, identity, displayName);
  }

  /** True when a role is at least admin (approvers, admin menus). */
  static isStaff(role: Role): boolean {
    return atLeast(role, 'admin');
  }
}
