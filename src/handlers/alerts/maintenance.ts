/**
 * Maintenance windows: `/maintenance <guest|backend|all> <duration> [reason]` holds the alerts of
 * its target until the end (listed in /alerts with an [End now] button). Windows are deadlines
 * (kind `alerts-maintenance`), so they outlive restarts and the one deadline worker ends them
 * on time; recurring windows from the config (nightly backups, recurring-windows.ts) are listed
 * too, and the occurrence in progress can be ended early with the same button.
 */
import { chatAddress } from '../../core/chat-address.ts';
import { ok } from '../../core/errors.ts';
import type { Deadline, DeadlineKind, DeadlineStore } from '../../core/deadlines.ts';
import type { MaintenanceWindow } from '../../alerts/holds.ts';
import type { Translate } from '../../core/i18n.ts';
import { textMessage, type Action, type Block, type OutMessage } from '../../core/outmessage.ts';
import { arg } from '../args.ts';
import { defineCommand, type AnyCommand, type CommandContext } from '../command.ts';
import { formatTime } from '../../core/time-format.ts';
import { SCHEDULE_BY, type RecurringWindows } from './recurring-windows.ts';

/** The deadline kind of a maintenance window (target: `all`, a backend name, or `guest:<vmid>`). */
export const MAINTENANCE_KIND = 'alerts-maintenance';

/** A guest as maintenance names it. */
export interface MaintenanceGuest {
  readonly vmid: number;
  readonly name: string;
  /** `docker (CT 101)`. */
  readonly label: string;
}

/** A resolved target: what the window stores, and how chats name it. */
export interface MaintenanceTarget {
  readonly target: string;
  readonly label: string;
}

/** Resolves `all`, a backend name, or a guest (name or number) to a target. */
export function resolveTarget(
  query: string,
  backends: readonly string[],
  guests: readonly MaintenanceGuest[],
): MaintenanceTarget | undefined {
  const q = query.trim().toLowerCase();
  if (q === 'all') return { target: 'all', label: 'all' };
  if (backends.includes(q)) return { target: q, label: q };
  const g = /^\d+$/.test(q) ? guests.find((x) => x.vmid === Number(q)) : guests.find((x) => x.name.toLowerCase() === q);
  return g ? { target: `guest:${g.vmid}`, label: g.label } : undefined;
}

/** The maintenance windows stored as deadlines. */
export class MaintenanceWindows {
  constructor(private readonly store: DeadlineStore) {}

  /**
   * Windows in force at `now`, soonest end first. A window whose time is up holds until the
   * deadline worker has ended it, so "maintenance is over" always reaches the chat before an
   * alert it held (a poll at the very moment of the end would otherwise raise first).
   */
  active(_now: number): (MaintenanceWindow & { readonly label: string })[] {
    return this.store
      .list(MAINTENANCE_KIND)
      .filter((d) => d.phase === 'active')
      .map((d) => ({
        target: d.target,
        until: d.dueAt,
        by: d.requestedBy,
        label: d.data.label ?? d.target,
        ...(d.data.reason ? { reason: d.data.reason } : {}),
      }));
  }

  /** Opens (or extends) a window; `chat` is told when it ends ('' for none). */
  open(t: MaintenanceTarget, until: number, by: string, chat: string, now: number, reason?: string): void {
    this.store.put(
      {
        kind: MAINTENANCE_KIND,
        target: t.target,
        dueAt: until,
        chat,
        requestedBy: by,
        data: { label: t.label, ...(reason ? { reason } : {}) },
      },
      now,
    );
  }

  /** Ends a window now; false when there was none. */
  end(target: string): boolean {
    return this.store.remove(MAINTENANCE_KIND, target);
  }
}

/** The deadline kind: nothing to undo on a backend; the chat that opened it is told, and the feeds look again. */
export function maintenanceDeadlines(onEnded: (d: Deadline) => void): DeadlineKind {
  return {
    kind: MAINTENANCE_KIND,
    service: 'alerts',
    expire: async () => ok(undefined),
    expired: onEnded,
  };
}

/** The message that a window ended (sent to the chat that opened it). */
export function maintenanceEndedMessage(t: Translate, d: Pick<Deadline, 'data' | 'target'>): OutMessage {
  return textMessage(t('alerts.maintenance.ended', { target: d.data.label ?? d.target }), { severity: 'info' });
}

/** What the maintenance commands need. */
export interface MaintenanceDeps {
  readonly windows: MaintenanceWindows;
  /** Backend names a window may name. */
  readonly backends: () => readonly string[];
  /** The hypervisor's guests (empty without one). */
  readonly guests: () => readonly MaintenanceGuest[];
  readonly timezone: string;
  /** Looks at every backend again (alerts held by a window that ended are raised now). */
  readonly refreshFeeds: () => Promise<void>;
  /** Windows from the config (listed; the occurrence in progress can be ended early). */
  readonly recurring?: RecurringWindows;
}

/** Every window open at `now`: those opened from chat, then the scheduled ones. */
export function openWindows(
  deps: Pick<MaintenanceDeps, 'windows' | 'recurring'>,
  now: number,
): (MaintenanceWindow & { readonly label: string })[] {
  return [...deps.windows.active(now), ...(deps.recurring?.active(now) ?? [])];
}

/** The /alerts section listing windows in force, each with its [End now] button. */
export function maintenanceSection(ctx: CommandContext, deps: MaintenanceDeps): { blocks: Block[]; actions: Action[][] } {
  const now = ctx.now();
  const list = openWindows(deps, now);
  if (list.length === 0) return { blocks: [], actions: [] };
  const time = (ms: number): string => formatTime(ms, ctx.lang, deps.timezone, now);
  return {
    blocks: [
      { kind: 'text', text: ctx.t('alerts.maintenance.listTitle', { count: list.length }) },
      {
        kind: 'list',
        items: list.map((w) =>
          ctx.t(w.reason ? 'alerts.maintenance.itemWhy' : 'alerts.maintenance.item', {
            target: w.target === 'all' ? ctx.t('alerts.maintenance.everything') : w.label,
            until: time(w.until),
            who: w.by === SCHEDULE_BY ? ctx.t('alerts.maintenance.schedule') : w.by,
            reason: w.reason ?? '',
          }),
        ),
      },
    ],
    actions: [
      ...deps.windows.active(now).map((w) => [endButton(ctx, w.target, targetLabel(ctx, w))]),
      ...(deps.recurring?.active(now) ?? []).map((o) => [endButton(ctx, o.target, targetLabel(ctx, o), o.start)]),
    ],
  };
}

const targetLabel = (ctx: CommandContext, w: { readonly target: string; readonly label: string }): string =>
  w.target === 'all' ? ctx.t('alerts.maintenance.everything') : w.label;

/** [End now]: a window opened from chat by its target, a recurring one's occurrence by its start too. */
const endButton = (ctx: CommandContext, target: string, label: string, from?: number): Action =>
  ctx.action(ctx.t('alerts.maintenance.endButton', { target: label }), 'maintenance-end', {
    target,
    ...(from !== undefined ? { from: String(from) } : {}),
  });

/** /maintenance and its hidden [End now] command. */
export function maintenanceCommands(deps: MaintenanceDeps): AnyCommand[] {
  const open = defineCommand({
    name: 'maintenance',
    group: 'alerts',
    summaryKey: 'alerts.maintenance.summary',
    args: {
      target: arg.string({ descriptionKey: 'alerts.maintenance.target', maxLength: 64, pattern: /^[\w.-]+$/, autocomplete: 'guest' }),
      duration: arg.duration({ descriptionKey: 'alerts.maintenance.duration', minMs: 60_000, maxMs: 7 * 86_400_000 }),
      reason: arg.string({ descriptionKey: 'alerts.maintenance.reason', required: false, rest: true, maxLength: 200 }),
    },
    permission: 'alerts.maintenance.set',
    mutates: true,
    async run(ctx, { target, duration, reason }) {
      let t = resolveTarget(target, deps.backends(), deps.guests());
      // Right after start-up the hypervisor may not have been read yet: look once before saying "unknown".
      if (!t && deps.guests().length === 0) {
        await deps.refreshFeeds().catch(() => undefined);
        t = resolveTarget(target, deps.backends(), deps.guests());
      }
      if (!t) {
        const choices = ['all', ...deps.backends(), ...deps.guests().map((g) => g.name)].join(', ');
        return textMessage(ctx.t('alerts.maintenance.unknown', { target, choices }), { severity: 'warning' });
      }
      const now = ctx.now();
      const until = now + duration;
      deps.windows.open(t, until, ctx.principal.displayName, chatAddress(ctx.chat), now, reason);
      const label = t.target === 'all' ? ctx.t('alerts.maintenance.everything') : t.label;
      const when = formatTime(until, ctx.lang, deps.timezone, now);
      return {
        ...textMessage(
          ctx.t(reason ? 'alerts.maintenance.doneWhy' : 'alerts.maintenance.done', { target: label, until: when, reason: reason ?? '' }),
          {
            severity: 'success',
          },
        ),
        actions: [[endButton(ctx, t.target, label)]],
      };
    },
  });

  const end = defineCommand({
    name: 'maintenance-end',
    group: 'alerts',
    summaryKey: 'alerts.maintenance.endSummary',
    args: {
      target: arg.string({ descriptionKey: 'alerts.maintenance.target', maxLength: 80, pattern: /^[\w.:-]+$/ }),
      // The start of a recurring window's occurrence (epoch ms): only that one ends, the schedule stays.
      from: arg.string({ descriptionKey: 'alerts.maintenance.from', required: false, maxLength: 16, pattern: /^\d+$/ }),
    },
    permission: 'alerts.maintenance.set',
    mutates: true,
    hidden: true,
    buttonOnly: true,
    async run(ctx, { target, from }) {
      if (from !== undefined) {
        const o = deps.recurring?.endEarly(target, Number(from), ctx.principal.displayName, chatAddress(ctx.chat), ctx.now());
        if (!o) return textMessage(ctx.t('alerts.maintenance.notActive'));
        await deps.refreshFeeds().catch(() => undefined);
        return textMessage(ctx.t('alerts.maintenance.endedEarly', { target: targetLabel(ctx, o) }), { severity: 'success' });
      }
      const w = deps.windows.active(ctx.now()).find((x) => x.target === target);
      if (!w || !deps.windows.end(target)) return textMessage(ctx.t('alerts.maintenance.notActive'));
      await deps.refreshFeeds().catch(() => undefined);
      return textMessage(ctx.t('alerts.maintenance.endedNow', { target: targetLabel(ctx, w) }), { severity: 'success' });
    },
  });
  return [open, end];
}
