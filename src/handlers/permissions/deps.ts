/** What the people-and-permissions commands need; built by src/wiring/permissions.ts. */
import { platformOf, type Platform } from '../../core/chat-address.ts';
import type { Messages, Translate } from '../../core/i18n.ts';
import type { OutMessage } from '../../core/outmessage.ts';
import type { AccessControl, Principal } from '../../permissions/access.ts';
import type { ActionTokens } from '../../permissions/action-tokens.ts';
import type { ApprovalRequest, Approvals } from '../../permissions/approvals.ts';
import type { AuditLog } from '../../permissions/audit.ts';
import type { GrantsStore } from '../../permissions/grants.ts';
import type { Invites } from '../../permissions/invites.ts';
import type { Linking } from '../../permissions/linking.ts';
import type { Management } from '../../permissions/management.ts';
import type { PeopleStore } from '../../permissions/people.ts';
import type { Role } from '../../permissions/roles.ts';
import type { Setup } from '../../permissions/setup.ts';
import type { CommandRegistry } from '../registry.ts';

/** What the people and permission commands work on: the stores, the guarded changes, invites, approvals, audit. */
export interface PermissionDeps {
  readonly access: AccessControl;
  readonly people: PeopleStore;
  readonly grants: GrantsStore;
  readonly management: Management;
  readonly setup: Setup;
  readonly invites: Invites;
  readonly linking: Linking;
  readonly approvals: Approvals;
  readonly audit: AuditLog;
  readonly tokens: ActionTokens;
  readonly messages: Messages;
  /** Every registered command (late-bound: the registry contains these commands too). */
  readonly registry: () => CommandRegistry;
  /** Sends to `telegram:<chatId>` / `discord:<channelId>` / `console:<id>` in that chat's language. */
  readonly notify: (destination: string, render: (t: Translate) => OutMessage) => void;
  /** Runs an approved request as its requester, replies going to the chat it was asked in. */
  readonly runApproved: (request: ApprovalRequest, requester: Principal, approver: Principal) => Promise<void>;
  /** The Telegram bot's @username once connected (for invite deep links). */
  readonly telegramUsername: () => string | undefined;
  readonly inviteTtlMs: number;
  /** IANA time zone for times in /audit. */
  readonly timeZone: string;
  readonly now: () => number;
}

/** A role's name in the reader's language. */
export const roleName = (t: Translate, role: Role): string => t(`role.${role}`);

/** Picks one identity per person to message: the one on `platform` if they have it. */
export function onePerPerson(people: readonly Principal[], platform: Platform | undefined): Principal[] {
  const byPerson = new Map<number, Principal>();
  const onPlatform = (p: Principal): boolean => platform !== undefined && platformOf(p.identity) === platform;
  for (const p of people) {
    const seen = byPerson.get(p.personId);
    if (!seen || (!onPlatform(seen) && onPlatform(p))) byPerson.set(p.personId, p);
  }
  return [...byPerson.values()];
}
