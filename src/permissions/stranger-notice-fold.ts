/**
 * Folds the owner's stranger notices in a flood. Within a window each owner is told about the
 * first few new strangers one by one (each notice with its buttons); the rest of that window is
 * only counted, and told as one folded notice when the window ends. A window that folded is
 * followed by one that folds from its first stranger (the flood may go on); a window that passes
 * with no new stranger ends that, and notices are single again. Kept in memory: a restart starts
 * afresh (at worst a few more single notices), and a stop tells what was counted so far.
 */
import type { Clock, Scheduler } from '../core/clock.ts';

/**
 * Single notices per owner per window. A household sees one or two new people at a time (a
 * relative and their partner): three keeps those as they are, while a bot farm at the pipeline's
 * limit of 60 new strangers a minute costs the owner four notices, not six hundred.
 */
export const STRANGER_NOTICES_PER_WINDOW = 3;
/** The window: long enough that a flood buzzes an owner's phone at most once in it after the burst. */
export const STRANGER_NOTICE_WINDOW_MS = 10 * 60_000;

/** How one new stranger is told to one owner. */
export type StrangerNoticeKind = 'single' | 'folded';

interface Window {
  readonly start: number;
  single: number;
  folded: number;
  /** Cancels the folded notice due at the window's end (set while something is counted). */
  cancel?: () => void;
}

/** Per-owner windows of stranger notices; `tell` sends an owner's folded notice for `count` strangers. */
export class StrangerNoticeFold {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly clock: Clock,
    private readonly scheduler: Scheduler,
    private readonly tell: (owner: string, count: number) => void,
  ) {}

  /** Whether `owner` gets a single notice about one more new stranger now, or has them counted into the window's folded notice. */
  note(owner: string): StrangerNoticeKind {
    const now = this.clock.now();
    let w = this.windows.get(owner);
    if (!w || now >= w.start + STRANGER_NOTICE_WINDOW_MS) this.windows.set(owner, (w = { start: now, single: 0, folded: 0 }));
    if (w.single < STRANGER_NOTICES_PER_WINDOW) {
      w.single++;
      return 'single';
    }
    if (w.folded++ === 0) {
      const window = w;
      window.cancel = this.scheduler.after(window.start + STRANGER_NOTICE_WINDOW_MS - now, () => this.close(owner, window));
    }
    return 'folded';
  }

  /** Tells every owner what their open windows counted so far (shutdown: nothing counted is lost). */
  stop(): void {
    for (const [owner, w] of this.windows) {
      if (!w.cancel) continue;
      w.cancel();
      w.cancel = undefined;
      this.tell(owner, w.folded);
    }
    this.windows.clear();
  }

  private close(owner: string, w: Window): void {
    w.cancel = undefined;
    // The flood may still be going: the next window counts from its first stranger.
    this.windows.set(owner, { start: w.start + STRANGER_NOTICE_WINDOW_MS, single: STRANGER_NOTICES_PER_WINDOW, folded: 0 });
    this.tell(owner, w.folded);
  }
}
