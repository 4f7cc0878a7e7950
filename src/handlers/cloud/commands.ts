import type { Translate } from '../../core/i18n.ts';
import type { Block, OutMessage } from '../../core/outmessage.ts';
import type { NextcloudServerInfo, NextcloudStatus } from '../../services/nextcloud/client.ts';
import type { NextcloudOcc } from '../../services/nextcloud/occ.ts';
import type { NextcloudSnapshot } from '../../services/nextcloud/poller.ts';
import type { Poller } from '../../services/poller.ts';
import { arg } from '../args.ts';
import { defineCommand, type AnyCommand, type CommandContext } from '../command.ts';
import { formatBytes, readSnapshotOrReply, serviceErrorMessage, serviceErrorReason, serviceErrorText, snapshotFooter } from '../replies.ts';

/** What the cloud commands need; `occ` is absent when no SSH access is configured. */
export interface CloudCommandDeps {
  readonly poller: Poller<NextcloudSnapshot>;
  readonly occ?: Pick<NextcloudOcc, 'maintenance' | 'filesScan'>;
}

const GROUP = 'cloud';
/** Same rule as NextcloudOcc.isSafeUserId, so a bad name is refused while parsing arguments. */
const USER_ID = /^[A-Za-z0-9_.@][A-Za-z0-9_.@-]{0,63}$/;

const label = (t: Translate): string => t('cloud.label');
const text = (t: string, severity?: OutMessage['severity']): OutMessage => ({
  blocks: [{ kind: 'text', text: t }],
  ...(severity ? { severity } : {}),
});

/** One word for how Nextcloud is doing. */
export function cloudState(t: Translate, s: NextcloudStatus): { level: 'ok' | 'warning'; text: string } {
  if (!s.installed) return { level: 'warning', text: t('cloud.state.notInstalled') };
  if (s.maintenance) return { level: 'warning', text: t('cloud.state.maintenance') };
  if (s.needsDbUpgrade) return { level: 'warning', text: t('cloud.state.dbUpgrade') };
  return { level: 'ok', text: t('cloud.state.ok') };
}

function healthFields(ctx: CommandContext, s: NextcloudServerInfo): { label: string; value: string }[] {
  const { t } = ctx;
  const n = (v: number): string => v.toLocaleString(ctx.lang);
  const out: { label: string; value: string }[] = [];
  if (s.freeSpaceBytes !== null) out.push({ label: t('cloud.status.free'), value: formatBytes(s.freeSpaceBytes) });
  out.push({ label: t('cloud.status.files'), value: t('cloud.status.filesValue', { files: n(s.files), users: s.users }) });
  out.push({
    label: t('cloud.status.active'),
    value: t('cloud.status.activeValue', { m5: s.activeUsers.last5min, h1: s.activeUsers.last1h, d1: s.activeUsers.last24h }),
  });
  const limit = s.php.memoryLimitBytes !== null ? t('cloud.status.phpLimit', { limit: formatBytes(s.php.memoryLimitBytes) }) : '';
  out.push({ label: t('cloud.status.php'), value: `${s.php.version}${limit}` });
  const size = s.database.sizeBytes !== null ? `, ${formatBytes(s.database.sizeBytes)}` : '';
  out.push({ label: t('cloud.status.database'), value: `${s.database.type} ${s.database.version}${size}` });
  if (s.cpuLoad)
    out.push({
      label: t('cloud.status.load'),
      value: s.cpuLoad
        .slice(0, 3)
        .map((x) => x.toFixed(2))
        .join(' / '),
    });
  if (s.memTotalBytes !== null && s.memFreeBytes !== null) {
    out.push({
      label: t('cloud.status.memory'),
      value: t('cloud.status.memoryValue', { used: formatBytes(s.memTotalBytes - s.memFreeBytes), total: formatBytes(s.memTotalBytes) }),
    });
  }
  return out;
}

/** /cloud, /cloud_maintenance, /cloud_scan. */
export function cloudCommands(deps: CloudCommandDeps): AnyCommand[] {
  const { poller, occ } = deps;

  const cloud = defineCommand({
    name: 'cloud',
    group: GROUP,
    summaryKey: 'cloud.status.summary',
    args: {},
    permission: 'cloud.status.read',
    async run(ctx) {
      const { t } = ctx;
      const read = await readSnapshotOrReply(poller, 60_000, t, { serviceLabel: label(t), checkingKey: 'cloud.status.checking' });
      if ('blocks' in read) return read;
      const { snap, value } = read;
      const state = cloudState(t, value.status);
      const blocks: Block[] = [
        {
          kind: 'fields',
          fields: [
            { label: t('cloud.status.state'), value: state.text },
            { label: t('cloud.status.version'), value: value.status.versionString },
            ...(value.server ? healthFields(ctx, value.server) : []),
          ],
        },
      ];
      if (value.serverError) {
        const e = value.serverError;
        blocks.push({
          kind: 'text',
          text: t('cloud.status.noDetails', { reason: serviceErrorText(t, e, label(t)) }),
        });
      }
      if (value.status.maintenance) blocks.push({ kind: 'text', text: t('cloud.status.maintenanceHint') });
      if (value.status.needsDbUpgrade) blocks.push({ kind: 'text', text: t('cloud.status.dbUpgradeHint') });
      if (snap.status === 'failed')
        blocks.push({ kind: 'text', text: t('cloud.status.stale', { reason: serviceErrorReason(t, snap.error) }) });
      const actions =
        value.status.maintenance && occ
          ? [[ctx.action(t('cloud.button.maintenanceOff'), 'cloud_maintenance', { state: 'off' }, { style: 'primary' })]]
          : undefined;
      const footer = snapshotFooter(t, snap, ctx.now());
      return {
        title: t('cloud.status.title'),
        severity: state.level === 'ok' && !value.serverError ? 'info' : 'warning',
        blocks,
        ...(actions ? { actions } : {}),
        ...(footer ? { footer } : {}),
      };
    },
  });

  const maintenance = defineCommand({
    name: 'cloud_maintenance',
    group: GROUP,
    summaryKey: 'cloud.maintenance.summary',
    args: { state: arg.choice(['on', 'off'] as const, { descriptionKey: 'cloud.maintenance.state' }) },
    permission: 'cloud.maintenance.set',
    // Turning it on locks the whole family out of their files: confirm first.
    destructive: (a) => a.state === 'on',
    confirmKey: 'cloud.maintenance.confirm',
    mutates: true,
    // Without SSH access to occ there is nothing to confirm: say so before asking.
    async preflight(ctx) {
      return occ ? undefined : text(ctx.t('cloud.occ.notConfigured'), 'warning');
    },
    async run(ctx, { state }) {
      const { t } = ctx;
      if (!occ) return text(t('cloud.occ.notConfigured'), 'warning');
      const r = await occ.maintenance(state === 'on');
      if (!r.ok) return serviceErrorMessage(t, r.error, label(t));
      void poller.refresh();
      if (!r.value.changed) ctx.noChange();
      const key = r.value.enabled
        ? r.value.changed
          ? 'cloud.maintenance.on'
          : 'cloud.maintenance.alreadyOn'
        : r.value.changed
          ? 'cloud.maintenance.off'
          : 'cloud.maintenance.alreadyOff';
      return text(t(key), 'success');
    },
  });

  const scan = defineCommand({
    name: 'cloud_scan',
    group: GROUP,
    summaryKey: 'cloud.scan.summary',
    args: { user: arg.string({ descriptionKey: 'cloud.scan.user', maxLength: 64, pattern: USER_ID }) },
    permission: 'cloud.files.scan',
    mutates: true,
    async run(ctx, { user }) {
      const { t } = ctx;
      if (!occ) return text(t('cloud.occ.notConfigured'), 'warning');
      const h = await ctx.send(text(t('cloud.scan.started', { user })));
      const r = await occ.filesScan(user);
      const done: OutMessage = r.ok
        ? text(
            t('cloud.scan.done', { user, folders: r.value.folders, files: r.value.files, elapsed: r.value.elapsed }),
            r.value.errors ? 'warning' : 'success',
          )
        : serviceErrorMessage(t, r.error, label(t));
      await h.edit(done);
    },
  });

  return [cloud, maintenance, scan];
}
