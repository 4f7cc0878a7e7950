/**
 * Folds the owner's stranger notices in a flood. Within a window each owner (the person, whichever
 * of their identities a notice goes to: Telegram for a Telegram stranger, Discord for a Discord one) is told about the
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
  /** Where the folded notice goes: the identity the owner was last told through in this window. */
  to: string;
  /** Cancels the folded notice due at the window's end (set while something is counted). */
  cancel?: () => void;
}

/** Per-person windows of owners' stranger notices; `tell` sends a folded notice for `count` strangers to the identity `to`. */
export class StrangerNoticeFold {
  /** By person id: an owner enrolled on two platforms has one window, not one per identity. */
  private readonly windows = new Map<number, Window>();

  constructor(
    private readonly clock: Clock,
    private readonly scheduler: Scheduler,
    private readonly tell: (to: string, count: number) => void,
  ) {}

  /**
   * Whether the owner `person` gets a single notice about one more new stranger at their identity `to` now, or has
   * them counted into the window's folded notice (which then goes to `to`).
   */
  note(person: number, to: string): StrangerNoticeKind {
    const now = this.clock.now();
    let w = this.windows.get(person);
    if (!w || now >= w.start + STRANGER_NOTICE_WINDOW_MS) this.windows.set(person, (w = { start: now, single: 0, folded: 0, to }));
    w.to = to;
    if (w.single < STRANGER_NOTICES_PER_WINDOW) {
      w.single++;
      return 'single';
    }
    if (w.folded++ === 0) {
      const window = w;
      window.cancel = this.scheduler.after(window.start + STRANGER_NOTICE_WINDOW_MS - now, () => this.close(person, window));
    }
    return 'folded';
  }

  /** Tells every owner what their open windows counted so far (shutdown: nothing counted is lost). */
  stop(): void {
    for (const w of this.windows.values()) {
      if (!w.cancel) continue;
      w.cancel();
      w.cancel = undefined;
      this.tell(w.to, w.folded);
    }
    this.windows.clear();
  }

  private close(person: number, w: Window): void {
    w.cancel = undefined;
    // The flood may still be going: the next window counts from its first stranger.
    this.windows.set(person, { start: w.start + STRANGER_NOTICE_WINDOW_MS, single: STRANGER_NOTICES_PER_WINDOW, folded: 0, to: w.to });
    this.tell(w.to, w.folded);
  }
}
