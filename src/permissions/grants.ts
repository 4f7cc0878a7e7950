/**
 * The grants store: the only module that reads or writes `grants`, `known_permissions` and
 * `chat_ceilings`. Which role holds which permission (hierarchically: a role inherits every
 * weaker role's grants) and how far a group chat lowers roles. No decisions about who may
 * change them: that is management.ts over policy.ts.
 */
import type { Clock } from '../core/clock.ts';
import { statementCache, type Db } from '../core/db.ts';
import { chatAddress, chatStorageKey, parseAddress, parseChatStorageKey, type ChatRef } from '../core/chat-address.ts';
import { defaultRoleFor, isPermission, OWNER_ONLY, type Permission } from './permissions.ts';
import { isRole, minRole, ROLES, roleRank, type Role } from './roles.ts';
import { WriteGeneration } from './write-generation.ts';

/** Roles whose grants a role inherits: itself and every weaker stored role. */
export const inherited = (r: Role): Role[] => ROLES.filter((x) => x !== 'owner' && roleRank(x) <= roleRank(r));

/** A known permission with the roles granted it directly (menus). */
export interface KnownPermission {
  permission: Permission;
  ownerOnly: boolean;
  grantedTo: Role[];
}

/** A group chat's role limit and where it comes from. */
export interface ChatCeiling {
  chat: ChatRef;
  maxRole: Role;
  fromConfig: boolean;
}

/**
 * Role → permission grants, the known permissions, and chat ceilings (stored and configured).
 * Per-command reads (what a role holds, a chat's ceiling) come from memory; every write goes
 * through `write()`, which drops the cache and bumps `generation`, so a revoke or a lowered
 * ceiling counts from the very next command.
 */
export class GrantsStore {
  private readonly sql: ReturnType<typeof statementCache>;
  private readonly configCeilings: ReadonlyMap<string, Role>;
  /** Permissions each stored role holds (inherited included), loaded on first use. */
  private held = new Map<Role, ReadonlySet<string>>();
  /** Stored ceilings by chat key, loaded on first use. */
  private storedCeilings: ReadonlyMap<string, Role> | undefined;
  private readonly writes = new WriteGeneration(() => {
    this.held = new Map();
    this.storedCeilings = undefined;
  });

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    /** Ceilings from config (`telegram:-100123` → family); chat commands can lower but never lift them. */
    configCeilings: readonly { chat: string; maxRole: Role }[] = [],
  ) {
    this.sql = statementCache(db);
    this.configCeilings = new Map(configCeilings.map((c) => [c.chat, c.maxRole]));
  }

  /** Bumped by every write to grants/known permissions/ceilings: caches built over this store key on it. */
  get generation(): number {
    return this.writes.value;
  }

  /** Calls `listener` after every write to grants/known permissions/ceilings; returns the unsubscribe. */
  onWrite(listener: () => void): () => void {
    return this.writes.onWrite(listener);
  }

  /** Every change runs through here (see WriteGeneration). */
  private write<T>(fn: () => T): T {
    return this.writes.run(fn);
  }

  private heldBy(role: Role): ReadonlySet<string> {
    let set = this.held.get(role);
    if (!set) {
      const roles = inherited(role);
      const sql = `SELECT DISTINCT permission FROM grants WHERE role IN (${roles.map(() => '?').join(',')})`;
      set = new Set(
        this.sql(sql)
          .pluck()
          .all(...roles) as string[],
      );
      this.held.set(role, set);
    }
    return set;
  }

  /** Whether a role holds a permission, through its own grants or a weaker role's. */
  roleHolds(role: Role, permission: string): boolean {
    if (role === 'owner') return true;
    return this.heldBy(role).has(permission);
  }

  /** Whether this exact role has its own grant of the permission. */
  grantedDirectly(role: Role, permission: string): boolean {
    return this.sql('SELECT 1 FROM grants WHERE role = ? AND permission = ?').get(role, permission) !== undefined;
  }

  /** Every permission a role holds (owner: every known one). */
  permissionsOf(role: Role): Permission[] {
    if (role === 'owner') return this.known().map((k) => k.permission);
    return ([...this.heldBy(role)] as Permission[]).sort();
  }

  /** Known permissions with the roles granted each directly (menus). */
  known(): KnownPermission[] {
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

  /** True when some command registered this permission. */
  isKnown(permission: string): boolean {
    return this.sql('SELECT 1 FROM known_permissions WHERE permission = ?').get(permission) !== undefined;
  }

  /** True when only the owner may grant or revoke the permission. */
  isOwnerOnly(permission: string): boolean {
    if ((OWNER_ONLY as readonly string[]).includes(permission)) return true;
    return this.sql('SELECT 1 FROM known_permissions WHERE permission = ? AND owner_only = 1').get(permission) !== undefined;
  }

  /**
   * Registers every command's permission at start-up. A permission seen for the first time gets
   * its default grant (admin unless owner-only); later starts never re-grant what the owner revoked.
   * Throws on a malformed name: a command without a proper permission must not register.
   */
  ensureKnown(perms: readonly string[], ownerOnly: readonly string[] = []): void {
    for (const p of [...perms, ...ownerOnly]) if (!isPermission(p)) throw new Error(`malformed permission "${p}"`);
    const onlyOwner = new Set<string>([...OWNER_ONLY, ...ownerOnly]);
    const at = this.clock.now();
    const known = this.sql('INSERT OR IGNORE INTO known_permissions (permission, owner_only, first_seen_at) VALUES (?, ?, ?)');
    const grant = this.sql('INSERT OR IGNORE INTO grants (role, permission, granted_by, granted_at) VALUES (?, ?, NULL, ?)');
    const mark = this.sql('UPDATE known_permissions SET owner_only = 1 WHERE permission = ?');
    this.write(() =>
      this.db.transaction(() => {
        for (const p of new Set([...perms, ...ownerOnly]) as Set<Permission>) {
          if (known.run(p, onlyOwner.has(p) ? 1 : 0, at).changes === 1) {
            const role = defaultRoleFor(p, onlyOwner);
            if (role) grant.run(role, p, at);
          } else if (onlyOwner.has(p)) mark.run(p);
        }
      })(),
    );
  }

  /** Adds a role's grant; false when it already had it. */
  add(role: Role, permission: string, byPersonId: number): boolean {
    return this.write(
      () =>
        this.sql('INSERT OR IGNORE INTO grants (role, permission, granted_by, granted_at) VALUES (?, ?, ?, ?)').run(
          role,
          permission,
          byPersonId,
          this.clock.now(),
        ).changes === 1,
    );
  }

  /** Removes a role's own grant; false when it had none. */
  remove(role: Role, permission: string): boolean {
    return this.write(() => this.sql('DELETE FROM grants WHERE role = ? AND permission = ?').run(role, permission).changes === 1);
  }

  /** The role limit of a group chat, if one is set (the lower of config's and the stored one). */
  chatCeiling(chat: ChatRef): Role | undefined {
    if (chat.kind === 'private') return undefined;
    this.storedCeilings ??= new Map(
      (this.sql('SELECT chat, max_role AS maxRole FROM chat_ceilings').all() as { chat: string; maxRole: Role }[]).map((r) => [
        r.chat,
        r.maxRole,
      ]),
    );
    const stored = this.storedCeilings.get(chatStorageKey(chat));
    const configured = this.configCeilings.get(chatAddress(chat));
    return stored && configured ? minRole(stored, configured) : (stored ?? configured);
  }

  /** Who stored a group's own ceiling (person id); undefined when none is stored. */
  chatCeilingSetBy(chat: ChatRef): number | undefined {
    const by = this.sql('SELECT set_by FROM chat_ceilings WHERE chat = ?').pluck().get(chatStorageKey(chat)) as number | null | undefined;
    return by ?? undefined;
  }

  /** Every group with a ceiling, stored ones (changeable from chat) and configured ones. */
  chatCeilings(): ChatCeiling[] {
    const rows = this.sql('SELECT chat, max_role AS maxRole FROM chat_ceilings ORDER BY chat').all() as { chat: string; maxRole: Role }[];
    const stored = rows.flatMap((r) => {
      const chat = parseChatStorageKey(r.chat);
      return chat ? [{ chat, maxRole: r.maxRole, fromConfig: false }] : [];
    });
    const configured = [...this.configCeilings].flatMap(([key, maxRole]) => {
      const address = parseAddress(key);
      return address ? [{ chat: { ...address, kind: 'group' as const }, maxRole, fromConfig: true }] : [];
    });
    return [...stored, ...configured];
  }

  /** Stores (or with null removes) a group's own ceiling. */
  setChatCeiling(chat: ChatRef, maxRole: Role | null, byPersonId: number): void {
    this.write(() => {
      if (maxRole === null) this.sql('DELETE FROM chat_ceilings WHERE chat = ?').run(chatStorageKey(chat));
      else
        this.sql(
          'INSERT INTO chat_ceilings (chat, max_role, set_by, set_at) VALUES (?, ?, ?, ?) ON CONFLICT (chat) DO UPDATE SET max_role = excluded.max_role, set_by = excluded.set_by, set_at = excluded.set_at',
        ).run(chatStorageKey(chat), maxRole, byPersonId, this.clock.now());
    });
  }
}
