/** What the device commands need, and the small helpers they share. */
import type { Translate } from '../../core/i18n.ts';
import type { OutMessage } from '../../core/outmessage.ts';
import type { ChatRef, PersonSummary, Principal } from '../../permissions/access.ts';
import type { Permission } from '../../permissions/permissions.ts';
import { formatTime } from '../../core/time-format.ts';
import type { CommandContext } from '../command.ts';
import type { DevicePauses } from './pause.ts';
import { deviceLabel, type Device, type DeviceStore } from './store.ts';

/** Permissions of the devices feature. */
export const DP = {
  readOwn: 'router.device.read-own',
  manage: 'router.device.manage',
  claim: 'router.device.claim',
  pauseOwn: 'router.device.pause-own',
  pauseAny: 'router.device.pause',
} as const satisfies Record<string, Permission>;

/** The people directory as the device commands see it. */
export interface People {
  find(query: string): PersonSummary | undefined;
  all(): PersonSummary[];
}

/** What the device commands work on: the device and pause stores, the household's people, permission checks. */
export interface DeviceCommandDeps {
  readonly store: DeviceStore;
  readonly pauses: DevicePauses;
  readonly people: People;
  /** May this person use the permission in this chat (the chat's ceiling applied)? */
  may(p: Principal, chat: ChatRef, permission: Permission): boolean;
  /** The household's time zone (for `until HH:MM`). */
  readonly timezone: string;
}

/** A one-line warning reply. */
export const warn = (text: string): OutMessage => ({ blocks: [{ kind: 'text', text }], severity: 'warning' });
/** A one-line plain reply. */
export const info = (text: string): OutMessage => ({ blocks: [{ kind: 'text', text }] });
/** A one-line success reply. */
export const done = (text: string): OutMessage => ({ blocks: [{ kind: 'text', text }], severity: 'success' });

/** True when the principal (or whoever approved the run) is an admin for this permission here. */
export function staff(deps: DeviceCommandDeps, ctx: CommandContext, permission: Permission): boolean {
  return deps.may(ctx.principal, ctx.chat, permission) || (ctx.approvedBy !== undefined && deps.may(ctx.approvedBy, ctx.chat, permission));
}

/** One device from a query, or the message that explains why not. */
export function oneDevice(deps: Pick<DeviceCommandDeps, 'store'>, t: Translate, query: string): { device: Device } | { reply: OutMessage } {
  const found = deps.store.find(query);
  if (found.length === 0) return { reply: warn(t('devices.notFound', { query: query.slice(0, 40) })) };
  if (found.length > 1) {
    return {
      reply: {
        blocks: [
          { kind: 'text', text: t('devices.ambiguous', { query: query.slice(0, 40) }) },
          { kind: 'list', items: found.slice(0, 10).map((d) => `${deviceLabel(d)} — ${d.mac}`) },
        ],
        severity: 'warning',
      },
    };
  }
  return { device: found[0]! };
}

/** A person's display name by id. */
export function ownerName(deps: DeviceCommandDeps, personId: number | undefined): string | undefined {
  return personId === undefined ? undefined : deps.people.all().find((p) => p.personId === personId)?.displayName;
}

/** "paused until 21:00" / "blocked" / "" for a device. */
export function pauseState(deps: DeviceCommandDeps, ctx: Pick<CommandContext, 't' | 'lang' | 'now'>, mac: string): string | undefined {
  const p = deps.pauses.get(mac);
  if (!p) return undefined;
  if (p.kind === 'block') return ctx.t('devices.state.blocked');
  return ctx.t('devices.state.paused', { until: formatTime(p.until, ctx.lang, deps.timezone, ctx.now()) });
}
