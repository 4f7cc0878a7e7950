/** The NAS's /status line and its part of the morning digest, from the cached snapshots. */
import type { DigestInput } from '../../alerts/digest.ts';
import type { Translate } from '../../core/i18n.ts';
import { raidHealth, type RaidArray } from '../../services/mdadm/raid.ts';
import type { OmvSnapshot } from '../../services/omv/poller.ts';
import { snapshotValue, type Poller, type Snapshot } from '../../services/poller.ts';
import { downLine, type StatusLine, type StatusSection } from '../builtin/status-section.ts';
import { diskTone, RAID_TONE, readNas, type NasRead } from './commands.ts';

/** One line of /status: RAID, disks, the fullest filesystem. Never touches the backend. */
export function nasStatusSection(omv: Poller<OmvSnapshot> | undefined, mdadm: Poller<RaidArray[]> | undefined): StatusSection {
  // The line depends on the two snapshots and the language only: made once per pair and language.
  const kept = new WeakMap<Translate, { omv: unknown; md: unknown; line: StatusLine }>();
  const lineOf = (omvSnap: Snapshot<OmvSnapshot> | undefined, mdSnap: Snapshot<RaidArray[]> | undefined, t: Translate): StatusLine => {
    const k = kept.get(t);
    if (k && k.omv === omvSnap && k.md === mdSnap) return k.line;
    const line = nasLine(readNas(omvSnap, mdSnap), t);
    kept.set(t, { omv: omvSnap, md: mdSnap, line });
    return line;
  };
  return {
    id: 'nas',
    labelKey: 'nas.label',
    async read(t) {
      return lineOf(await omv?.settled(), await mdadm?.settled(), t);
    },
    peek(t) {
      if (omv?.snapshot.status === 'never' || mdadm?.snapshot.status === 'never') return undefined;
      return lineOf(omv?.snapshot, mdadm?.snapshot, t);
    },
  };
}

function nasLine(read: NasRead, t: Translate): StatusLine {
  // The label already names the NAS; only the mdadm check over SSH is named as what failed.
  if (read.kind === 'failed') return downLine(t, read.error, read.labelKey === 'nas.label' ? undefined : read.labelKey);
  if (read.kind === 'checking') return { level: 'warning', text: t('nas.checking') };
  const o = read.omv;
  const arrays = o?.raid ?? read.md;
  const worst = (arrays ?? []).map(raidHealth).find((h) => h !== 'healthy');
  const raid = arrays === undefined ? '?' : arrays.length === 0 ? t('nas.status.noRaid') : t(`nas.health.${worst ?? 'healthy'}`);
  const badDisks = (o?.disks ?? []).filter((d) => diskTone(d) !== 'ok').length;
  const fullest = [...(o?.filesystems ?? [])]
    .filter((f) => f.mounted && f.percent !== undefined)
    .sort((a, b) => (b.percent ?? 0) - (a.percent ?? 0))[0];
  const parts = [t('nas.status.raid', { state: raid })];
  if (o?.disks) parts.push(badDisks ? t('nas.status.disksBad', { count: badDisks }) : t('nas.status.disksOk'));
  if (fullest) parts.push(t('nas.status.fullest', { name: fullest.label || fullest.mountpoint, percent: `${fullest.percent} %` }));
  // The colours of /nas and of the alerts: lost redundancy or a failing disk red, a rebuild blue.
  const tones = [...(arrays ?? []).map((a) => RAID_TONE[raidHealth(a)]), ...(o?.disks ?? []).map(diskTone)];
  const level = tones.includes('critical') ? 'down' : tones.includes('warning') ? 'warning' : tones.includes('info') ? 'info' : 'ok';
  return { level, text: parts.join(', ') };
}

/** RAID and disk health for the digest. */
export function nasDigest(omv: Poller<OmvSnapshot> | undefined, mdadm: Poller<RaidArray[]> | undefined): Partial<DigestInput> {
  const o = snapshotValue(omv?.snapshot);
  const arrays = o?.raid ?? snapshotValue(mdadm?.snapshot);
  const out: { raid?: DigestInput['raid']; disks?: DigestInput['disks'] } = {};
  if (arrays) {
    out.raid = arrays.map((a) => {
      const h = raidHealth(a);
      return {
        name: a.name,
        state: h,
        healthy: h === 'healthy',
        ...(h === 'rebuilding' && a.sync?.percent !== undefined ? { progress: a.sync.percent } : {}),
      };
    });
  }
  if (o?.disks) {
    out.disks = o.disks.map((d) => {
      const healthy = diskTone(d) === 'ok';
      return {
        name: d.devicefile,
        healthy,
        ...(healthy ? {} : { detail: `${d.status}, ${d.health?.reallocatedSectors ?? 0}/${d.health?.pendingSectors ?? 0}` }),
      };
    });
  }
  return out;
}
