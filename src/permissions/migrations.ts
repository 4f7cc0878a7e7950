/**
 * Schema of the permission system and the household default grants. Codes and tokens are
 * stored as SHA-256 hashes: a copy of the database file does not hand out invites or buttons.
 */
import type { Db, Migration } from '../core/db.ts';
import { defaultRoleFor, FAMILY_DEFAULTS, GUEST_DEFAULTS, OWNER_ONLY, P, type Permission } from './permissions.ts';

const ROLE_CHECK = "CHECK (role IN ('owner','admin','family','guest'))";
const STORED_ROLE_CHECK = "CHECK (role IN ('admin','family','guest'))";

const schema = `
CREATE TABLE persons (
  id INTEGER PRIMARY KEY,
  display_name TEXT NOT NULL,
  role TEXT NOT NULL ${ROLE_CHECK},
  language TEXT CHECK (language IN ('en','es')),
  created_at INTEGER NOT NULL
);
CREATE TABLE identities (
  identity TEXT PRIMARY KEY,
  person_id INTEGER NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
  platform TEXT NOT NULL,
  display_name TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX identities_person ON identities(person_id);
CREATE TABLE known_permissions (
  permission TEXT PRIMARY KEY,
  owner_only INTEGER NOT NULL DEFAULT 0,
  first_seen_at INTEGER NOT NULL
);
CREATE TABLE grants (
  role TEXT NOT NULL ${STORED_ROLE_CHECK},
  permission TEXT NOT NULL,
  granted_by INTEGER,
  granted_at INTEGER NOT NULL,
  PRIMARY KEY (role, permission)
);
CREATE TABLE chat_ceilings (
  chat TEXT PRIMARY KEY,
  max_role TEXT NOT NULL CHECK (max_role IN ('owner','admin','family','guest')),
  set_by INTEGER,
  set_at INTEGER NOT NULL
);
CREATE TABLE invites (
  code_hash TEXT PRIMARY KEY,
  role TEXT NOT NULL ${ROLE_CHECK},
  platform TEXT,
  created_by INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER,
  used_by TEXT
);
CREATE TABLE link_codes (
  code_hash TEXT PRIMARY KEY,
  person_id INTEGER NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
  from_identity TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER,
  used_by TEXT
);
CREATE TABLE approvals (
  id INTEGER PRIMARY KEY,
  requester TEXT NOT NULL,
  chat TEXT NOT NULL,
  command TEXT NOT NULL,
  args TEXT NOT NULL,
  permission TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending','approved','denied')),
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  decided_by TEXT,
  decided_at INTEGER
);
CREATE INDEX approvals_status ON approvals(status, expires_at);
CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  identity TEXT NOT NULL,
  chat TEXT NOT NULL,
  command TEXT NOT NULL,
  service TEXT,
  args TEXT NOT NULL,
  result TEXT NOT NULL,
  detail TEXT
);
CREATE INDEX audit_at ON audit_log(at);
CREATE INDEX audit_identity ON audit_log(identity, at);
CREATE INDEX audit_service ON audit_log(service, at);
CREATE TABLE action_tokens (
  token_hash TEXT PRIMARY KEY,
  command TEXT NOT NULL,
  args TEXT NOT NULL,
  allowed_identity TEXT,
  chat TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  one_shot INTEGER NOT NULL,
  used_at INTEGER,
  used_by TEXT
);
CREATE INDEX action_tokens_expiry ON action_tokens(expires_at);
CREATE TABLE unknown_users (
  identity TEXT PRIMARY KEY,
  display_name TEXT NOT NULL,
  first_seen_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE setup_codes (
  code_hash TEXT PRIMARY KEY,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER,
  used_by TEXT
);
`;

/** Every permission the defaults name, so the owner can grant them before a command registers. */
export const SEEDED_PERMISSIONS: readonly Permission[] = [
  ...new Set<Permission>([...Object.values(P), ...GUEST_DEFAULTS, ...FAMILY_DEFAULTS]),
];

function seedDefaults(db: Db): void {
  // Migrations run once, at first start; the clock is irrelevant for seed rows.
  const at = 0;
  const ownerOnly = new Set<string>(OWNER_ONLY);
  const known = db.prepare('INSERT OR IGNORE INTO known_permissions (permission, owner_only, first_seen_at) VALUES (?, ?, ?)');
  const grant = db.prepare('INSERT OR IGNORE INTO grants (role, permission, granted_by, granted_at) VALUES (?, ?, NULL, ?)');
  for (const p of SEEDED_PERMISSIONS) {
    known.run(p, ownerOnly.has(p) ? 1 : 0, at);
    const role = defaultRoleFor(p, ownerOnly);
    if (role) grant.run(role, p, at);
  }
}

/**
 * Permission names before each area had one id (its folder, message prefix and permission
 * prefix): the old name → today's. Existing databases keep their grants under the new names.
 */
export const RENAMED_PERMISSIONS: Readonly<Record<string, Permission>> = {
  'routeros.status.read': 'router.status.read',
  'routeros.devices.read': 'router.devices.read',
  'routeros.vpn.read': 'router.vpn.read',
  'wifi.guest.qr': 'router.guest.qr',
  'wifi.guest.manage': 'router.guest.manage',
  'wifi.guest.rotate': 'router.guest.rotate',
  'transmission.status.read': 'downloads.status.read',
  'transmission.torrent.add': 'downloads.torrent.add',
  'transmission.torrent.control': 'downloads.torrent.control',
  'transmission.torrent.remove': 'downloads.torrent.remove',
  'transmission.speed.set': 'downloads.speed.set',
  'nextcloud.status.read': 'cloud.status.read',
  'nextcloud.files.scan': 'cloud.files.scan',
  'nextcloud.maintenance.set': 'cloud.maintenance.set',
  'omv.status.read': 'nas.status.read',
  'nut.status.read': 'ups.status.read',
};

/** Moves grants, known permissions and pending approvals from old names to the area ids. */
function renamePermissions(db: Db): void {
  // OR IGNORE, then DELETE: where a row already exists under the new name, it wins.
  const grants = db.prepare('UPDATE OR IGNORE grants SET permission = ? WHERE permission = ?');
  const known = db.prepare('UPDATE OR IGNORE known_permissions SET permission = ? WHERE permission = ?');
  const approvals = db.prepare('UPDATE approvals SET permission = ? WHERE permission = ?');
  const dropGrant = db.prepare('DELETE FROM grants WHERE permission = ?');
  const dropKnown = db.prepare('DELETE FROM known_permissions WHERE permission = ?');
  for (const [from, to] of Object.entries(RENAMED_PERMISSIONS)) {
    grants.run(to, from);
    known.run(to, from);
    approvals.run(to, from);
    dropGrant.run(from);
    dropKnown.run(from);
  }
}

/** The permission area's migrations, applied by `openDatabase`. */
export const permissionMigrations: Migration[] = [
  { id: 'permissions-0001-schema', up: schema },
  { id: 'permissions-0002-default-grants', up: seedDefaults },
  { id: 'permissions-0003-area-ids', up: renamePermissions },
  // The owner's [Ignore] on a stranger notice: that stranger's messages are dropped unwritten.
  {
    id: 'permissions-0004-ignored-strangers',
    up: 'ALTER TABLE unknown_users ADD COLUMN ignored_at INTEGER; ALTER TABLE unknown_users ADD COLUMN ignored_by TEXT;',
  },
  // The language each account's app is set to (Telegram language_code, Discord locale): pushes to
  // someone who never chose one with /lang follow it. Kept from a stranger's messages to their identity.
  {
    id: 'permissions-0005-platform-language',
    up: `ALTER TABLE identities ADD COLUMN platform_language TEXT CHECK (platform_language IN ('en','es'));
      ALTER TABLE unknown_users ADD COLUMN platform_language TEXT CHECK (platform_language IN ('en','es'));`,
  },
  // The stranger rows of audit_log, oldest first: their count and their prune (AuditLog.forgetStrangerRows)
  // read this small index, not the whole log.
  { id: 'permissions-0006-audit-stranger-rows', up: "CREATE INDEX audit_strangers ON audit_log(at) WHERE result = 'stranger';" },
  // The group's title when the request was made: the approver reads where it was asked by name, not by chat id.
  { id: 'permissions-0007-approval-chat-title', up: 'ALTER TABLE approvals ADD COLUMN chat_title TEXT;' },
];
