/**
 * /poweron, /shutdown, /reboot, /poweroff and /backup: write actions always go to Proxmox.
 * The reply is sent at once and then edited to the task's final result, followed in the
 * background so a long backup does not hold the chat.
 */
import type { Translate } from '../../core/i18n.ts';
import { textMessage, type Block, type OutMessage } from '../../core/outmessage.ts';
import type { Poller } from '../../services/poller.ts';
import type { Guest, PowerAction, ProxmoxClient } from '../../services/proxmox/client.ts';
import type { ProxmoxSnapshot } from '../../services/proxmox/poller.ts';
import { guestLabel, taskSucceeded } from '../../services/proxmox/types.ts';
import { arg, formatDurationShort } from '../args.ts';
import { defineCommand, type AnyCommand, type CommandContext, type MessageHandle } from '../command.ts';
import { serviceErrorMessage } from '../replies.ts';
import { findGuest, pveLabel } from './format.ts';
import type { GuestStops } from './stops.ts';

/** How long to follow tasks, and how often to look. */
export interface TaskFollowOptions {
  readonly powerTimeoutMs?: number;
  readonly backupTimeoutMs?: number;
  /** First pause between polls; it grows to `maxIntervalMs`. */
  readonly intervalMs?: number;
  readonly maxIntervalMs?: number;
}

/** What the write commands need. */
export interface PowerDeps {
  readonly client: Pick<ProxmoxClient, 'guests' | 'power' | 'waitForTask' | 'taskLogTail' | 'startBackup'>;
  readonly poller: Poller<ProxmoxSnapshot>;
  readonly follow?: TaskFollowOptions;
  /** Tracks background followers so the module can wait for them on shutdown. */
  readonly followers?: Set<Promise<void>>;
  /** Fires on shutdown: followers stop and leave their message as it is. */
  readonly signal?: AbortSignal;
  /** Guests the bot stopped (recorded before Proxmox is asked, so no alert mistakes it for a crash). */
  readonly stops?: GuestStops;
}

const GROUP = 'proxmox';
const LOG_LINES = 8;

/** Command name → Proxmox action; `poweroff` is Proxmox's forced "stop". */
const ACTIONS = [
  { name: 'poweron', action: 'start', destructive: false },
  { name: 'shutdown', action: 'shutdown', destructive: true },
  { name: 'reboot', action: 'reboot', destructive: true },
  { name: 'poweroff', action: 'stop', destructive: true },
] as const satisfies readonly { name: string; action: PowerAction; destructive: boolean }[];

const guestArg = () => arg.string({ descriptionKey: 'proxmox.arg.guest', maxLength: 64, pattern: /^[\w.-]+$/, autocomplete: 'guest' });

/** The message a finished or abandoned task leaves behind. */
async function finalMessage(
  t: Translate,
  deps: PowerDeps,
  upid: string,
  timeoutMs: number,
  texts: { done: string; failed: string },
): Promise<OutMessage> {
  const f = deps.follow ?? {};
  const r = await deps.client.waitForTask(upid, {
    timeoutMs,
    intervalMs: f.intervalMs ?? 250,
    maxIntervalMs: f.maxIntervalMs ?? 5_000,
    ...(deps.signal ? { signal: deps.signal } : {}),
  });
  if (!r.ok) {
    if (r.error.kind === 'timeout') {
      return textMessage(t('proxmox.task.stillRunning', { duration: formatDurationShort(timeoutMs) }), { severity: 'warning' });
    }
    return serviceErrorMessage(t, r.error, pveLabel(t));
  }
  if (taskSucceeded(r.value.exitstatus)) {
    const warn =
      r.value.exitstatus !== 'OK'
        ? [{ kind: 'text' as const, text: t('proxmox.task.warnings', { status: r.value.exitstatus ?? '' }) }]
        : [];
    return { blocks: [{ kind: 'text', text: `✅ ${texts.done}` }, ...warn], severity: 'success' };
  }
  const blocks: Block[] = [{ kind: 'text', text: t('proxmox.task.error', { error: r.value.exitstatus ?? '?' }) }];
  const tail = await deps.client.taskLogTail(upid, LOG_LINES);
  if (tail.ok && tail.value.length) blocks.push({ kind: 'code', text: tail.value.join('\n') });
  return { title: `❌ ${texts.failed}`, blocks, severity: 'critical' };
}

/** Sends the progress message, then edits it to the result in the background. */
async function follow(
  ctx: CommandContext,
  deps: PowerDeps,
  upid: string,
  timeoutMs: number,
  texts: { running: string; done: string; failed: string },
): Promise<void> {
  const handle: MessageHandle = await ctx.send(textMessage(`⏳ ${texts.running}`));
  const job = (async () => {
    let final: OutMessage;
    try {
      final = await finalMessage(ctx.t, deps, upid, timeoutMs, texts);
    } catch (e) {
      ctx.log.error({ err: e, upid }, 'following a Proxmox task failed');
      final = textMessage(ctx.t('proxmox.task.lost'), { severity: 'warning' });
    }
    if (deps.signal?.aborted) return; // shutting down: the bot is going away, leave the message be
    await handle.edit(final).catch((e: unknown) => ctx.log.warn({ err: e }, 'could not edit the task message'));
    void deps.poller.refresh(); // /guests and /status show the new state without waiting a tick
  })();
  deps.followers?.add(job);
  void job.finally(() => deps.followers?.delete(job));
}

/** Resolves the guest argument against the live guest list. */
async function resolveGuest(ctx: CommandContext, deps: PowerDeps, query: string): Promise<Guest | OutMessage> {
  const list = await deps.client.guests();
  if (!list.ok) return serviceErrorMessage(ctx.t, list.error, pveLabel(ctx.t));
  const g = findGuest(list.value, query);
  return g ?? textMessage(ctx.t('proxmox.guest.notFound', { guest: query }), { severity: 'warning' });
}

/** "Already running/stopped": the action would change nothing. */
function nothingToDo(ctx: CommandContext, g: Guest, action: PowerAction): OutMessage | undefined {
  const guest = guestLabel(g);
  const already =
    action === 'start' && g.status === 'running'
      ? 'proxmox.power.alreadyRunning'
      : action !== 'start' && g.status === 'stopped'
        ? 'proxmox.power.alreadyStopped'
        : undefined;
  if (!already) return undefined;
  ctx.noChange();
  return textMessage(ctx.t(already, { guest }));
}

/** The power commands and /backup. */
export function powerCommands(deps: PowerDeps): AnyCommand[] {
  const power = ACTIONS.map(({ name, action, destructive }) =>
    defineCommand({
      name,
      group: GROUP,
      summaryKey: `proxmox.${name}.summary`,
      args: { guest: guestArg() },
      permission: 'proxmox.guest.power',
      destructive,
      ...(destructive ? { confirmKey: `proxmox.${name}.confirm` } : {}),
      // Family may ask an admin to switch a guest on; switching off stays an admin decision.
      ...(action === 'start' ? { requestable: true } : {}),
      mutates: true,
      // The guest must exist and be in a state the action changes before anyone is asked to confirm it.
      async preflight(ctx, { guest }) {
        const g = await resolveGuest(ctx, deps, guest);
        if ('blocks' in g) return g;
        return nothingToDo(ctx, g, action) ?? { confirmParams: { guest: guestLabel(g) } };
      },
      async run(ctx, { guest }) {
        const g = await resolveGuest(ctx, deps, guest);
        if ('blocks' in g) return g;
        const title = guestLabel(g);
        const noop = nothingToDo(ctx, g, action);
        if (noop) return noop;
        // Intent first: the stop is on record before Proxmox acts, so its alert is held, not raised.
        let intent: { abandon(): void } | undefined;
        if (action === 'shutdown' || action === 'stop') {
          try {
            intent = deps.stops?.intend(g.vmid, ctx.principal.displayName, ctx.now());
          } catch (e) {
            ctx.log.error({ err: e }, 'could not record the guest stop');
            return textMessage(ctx.t('pipeline.notRecorded'), { severity: 'critical' });
          }
        }
        const upid = await deps.client.power({ vmid: g.vmid, type: g.type, node: g.node }, action);
        if (!upid.ok) {
          intent?.abandon();
          return serviceErrorMessage(ctx.t, upid.error, pveLabel(ctx.t));
        }
        if (action === 'start') deps.stops?.forget(g.vmid);
        await follow(ctx, deps, upid.value, deps.follow?.powerTimeoutMs ?? 5 * 60_000, {
          running: ctx.t(`proxmox.${name}.running`, { guest: title }),
          done: ctx.t(`proxmox.${name}.done`, { guest: title }),
          failed: ctx.t(`proxmox.${name}.failed`, { guest: title }),
        });
        return undefined;
      },
    }),
  );

  const backup = defineCommand({
    name: 'backup',
    group: GROUP,
    summaryKey: 'proxmox.backup.summary',
    args: {
      guest: guestArg(),
      storage: arg.string({ descriptionKey: 'proxmox.arg.storage', required: false, maxLength: 64, pattern: /^[\w.-]+$/ }),
    },
    permission: 'proxmox.backup.run',
    mutates: true,
    async run(ctx, { guest, storage }) {
      const g = await resolveGuest(ctx, deps, guest);
      if ('blocks' in g) return g;
      const title = guestLabel(g);
      if (g.lock === 'backup') return textMessage(ctx.t('proxmox.backup.busy', { guest: title }));
      const upid = await deps.client.startBackup(g.vmid, { node: g.node, ...(storage ? { storage } : {}) });
      if (!upid.ok) return serviceErrorMessage(ctx.t, upid.error, pveLabel(ctx.t));
      await follow(ctx, deps, upid.value, deps.follow?.backupTimeoutMs ?? 2 * 3_600_000, {
        running: ctx.t('proxmox.backup.running', { guest: title }),
        done: ctx.t('proxmox.backup.done', { guest: title }),
        failed: ctx.t('proxmox.backup.failed', { guest: title }),
      });
      return undefined;
    },
  });

  return [...power, backup];
}
