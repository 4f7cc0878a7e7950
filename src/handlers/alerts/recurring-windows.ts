/**
 * Recurring maintenance windows from the config (nightly backups): open from each cron start for
 * their duration. One occurrence can be ended early from chat; that is recorded as a deadline
 * (kind `alerts-maintenance-ended`, due when the occurrence would have ended), so it outlives a
 * restart, the next occurrence applies as usual, and the deadline worker tidies it away.
 */
import cron, { type ScheduledTask } from 'node-cron';
import { ok } from '../../core/errors.ts';
import type { DeadlineKind, DeadlineStore } from '../../core/deadlines.ts';
import type { MaintenanceWindow } from '../../alerts/holds.ts';

/** A recurring window as the config gives it (alerts.maintenance). */
export interface RecurringWindowConfig {
  readonly target: string | number;
  readonly cron: string;
  readonly durationMinutes: number;
  readonly reason?: string;
}

/** Who opened a window from the config (shown as "by schedule"). */
export const SCHEDULE_BY = '';

/** One occurrence of a recurring window: when it started, and how chats name its target. */
export interface Occurrence extends MaintenanceWindow {
  readonly label: string;
  readonly start: number;
}

/** The deadline kind of an occurrence ended early (target `<window target>@<start>`). */
export const ENDED_OCCURRENCE_KIND = 'alerts-maintenance-ended';

const occurrenceKey = (target: string, start: number): string => `${target}@${start}`;

/** Occurrences ended early, stored as deadlines that lapse when the occurrence would have ended. */
export class EndedOccurrences {
  constructor(private readonly store: DeadlineStore) {}

  /** True when this occurrence was ended early. */
  has(target: string, start: number): boolean {
    return this.store.get(ENDED_OCCURRENCE_KIND, occurrenceKey(target, start)) !== undefined;
  }

  /** Ends an occurrence now; `by` and `chat` are kept with it. */
  end(o: Occurrence, by: string, chat: string, now: number): void {
    this.store.put(
      {
        kind: ENDED_OCCURRENCE_KIND,
        target: occurrenceKey(o.target, o.start),
        dueAt: o.until,
        chat,
        requestedBy: by,
        data: { label: o.label },
      },
      now,
    );
  }
}

/** The deadline kind: nothing to undo; when the occurrence would have ended, its record goes. */
export const endedOccurrenceDeadlines: DeadlineKind = { kind: ENDED_OCCURRENCE_KIND, bookkeeping: true, expire: async () => ok(undefined) };

/**
 * Recurring windows from the config. A window is open from each minute its cron expression
 * matches (in the config's timezone) for its duration, unless that occurrence was ended early.
 * Worked out from the clock on demand, so a restart inside a window finds it open and tests
 * move time by hand; the cron matching is cached per minute, the target resolved on each call
 * (a guest is unknown until the hypervisor's first read, which may land mid-minute).
 */
export class RecurringWindows {
  private readonly tasks: { readonly w: RecurringWindowConfig; readonly task: ScheduledTask }[];
  private memo: { minute: number; list: { readonly w: RecurringWindowConfig; readonly start: number }[] } | undefined;

  constructor(
    windows: readonly RecurringWindowConfig[],
    timezone: string,
    private readonly resolve: (target: string) => { readonly target: string; readonly label: string } | undefined,
    private readonly ended?: EndedOccurrences,
  ) {
    // Created, never started: only `match` is used.
    this.tasks = windows.map((w) => ({ w, task: cron.createTask(w.cron, () => undefined, { timezone }) }));
  }

  /** Occurrences open at `now` whose target is known (a guest only once the hypervisor was read). */
  active(now: number): Occurrence[] {
    const minute = Math.floor(now / 60_000) * 60_000;
    if (this.memo?.minute !== minute) this.memo = { minute, list: this.compute(minute) };
    return this.memo.list.flatMap(({ w, start }) => {
      const t = this.resolve(String(w.target));
      const until = start + w.durationMinutes * 60_000;
      if (!t || until <= now || this.ended?.has(t.target, start)) return [];
      return [{ ...t, start, until, by: SCHEDULE_BY, ...(w.reason ? { reason: w.reason } : {}) }];
    });
  }

  /** Ends the occurrence of `target` that started at `start`, if it is open now; returns it. */
  endEarly(target: string, start: number, by: string, chat: string, now: number): Occurrence | undefined {
    const o = this.active(now).find((w) => w.target === target && w.start === start);
    if (o) this.ended?.end(o, by, chat, now);
    return o;
  }

  /** The latest start of each window still open in this minute (cron matching is the costly part). */
  private compute(minute: number): { readonly w: RecurringWindowConfig; readonly start: number }[] {
    const out: { w: RecurringWindowConfig; start: number }[] = [];
    for (const { w, task } of this.tasks) {
      for (let start = minute; start > minute - w.durationMinutes * 60_000; start -= 60_000) {
        if (!task.match(new Date(start))) continue;
        out.push({ w, start });
        break;
      }
    }
    return out;
  }

  /** Releases the cron tasks. */
  stop(): void {
    for (const { task } of this.tasks) void task.destroy();
  }
}
