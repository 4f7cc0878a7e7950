import type { Condition } from './condition.ts';

/**
 * Buttons on alert messages. The renderer asks for one opaque token per button and per chat;
 * the composition root implements this with the pipeline's action tokens, so pressing a
 * button re-runs a normal command (permission check included). Undefined: no button.
 */
export interface AlertActions {
  /** Acknowledge: stops reminders and shows who acknowledged. */
  ack(alertKey: string, destination: string): string | undefined;
  /** Snooze reminders for one hour. */
  snooze1h(alertKey: string, destination: string): string | undefined;
  /** Snooze reminders for one day. */
  snooze1d(alertKey: string, destination: string): string | undefined;
  /** The rule's obvious action (start the guest, retry the backup, shut the homelab down). */
  obvious(action: NonNullable<Condition['action']>, destination: string): string | undefined;
}
