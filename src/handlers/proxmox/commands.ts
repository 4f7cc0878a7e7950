/** /node, /guests and /backups: answered from the Proxmox poller's snapshot when it is fresh. */
import type { Translate } from '../../core/i18n.ts';
import type { Action, Block, OutMessage } from '../../core/outmessage.ts';
import type { Poller } from '../../services/poller.ts';
import { summarizeBackups, type BackupRun, type GuestBackup } from '../../services/proxmox/backups.ts';
import type { Guest } from '../../services/proxmox/client.ts';
import { guestLabel } from '../../services/proxmox/types.ts';
import type { ProxmoxSnapshot } from '../../services/proxmox/poller.ts';
import { formatDurationShort } from '../args.ts';
import { defineCommand, type AnyCommand, type CommandContext } from '../command.ts';
import {
  formatAge,
  formatBytes,
  formatPercent,
  readSnapshotOrReply,
  serviceErrorReason,
  snapshotFooter,
  type SnapshotRead,
} from '../replies.ts';
import type { AlertCause } from '../../alerts/causes.ts';
import { backupHold } from '../../services/proxmox/alerts.ts';
import { causeText } from '../alerts/causes.ts';
import { formatTime } from '../../core/time-format.ts';
import { pveLabel } from './format.ts';
import { powerCommands, type PowerDeps } from './power.ts';
import { stateIcon } from '../../core/state-icon.ts';

/** What the Proxmox commands need. */
export interface ProxmoxCommandDeps extends PowerDeps {
  readonly poller: Poller<ProxmoxSnapshot>;
  /** Zone of the times /guests shows ("stopped by Ana from chat at 14:02"). */
  readonly timezone?: string;
  /** After a backup job ends, a guest it stopped has this long to run again (config backupGraceMinutes). */
  readonly backupGraceMs?: number;
  /** A guest needs a good backup at least this often (config backupWindowHours). */
  readonly backupWindowHours: number;
  /** Snapshots younger than this answer status commands (default 60 s). */
  readonly maxAgeMs?: number;
}

const GROUP = 'proxmox';
const STATUS_PERMISSION = 'proxmox.status.read';
const MAX_LOG_LINES = 8;

/** The snapshot for a status answer, or the message to send instead. */
function readSnapshot(ctx: CommandContext, deps: ProxmoxCommandDeps): Promise<SnapshotRead<ProxmoxSnapshot> | OutMessage> {
  return readSnapshotOrReply(deps.poller, deps.maxAgeMs ?? 60_000, ctx.t, {
    serviceLabel: pveLabel(ctx.t),
    checkingKey: 'proxmox.checking',
  });
}

/** "used of total (percent)". */
function usage(t: Translate, used: number, total: number): string {
  return t('proxmox.usage', { used: formatBytes(used), total: formatBytes(total), percent: total > 0 ? formatPercent(used / total) : '?' });
}

/** Uptime to the minute: seconds are noise in a chat. */
const uptime = (seconds: number): string => formatDurationShort(Math.max(60, Math.floor(seconds / 60) * 60) * 1000);

/** One line per guest, with its live figures when running; `why` says what stopped it, when known. */
export function guestLine(t: Translate, g: Guest, why?: string): string {
  const title = guestLabel(g);
  const lock = g.lock ? ` ${t('proxmox.guests.locked', { lock: g.lock })}` : '';
  if (g.status === 'running') {
    return `${stateIcon('ok')} ${t('proxmox.guests.running', {
      guest: title,
      uptime: uptime(g.uptime),
      cpu: formatPercent(g.cpu),
      mem: formatBytes(g.mem),
      maxmem: formatBytes(g.maxmem),
    })}${lock}`;
  }
  if (g.status === 'stopped' && why) return `${stateIcon('idle')} ${t('proxmox.guests.stoppedWhy', { guest: title, why })}`;
  if (g.status === 'stopped') return `${stateIcon('idle')} ${t('proxmox.guests.stopped', { guest: title })}${lock}`;
  return `${stateIcon('warning')} ${t('proxmox.guests.other', { guest: title, status: g.status })}${lock}`;
}

/** What a button passes as the guest: its name when unique (confirmations read better), else its vmid. */
function guestKey(all: readonly Pick<Guest, 'name' | 'vmid'>[], g: Pick<Guest, 'name' | 'vmid'>): string {
  const unique = all.filter((x) => x.name.toLowerCase() === g.name.toLowerCase()).length === 1;
  return unique && /^[\w.-]+$/.test(g.name) && !/^\d+$/.test(g.name) ? g.name : String(g.vmid);
}

/** Buttons for one guest: start when stopped; shutdown, reboot and force stop when running. */
function guestButtons(ctx: CommandContext, all: readonly Guest[], g: Guest): Action[] {
  const arg = { guest: guestKey(all, g) };
  if (g.status !== 'running')
    return [ctx.action(ctx.t('proxmox.button.start', { name: guestLabel(g) }), 'poweron', arg, { style: 'primary' })];
  return [
    ctx.action(ctx.t('proxmox.button.shutdown', { name: guestLabel(g) }), 'shutdown', arg),
    ctx.action(ctx.t('proxmox.button.reboot', { name: guestLabel(g) }), 'reboot', arg),
    ctx.action(ctx.t('proxmox.button.stop', { name: guestLabel(g) }), 'poweroff', arg, { style: 'danger' }),
  ];
}

/** One /backups line for a guest. */
function backupLine(t: Translate, g: GuestBackup, now: number): string {
  const age = (r: BackupRun): string => formatAge(t, now - (r.endtime ?? r.starttime) * 1000);
  const name = g.label;
  const last = g.last;
  if (!last) return `${stateIcon('idle')} ${t('proxmox.backups.never', { name })}`;
  const lastOk = g.lastOk && g.lastOk !== last ? ` ${t('proxmox.backups.lastOk', { age: age(g.lastOk) })}` : '';
  switch (last.outcome) {
    case 'ok':
      return `${stateIcon(g.missing ? 'warning' : 'ok')} ${t('proxmox.backups.ok', { name, age: age(last) })}`;
    case 'warning':
      return `${stateIcon('warning')} ${t('proxmox.backups.warning', { name, age: age(last) })}`;
    case 'running':
      return `${stateIcon('info')} ${t('proxmox.backups.running', { name, age: formatAge(t, now - last.starttime * 1000) })}${lastOk}`;
    case 'failed':
      return `${stateIcon('critical')} ${t('proxmox.backups.failed', { name, age: age(last) })}${lastOk}`;
  }
}

/** /node, /guests, /backups and the power and backup commands. */
export function proxmoxCommands(deps: ProxmoxCommandDeps): AnyCommand[] {
  const node = defineCommand({
    name: 'node',
    group: GROUP,
    summaryKey: 'proxmox.node.summary',
    args: {},
    permission: STATUS_PERMISSION,
    async run(ctx) {
      const r = await readSnapshot(ctx, deps);
      if ('blocks' in r) return r;
      const n = r.value.node;
      const pools = (r.value.storage ?? []).filter((s) => s.type === 'lvmthin' || s.type === 'zfspool');
      const shares = (r.value.storage ?? []).filter((s) => s.content.includes('backup') && s.type !== 'dir');
      const fields = [
        { label: ctx.t('proxmox.node.cpu'), value: ctx.t('proxmox.node.cpuValue', { percent: formatPercent(n.cpu), cpus: n.cpus }) },
        { label: ctx.t('proxmox.node.load'), value: n.loadavg.map((l) => l.toFixed(2)).join(' · ') },
        { label: ctx.t('proxmox.node.memory'), value: usage(ctx.t, n.memory.used, n.memory.total) },
        { label: ctx.t('proxmox.node.uptime'), value: uptime(n.uptime) },
        { label: ctx.t('proxmox.node.rootfs'), value: usage(ctx.t, n.rootfs.used, n.rootfs.total) },
        ...[...pools, ...shares].map((s) => ({
          label: ctx.t('proxmox.node.storage', { name: s.storage, type: s.type }),
          value: usage(ctx.t, s.used, s.total),
        })),
        ...(n.pveVersion ? [{ label: ctx.t('proxmox.node.version'), value: n.pveVersion }] : []),
      ];
      const blocks: Block[] = [{ kind: 'fields', fields }];
      if (r.value.storageError)
        blocks.push({
          kind: 'text',
          text: ctx.t('proxmox.node.storageUnreadable', { detail: serviceErrorReason(ctx.t, r.value.storageError) }),
        });
      const footer = snapshotFooter(ctx.t, r.snap, ctx.now());
      return { title: ctx.t('proxmox.node.title', { node: n.node }), blocks, ...(footer ? { footer } : {}) };
    },
  });

  const guests = defineCommand({
    name: 'guests',
    group: GROUP,
    summaryKey: 'proxmox.guests.summary',
    args: {},
    permission: STATUS_PERMISSION,
    async run(ctx) {
      const r = await readSnapshot(ctx, deps);
      if ('blocks' in r) return r;
      const list = r.value.guests.filter((g) => !g.template);
      const footer = snapshotFooter(ctx.t, r.snap, ctx.now());
      if (list.length === 0) return { blocks: [{ kind: 'text', text: ctx.t('proxmox.guests.none') }], ...(footer ? { footer } : {}) };
      const now = ctx.now();
      const time = (ms: number): string => formatTime(ms, ctx.lang, deps.timezone ?? 'UTC', now);
      const stops = deps.stops?.all();
      const why = (g: Guest): string | undefined => {
        if (g.status === 'running') return undefined;
        const stop = stops?.get(g.vmid);
        const cause: AlertCause | undefined = stop
          ? { kind: 'action', by: stop.by, at: stop.at }
          : backupHold(r.value, g.vmid, now, deps.backupGraceMs);
        return cause ? causeText(ctx.t, cause, time) : undefined;
      };
      return {
        title: ctx.t('proxmox.guests.title', { node: r.value.node.node }),
        blocks: [{ kind: 'list', items: list.map((g) => guestLine(ctx.t, g, why(g))) }],
        actions: list.map((g) => guestButtons(ctx, r.value.guests, g)),
        ...(footer ? { footer } : {}),
      };
    },
  });

  const backups = defineCommand({
    name: 'backups',
    group: GROUP,
    summaryKey: 'proxmox.backups.summary',
    args: {},
    permission: STATUS_PERMISSION,
    async run(ctx) {
      const r = await readSnapshot(ctx, deps);
      if ('blocks' in r) return r;
      const footer = snapshotFooter(ctx.t, r.snap, ctx.now());
      if (!r.value.backups) {
        const detail = r.value.backupsError ? serviceErrorReason(ctx.t, r.value.backupsError) : '?';
        return {
          blocks: [{ kind: 'text', text: ctx.t('proxmox.backups.unreadable', { detail }) }],
          severity: 'warning',
          ...(footer ? { footer } : {}),
        };
      }
      const hours = deps.backupWindowHours;
      const sum = summarizeBackups(r.value.guests, r.value.backups, { now: ctx.now(), windowHours: hours });
      const blocks: Block[] = [{ kind: 'list', items: sum.guests.map((g) => backupLine(ctx.t, g, ctx.now())) }];
      for (const f of sum.failures) {
        blocks.push({ kind: 'text', text: ctx.t('proxmox.backups.failure', { name: f.label, error: f.error ?? '?' }) });
        if (f.logTail?.length) blocks.push({ kind: 'code', text: f.logTail.slice(-MAX_LOG_LINES).join('\n') });
      }
      if (sum.missing.length) {
        blocks.push({ kind: 'text', text: ctx.t('proxmox.backups.missing', { hours, names: sum.missing.map((g) => g.label).join(', ') }) });
      } else if (sum.failures.length === 0) {
        blocks.push({ kind: 'text', text: ctx.t('proxmox.backups.allGood', { hours }) });
      }
      const bad = sum.failures.length > 0 || sum.missing.length > 0;
      return {
        title: ctx.t('proxmox.backups.title'),
        severity: bad ? 'warning' : 'info',
        blocks,
        actions: sum.guests.map((g) => [
          ctx.action(ctx.t('proxmox.button.backup', { name: g.label }), 'backup', { guest: guestKey(sum.guests, g) }),
        ]),
        ...(footer ? { footer } : {}),
      };
    },
  });

  return [node, guests, backups, ...powerCommands(deps)];
}
