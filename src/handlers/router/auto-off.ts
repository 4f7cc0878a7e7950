import type { DeadlineKind } from '../../core/deadlines.ts';
import type { Result } from '../../core/errors.ts';
import { GUEST_OFF_KIND, toAutoOff, type AutoOff } from './store.ts';

/**
 * The guest WiFi auto-off as a deadline kind: the WiFi goes off when the time is up. An
 * interrupted `/guestwifi on 2h` keeps its deadline (turning the WiFi off is always safe), and
 * an auto-off the admin extended while it ran turns the WiFi back on.
 */
export function guestAutoOffDeadlines(
  setEnabled: (on: boolean) => Promise<Result<unknown>>,
  onTurnedOff: (s: AutoOff) => void,
): DeadlineKind {
  return {
    kind: GUEST_OFF_KIND,
    service: 'router',
    expire: () => setEnabled(false),
    reapply: () => setEnabled(true),
    expired: (d) => onTurnedOff(toAutoOff(d)),
  };
}
