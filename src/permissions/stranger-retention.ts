/**
 * Keeps `unknown_users` and the stranger rows of `audit_log` bounded: a daily pass (the first
 * shortly after start) forgets strangers unseen for too long and stranger rows as old, and a flood
 * prunes itself past each cap as it is noted (PeopleStore, AuditLog). Each prune that forgot
 * something, whichever triggered it, is one audit row with the counts by reason: a flood of
 * thousands is one row per prune, and an owner can still see when an Ignore was let go.
 */
import type { Clock, Scheduler } from '../core/clock.ts';
import { PeriodicCheck } from '../core/periodic.ts';
import { HOUSEKEEPING, type AuditLog } from './audit.ts';
import type { PeopleStore } from './people.ts';

/** The audit row's command for a prune of strangers. */
export const FORGET_STRANGERS = 'forget-strangers';
const DAY_MS = 24 * 3_600_000;
/**
 * The first pass waits this long after start: a prune of thousands of rows is a long write, and
 * start-up (modules, then Telegram's first getUpdates and the warm-up a second later) goes first.
 */
export const FIRST_STRANGER_PASS_AFTER_MS = 30_000;

/**
 * The daily pass and the audit of every prune; `start` schedules the first pass shortly after, on
 * `scheduler`. Every prune of `people` is audited from here on, whether or not the pass runs: a
 * flood prunes itself as strangers are noted, before `start` and after `stop` too.
 */
export function strangerRetention(
  people: PeopleStore,
  audit: AuditLog,
  clock: Clock,
  scheduler: Scheduler,
): { start(): void; stop(): Promise<void> } {
  auditStrangerPrunes(people, audit, clock);
  const daily = new PeriodicCheck(async () => {
    people.forgetStrangers();
    audit.forgetStrangerRows(clock.now());
  }, DAY_MS);
  let cancelFirst: (() => void) | undefined;
  return {
    start() {
      // PeriodicCheck's own start runs its first pass at once: deferred, off the start-up path.
      cancelFirst ??= scheduler.after(FIRST_STRANGER_PASS_AFTER_MS, () => daily.start());
    },
    async stop() {
      cancelFirst?.();
      cancelFirst = undefined;
      await daily.stop();
    },
  };
}

/**
 * Writes each prune's housekeeping row (forget-strangers, args {unseen, ignored, overCap}) inside
 * the prune's transaction (`audit` and `people` share the database): a crash leaves neither the
 * deletions nor the row, never one without the other. Returns the unsubscribe.
 */
export function auditStrangerPrunes(people: PeopleStore, audit: AuditLog, clock: Clock): () => void {
  return people.onStrangersForgotten((f) =>
    audit.record({
      at: clock.now(),
      identity: HOUSEKEEPING,
      chat: HOUSEKEEPING,
      command: FORGET_STRANGERS,
      service: 'permissions',
      args: { ...f },
      result: 'ok',
    }),
  );
}
