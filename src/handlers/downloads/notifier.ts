import type { Clock } from '../../core/clock.ts';
import type { Translate } from '../../core/i18n.ts';
import type { OutMessage } from '../../core/outmessage.ts';
import type { Snapshot } from '../../services/poller.ts';
import { isDone, TorrentFinishTracker, type TorrentFinished } from '../../services/transmission/alerts.ts';
import type { TransmissionState } from '../../services/transmission/poller.ts';
import { formatBytes } from '../replies.ts';
import type { TorrentStore } from './store.ts';

/** Sends a message to a chat (`platform:chatId`) through the outbox. */
export type Notify = (destination: string, render: (t: Translate) => OutMessage, dedupKey?: string) => void;

/**
 * Tells the person who added a torrent, in the chat they added it from, when it finishes.
 * Finishes come from poll diffs (TorrentFinishTracker). On the first poll after a restart
 * the tracker announces nothing, but a torrent the bot promised to report and has not yet
 * reported (it finished while the bot was down) is reported then; `notified_at` in SQLite
 * makes every notification happen exactly once.
 */
export class TorrentFinishNotifier {
  private readonly tracker = new TorrentFinishTracker();

  constructor(
    private readonly store: TorrentStore,
    private readonly notify: Notify,
    private readonly clock: Clock,
  ) {}

  /** Listener for the Transmission poller. */
  readonly onRefresh = (snap: Snapshot<TransmissionState>): void => {
    if (snap.status !== 'ok') return;
    const first = !this.tracker.primed;
    const events: TorrentFinished[] = this.tracker.update(snap.value.torrents);
    if (first) {
      for (const t of snap.value.torrents) {
        if (isDone(t)) events.push({ hash: t.hash, name: t.name, downloadDir: t.downloadDir, sizeBytes: t.sizeWhenDone });
      }
    }
    for (const e of events) this.announce(e);
  };

  private announce(e: TorrentFinished): void {
    const who = this.store.adder(e.hash);
    if (!who || who.notifiedAt !== null) return;
    if (!this.store.markNotified(e.hash, this.clock.now())) return;
    this.notify(
      who.chat,
      (t) => ({
        severity: 'success',
        blocks: [{ kind: 'text', text: t('downloads.finished', { name: e.name, size: formatBytes(e.sizeBytes) }) }],
      }),
      `torrent-finished:${e.hash}`,
    );
  }
}
