/** /nas: RAID, space, disk health and shares, from the OMV (or mdadm-over-SSH) poller snapshot. */
import type { Translate } from '../../core/i18n.ts';
import type { Block, OutMessage } from '../../core/outmessage.ts';
import { stateIcon, type StateTone } from '../../core/state-icon.ts';
import { raidMemberReport, type DiskIdentity } from '../../services/mdadm/members.ts';
import { raidHealth, type RaidArray, type RaidHealth, type RaidMember } from '../../services/mdadm/raid.ts';
import type { OmvFilesystem } from '../../services/omv/types.ts';
import type { OmvDisk, OmvSnapshot } from '../../services/omv/poller.ts';
import { snapshotAt, snapshotValue, type Poller, type Snapshot } from '../../services/poller.ts';
import { defineCommand, type AnyCommand } from '../command.ts';
import type { ServiceError } from '../../core/errors.ts';
import { formatBytes, serviceErrorMessage, serviceErrorReason, snapshotFooter } from '../replies.ts';

/** Where /nas reads from; at least one source is set. */
export interface NasDeps {
  readonly omv?: Poller<OmvSnapshot>;
  /** RAID over SSH, for setups without OMV (or to double-check it). */
  readonly mdadm?: Poller<RaidArray[]>;
  /** Shown as the NAS name when OMV does not tell it. */
  readonly mdadmHost?: string;
  readonly filesystemWarnPercent: number;
  readonly filesystemCritPercent: number;
  /** Snapshots younger than this answer /nas (default 60 s). */
  readonly maxAgeMs?: number;
}

/** `sda, sdb (failed)`. */
function members(t: Translate, list: readonly RaidMember[]): string {
  if (list.length === 0) return t('nas.raid.noMembers');
  return list
    .map((m) => {
      const name = m.device.replace(/^\/dev\//, '') || '—';
      return m.state === 'active' ? name : `${name} (${t(`nas.member.${m.state}`)})`;
    })
    .join(', ');
}

/** The colour of an array's health, the same as its alert's: lost redundancy is red, a rebuild under way blue. */
export const RAID_TONE: Readonly<Record<RaidHealth, StateTone>> = {
  failed: 'critical',
  inactive: 'critical',
  degraded: 'critical',
  rebuilding: 'info',
  healthy: 'ok',
};

/**
 * Which physical disk is which, when the array is not whole: the failed disk to replace, the empty
 * slot, the disks to keep, the one being rebuilt, the attached disk in no array.
 */
function memberDetail(t: Translate, a: RaidArray, disks: readonly DiskIdentity[], all: readonly RaidArray[]): string {
  const r = raidMemberReport(a, disks, all);
  const parts: string[] = [];
  if (r.failed.length) parts.push(t('nas.raid.detail.replace', { disks: r.failed.join(', ') }));
  if (r.missingSlots.length) parts.push(t('nas.raid.detail.missing', { slots: r.missingSlots.join(', '), total: a.raidDisks ?? '?' }));
  if (r.rebuilding.length) parts.push(t('nas.raid.detail.target', { disks: r.rebuilding.join(', ') }));
  if (r.working.length) parts.push(t('nas.raid.detail.keep', { disks: r.working.join(', ') }));
  if (r.missingSlots.length && r.outside.length) parts.push(t('nas.raid.detail.outside', { disks: r.outside.join(', ') }));
  return parts.length ? `\n${parts.join(' ')}` : '';
}

/** One line per array, worst news first in wording; a broken array names its disks (model, serial). */
export function raidLine(t: Translate, a: RaidArray, disks: readonly DiskIdentity[] = [], all: readonly RaidArray[] = [a]): string {
  const p = { name: a.name, level: a.level || '?', members: members(t, a.members) };
  const sync = a.sync;
  const health = raidHealth(a);
  const icon = stateIcon(RAID_TONE[health]);
  switch (health) {
    case 'failed':
      return `${icon} ${t('nas.raid.failed', p)}${memberDetail(t, a, disks, all)}`;
    case 'inactive':
      return `${icon} ${t('nas.raid.inactive', p)}`;
    case 'degraded':
      return `${icon} ${t('nas.raid.degraded', p)}${memberDetail(t, a, disks, all)}`;
    case 'rebuilding': {
      const percent = sync?.percent !== undefined ? `${sync.percent} %` : '?';
      const line =
        sync?.finishMinutes !== undefined
          ? t('nas.raid.rebuilding', { ...p, percent, left: formatMinutes(sync.finishMinutes) })
          : t('nas.raid.rebuildingNoEta', { ...p, percent });
      return `${icon} ${line}${memberDetail(t, a, disks, all)}`;
    }
    case 'healthy': {
      const extra = sync
        ? ` · ${t(`nas.sync.${sync.action}`)} ${sync.state === 'running' ? `${sync.percent ?? '?'} %` : t(`nas.sync.${sync.state}`)}`
        : '';
      return `${icon} ${t('nas.raid.healthy', p)}${extra}`;
    }
  }
}

function formatMinutes(min: number): string {
  return min >= 90 ? `${Math.floor(min / 60)} h ${Math.round(min % 60)} min` : `${Math.round(min)} min`;
}

/** Usage icon for a percentage: the thresholds of the filesystem alert, its colours. */
function usageIcon(percent: number, warn: number, crit: number): string {
  return stateIcon(percent >= crit ? 'critical' : percent >= warn ? 'warning' : 'ok');
}

function filesystemLine(t: Translate, f: OmvFilesystem, deps: NasDeps): string {
  const name = f.label ? `${f.label} (${f.devicefile})` : `${f.mountpoint || f.devicefile}`;
  if (f.state === 'missing') return `${stateIcon('critical')} ${t('nas.fs.missing', { name })}`;
  if (f.percent === undefined) return `${stateIcon('idle')} ${t('nas.fs.unknown', { name })}`;
  const used = Math.max(0, f.sizeBytes - f.availableBytes);
  return `${usageIcon(f.percent, deps.filesystemWarnPercent, deps.filesystemCritPercent)} ${t('nas.fs.line', {
    name,
    used: formatBytes(used),
    size: formatBytes(f.sizeBytes),
    percent: `${f.percent} %`,
    free: formatBytes(f.availableBytes),
  })}`;
}

/** Healthy; worth watching; act now — the same split as the disk alerts' warning and critical. */
export function diskTone(d: OmvDisk): StateTone {
  if (['BAD_STATUS', 'BAD_ATTRIBUTE_NOW', 'BAD_SECTOR_MANY'].includes(d.status) || (d.health?.pendingSectors ?? 0) > 0) return 'critical';
  if (d.status !== 'GOOD' || (d.health?.reallocatedSectors ?? 0) > 0) return 'warning';
  return 'ok';
}

function diskLine(t: Translate, d: OmvDisk): string {
  const h = d.health;
  const temperature = d.temperature ?? h?.temperature;
  const facts = [
    ...(temperature !== undefined ? [t('nas.disk.temperature', { value: temperature })] : []),
    ...(h?.powerOnHours !== undefined ? [t('nas.disk.hours', { value: h.powerOnHours.toLocaleString('en-US') })] : []),
    ...(h?.reallocatedSectors !== undefined ? [t('nas.disk.reallocated', { value: h.reallocatedSectors })] : []),
    ...(h?.pendingSectors !== undefined ? [t('nas.disk.pending', { value: h.pendingSectors })] : []),
  ];
  const status = d.status === 'GOOD' ? t('nas.disk.good') : t('nas.disk.bad', { status: d.status });
  const model = d.model ? ` ${d.model}` : '';
  return `${stateIcon(diskTone(d))} ${d.devicefile}${model}: ${status}${facts.length ? ` — ${facts.join(', ')}` : ''}`;
}

/** What the NAS's two pollers say together: a value from either, else the failure (OMV's first), else nothing yet. */
export type NasRead =
  | { readonly kind: 'value'; readonly omv: OmvSnapshot | undefined; readonly md: RaidArray[] | undefined }
  | { readonly kind: 'failed'; readonly error: ServiceError; readonly labelKey: 'nas.label' | 'nas.label.mdadm' }
  | { readonly kind: 'checking' };

/** Reads the OMV and mdadm snapshots as one source, for /nas and the /status line alike. */
export function readNas(omvSnap: Snapshot<OmvSnapshot> | undefined, mdSnap: Snapshot<RaidArray[]> | undefined): NasRead {
  const omv = snapshotValue(omvSnap);
  const md = snapshotValue(mdSnap);
  if (omv || md) return { kind: 'value', omv, md };
  if (omvSnap?.status === 'failed') return { kind: 'failed', error: omvSnap.error, labelKey: 'nas.label' };
  if (mdSnap?.status === 'failed') return { kind: 'failed', error: mdSnap.error, labelKey: 'nas.label.mdadm' };
  return { kind: 'checking' };
}

/** The /nas command. */
export function nasCommands(deps: NasDeps): AnyCommand[] {
  const nas = defineCommand({
    name: 'nas',
    group: 'nas',
    summaryKey: 'nas.summary',
    args: {},
    permission: 'nas.status.read',
    async run(ctx): Promise<OutMessage> {
      const t = ctx.t;
      const maxAge = deps.maxAgeMs ?? 60_000;
      const [omvSnap, mdSnap] = await Promise.all([deps.omv?.fresh(maxAge), deps.mdadm?.fresh(maxAge)]);
      const read = readNas(omvSnap, mdSnap);
      if (read.kind === 'failed') return serviceErrorMessage(t, read.error, t(read.labelKey));
      if (read.kind === 'checking') return { blocks: [{ kind: 'text', text: t('nas.checking') }] };
      const { omv, md } = read;
      const blocks: Block[] = [];
      const section = (title: string, items: string[]): void => {
        blocks.push({ kind: 'text', text: title }, { kind: 'list', items });
      };
      const unavailable = (e: ServiceError): string => `${stateIcon('idle')} ${t('nas.unavailable', { detail: serviceErrorReason(t, e) })}`;

      const arrays = omv?.raid ?? md;
      if (arrays)
        section(t('nas.raid.title'), arrays.length ? arrays.map((a) => raidLine(t, a, omv?.disks ?? [], arrays)) : [t('nas.raid.none')]);
      else if (omv?.raidError) section(t('nas.raid.title'), [unavailable(omv.raidError)]);

      if (omv) {
        if (omv.filesystems) {
          const mounted = omv.filesystems.filter((f) => f.mounted || f.state === 'missing');
          section(t('nas.fs.title'), mounted.length ? mounted.map((f) => filesystemLine(t, f, deps)) : [t('nas.fs.none')]);
        } else if (omv.filesystemsError) section(t('nas.fs.title'), [unavailable(omv.filesystemsError)]);
        if (omv.disks) section(t('nas.disk.title'), omv.disks.length ? omv.disks.map((d) => diskLine(t, d)) : [t('nas.disk.none')]);
        else if (omv.disksError) section(t('nas.disk.title'), [unavailable(omv.disksError)]);
        if (omv.shares) {
          const items = omv.shares.map(
            (s) =>
              `${s.enabled ? '📁' : stateIcon('idle')} ${s.name}${s.comment ? ` — ${s.comment}` : ''}${s.enabled ? '' : ` ${t('nas.share.off')}`}`,
          );
          section(t('nas.share.title'), items.length ? items : [t('nas.share.none')]);
        } else if (omv.sharesError) section(t('nas.share.title'), [unavailable(omv.sharesError)]);
      }
      // Tell the age of the older of the two answers: that is how stale the picture may be.
      const ages: { at: number; snap: Snapshot<unknown> }[] = [];
      if (omvSnap && omv) ages.push({ at: ageOf(omvSnap), snap: omvSnap });
      if (mdSnap && md) ages.push({ at: ageOf(mdSnap), snap: mdSnap });
      const oldest = ages.sort((a, b) => a.at - b.at)[0];
      const footer = oldest ? snapshotFooter(t, oldest.snap, ctx.now()) : undefined;
      const host = omv?.system.hostname ?? deps.mdadmHost ?? 'nas';
      const bad = (arrays ?? []).some((a) => raidHealth(a) !== 'healthy') || (omv?.disks ?? []).some((d) => diskTone(d) !== 'ok');
      return { title: t('nas.title', { host }), severity: bad ? 'warning' : 'info', blocks, ...(footer ? { footer } : {}) };
    },
  });
  return [nas];
}

const ageOf = <T>(s: Snapshot<T>): number => snapshotAt(s) ?? 0;
