/**
 * Permission names and the household defaults. A permission is `<service>.<resource>.<verb>`
 * (`proxmox.guest.power`). Grants are hierarchical: a role holds what is granted to it and to
 * every weaker role, so promoting someone never loses anything and an admin always holds what
 * family holds (which keeps "never above the actor" checkable from the actor's own set).
 */
import type { Role } from './roles.ts';

/** `<service>.<resource>.<verb>`, lower-case words with dashes. */
export type Permission = `${string}.${string}.${string}`;

const PERMISSION_RE = /^[a-z][a-z0-9-]*\.[a-z][a-z0-9-]*\.[a-z][a-z0-9-]*$/;

/** True when the string is a well-formed permission name. */
export function isPermission(s: string): s is Permission {
  return PERMISSION_RE.test(s);
}

/** The service part of a permission (`pihole` for `pihole.domain.allow`), used by audit filters. */
export function serviceOf(p: string): string {
  return p.split('.')[0] ?? p;
}

/** Permissions of the permission system itself and the bot's basic commands. */
export const P = {
  sessionStart: 'bot.session.start',
  helpRead: 'bot.help.read',
  languageSet: 'bot.language.set',
  identityLink: 'bot.identity.link',
  approvalRequest: 'bot.approval.request',
  roleManage: 'permissions.role.manage',
  grantManage: 'permissions.grant.manage',
  inviteCreate: 'permissions.invite.create',
  auditRead: 'permissions.audit.read',
  ceilingManage: 'permissions.ceiling.manage',
  approvalDecide: 'permissions.approval.decide',
} as const satisfies Record<string, Permission>;

/**
 * Never granted to admin by default; only the owner may grant or revoke them. The owner may
 * still delegate one deliberately with /grant.
 */
export const OWNER_ONLY: readonly Permission[] = [P.grantManage];

/** What a guest may do: say hello and read the help. */
export const GUEST_DEFAULTS: readonly Permission[] = [P.sessionStart, P.helpRead];

/** Read-only status of every backend, granted to family. */
export const STATUS_READ: readonly Permission[] = [
  'bot.status.read',
  'proxmox.status.read',
  'nas.status.read',
  'pihole.status.read',
  'cloud.status.read',
  'downloads.status.read',
  'router.status.read',
  'ups.status.read',
];

/** What family may do on top of guest: guest WiFi QR, temporary unblock, status, self-service. */
export const FAMILY_DEFAULTS: readonly Permission[] = [
  'router.guest.qr',
  'pihole.domain.allow-temporary',
  'router.device.read-own',
  'router.device.pause-own',
  P.languageSet,
  P.identityLink,
  'bot.whoami.read',
  P.approvalRequest,
  ...STATUS_READ,
];

/** A status read permission of a backend we do not list yet still counts as family default. */
const STATUS_READ_RE = /^[a-z][a-z0-9-]*\.status\.read$/;

/**
 * The weakest stored role that gets a permission by default the first time it is seen
 * (owner holds everything implicitly, so it is never stored). Hierarchy gives the rest.
 */
export function defaultRoleFor(p: Permission, ownerOnly: ReadonlySet<string>): Exclude<Role, 'owner'> | undefined {
  if (ownerOnly.has(p)) return undefined;
  if (GUEST_DEFAULTS.includes(p)) return 'guest';
  if (FAMILY_DEFAULTS.includes(p) || STATUS_READ_RE.test(p)) return 'family';
  return 'admin';
}
