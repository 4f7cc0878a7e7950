/**
 * Keeps `unknown_users` bounded: a daily pass (and one at start) forgets strangers unseen for
 * too long, and a flood prunes itself past the cap as it is noted (PeopleStore). Each prune that
 * forgot someone, whichever triggered it, is one audit row with the counts by reason: a flood
 * of thousands is one row per prune, and an owner can still see when an Ignore was let go.
 */
import type { Clock } from '../core/clock.ts';
import { PeriodicCheck } from '../core/periodic.ts';
import type { AuditLog } from './audit.ts';
import type { PeopleStore } from './people.ts';

/** Who the audit names for the bot's own housekeeping. */
export const HOUSEKEEPING = 'system:housekeeping';
/** The audit row's command for a prune of strangers. */
export const FORGET_STRANGERS = 'forget-strangers';
const DAY_MS = 24 * 3_600_000;

/** The daily pass and the audit of every prune; `start` runs one pass at once. */
export function strangerRetention(people: PeopleStore, audit: AuditLog, clock: Clock): { start(): void; stop(): Promise<void> } {
  const daily = new PeriodicCheck(async () => void people.forgetStrangers(), DAY_MS);
  let unsubscribe: (() => void) | undefined;
  return {
    start() {
      unsubscribe ??= people.onStrangersForgotten((f) =>
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
      daily.start();
    },
    async stop() {
      await daily.stop();
      unsubscribe?.();
      unsubscribe = undefined;
    },
  };
}
