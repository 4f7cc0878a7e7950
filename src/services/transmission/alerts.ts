import type { Snapshot } from '../poller.ts';
import type { TransmissionState } from './poller.ts';
import type { Torrent } from './types.ts';

/** A torrent that finished downloading since the previous poll. */
export interface TorrentFinished {
  readonly hash: string;
  readonly name: string;
  readonly downloadDir: string;
  readonly sizeBytes: number;
}

/** Done = all wanted data present (a magnet without metadata has size 0 and is never done). */
export function isDone(t: Torrent): boolean {
  return t.sizeWhenDone > 0 && t.percentDone >= 1 && t.metadataPercentComplete >= 1;
}

/** Pure diff: torrents done now that were not in `previouslyDone`. */
export function newlyFinished(previouslyDone: ReadonlySet<string>, torrents: readonly Torrent[]): TorrentFinished[] {
  return torrents
    .filter((t) => isDone(t) && !previouslyDone.has(t.hash))
    .map((t) => ({ hash: t.hash, name: t.name, downloadDir: t.downloadDir, sizeBytes: t.sizeWhenDone }));
}

/**
 * Turns polled torrent lists into "finished" events (Home Assistant's transmission
 * coordinator idea): the first good poll only records which torrents are already done, so
 * a bot restart announces nothing stale. A failed poll keeps the last known set, so a
 * torrent that finishes during an outage is announced once the daemon answers again.
 */
export class TorrentFinishTracker {
  private done: Set<string> | undefined;

  /** True once the starting state has been recorded. */
  get primed(): boolean {
    return this.done !== undefined;
  }

  /** Feeds one torrent list; returns the torrents finished since the previous list. */
  update(torrents: readonly Torrent[]): TorrentFinished[] {
    const events = this.done ? newlyFinished(this.done, torrents) : [];
    this.done = new Set(torrents.filter(isDone).map((t) => t.hash));
    return events;
  }

  /** Adapter for `Poller.onRefresh`: ignores failed polls. */
  listener(onFinished: (events: TorrentFinished[]) => void): (snap: Snapshot<TransmissionState>) => void {
    return (snap) => {
      if (snap.status !== 'ok') return;
      const events = this.update(snap.value.torrents);
      if (events.length > 0) onFinished(events);
    };
  }
}
