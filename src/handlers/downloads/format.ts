import type { Translate } from '../../core/i18n.ts';
import type { Torrent } from '../../services/transmission/types.ts';
import { formatDurationShort } from '../args.ts';
import { formatBytes, formatPercent } from '../replies.ts';

const MAX_NAME = 60;

/** A torrent name cut to fit one chat line. */
export function shortName(name: string, max = MAX_NAME): string {
  return name.length > max ? `${name.slice(0, max - 1)}…` : name;
}

/** Household words for a torrent's state. */
export function statusText(t: Translate, x: Torrent): string {
  if (x.status !== 'stopped' && x.metadataPercentComplete < 1) return t('downloads.status.metadata');
  return t(`downloads.status.${x.status}`);
}

/** Two lines per torrent: name, then progress · state · speeds · time left (+ error line). */
export function torrentItem(t: Translate, x: Torrent, n: number): string {
  const done = x.percentDone >= 1;
  const eta = done
    ? t('downloads.eta.done')
    : x.etaSeconds !== undefined
      ? t('downloads.eta.left', { left: formatDurationShort(x.etaSeconds * 1000) })
      : t('downloads.eta.unknown');
  const line = t('downloads.list.item', {
    n,
    name: shortName(x.name),
    percent: formatPercent(x.percentDone),
    status: statusText(t, x),
    down: formatBytes(x.rateDownload),
    up: formatBytes(x.rateUpload),
    eta,
  });
  return x.error !== 0 && x.errorString ? `${line}\n${t('downloads.list.error', { error: x.errorString.slice(0, 120) })}` : line;
}

/** Downloading first, then queued/checking, then paused, then finished; newest first within each. */
export function sortForList(list: readonly Torrent[]): Torrent[] {
  const rank = (x: Torrent): number =>
    x.status === 'downloading' ? 0 : x.percentDone < 1 && x.status !== 'stopped' ? 1 : x.percentDone < 1 ? 2 : 3;
  return [...list].sort((a, b) => rank(a) - rank(b) || b.addedDate - a.addedDate || a.name.localeCompare(b.name));
}

/**
 * The torrent a query names: a number (`7` or `#7`) is the id /torrents shows, never part of a
 * name ("1080p", "2010"); otherwise the hash, the exact name, or names that contain it (case-insensitive).
 */
export function matchTorrents(list: readonly Torrent[], query: string): Torrent[] {
  const q = query.trim().toLowerCase();
  const number = /^#?(\d{1,9})$/.exec(q);
  if (number) return list.filter((x) => x.id === Number(number[1]));
  const exact = list.filter((x) => x.hash === q || x.name.toLowerCase() === q);
  return exact.length > 0 ? exact : list.filter((x) => x.name.toLowerCase().includes(q));
}
