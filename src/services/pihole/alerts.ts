import type { Condition } from '../../alerts/condition.ts';
import type { PiholeSnapshot } from './poller.ts';

/** Pure Pi-hole rules: snapshot → conditions. */

/** Rule settings. */
export interface PiholeRuleOptions {
  /** Blocking off for longer than this raises an info alert (default 30 min). */
  readonly disabledHoldMs?: number;
  /** Backend name the conditions depend on (default `pihole`). */
  readonly backend?: string;
}

/** Message keys of the Pi-hole conditions (texts live beside the handlers). */
export const PIHOLE_ALERT_KEYS = {
  blockingDisabled: 'pihole.alert.blocking_disabled',
  blockingDisabledResolved: 'pihole.alert.blocking_disabled.resolved',
  blockingFailed: 'pihole.alert.blocking_failed',
  actionResume: 'pihole.alert.action_resume',
} as const;

/** Command the "resume blocking" button runs (defined by the Pi-hole handlers). */
export const PIHOLE_RESUME_COMMAND = 'pihole_resume';

/**
 * Blocking disabled for longer than the hold (a pause someone forgot, or a long timer) is info
 * with a "resume" button; the engine's hold does the "longer than N minutes" part, so a short
 * 5-minute pause never alerts. `failed` (FTL could not apply blocking) is a warning.
 */
export function piholeConditions(s: PiholeSnapshot, opts: PiholeRuleOptions = {}): Condition[] {
  const dependsOn = opts.backend ?? 'pihole';
  const holdMs = opts.disabledHoldMs ?? 30 * 60_000;
  const out: Condition[] = [];
  if (s.blocking.state === 'disabled') {
    out.push({
      key: `${dependsOn}:blocking_disabled`,
      source: 'dns',
      severity: 'info',
      summaryKey: PIHOLE_ALERT_KEYS.blockingDisabled,
      resolvedKey: PIHOLE_ALERT_KEYS.blockingDisabledResolved,
      params: { minutes: Math.round(holdMs / 60_000) },
      dependsOn,
      holdMs,
      resolveHoldMs: 0,
      action: { labelKey: PIHOLE_ALERT_KEYS.actionResume, command: PIHOLE_RESUME_COMMAND, args: {} },
    });
  }
  if (s.blocking.state === 'failed') {
    out.push({
      key: `${dependsOn}:blocking_failed`,
      source: 'dns',
      severity: 'warning',
      summaryKey: PIHOLE_ALERT_KEYS.blockingFailed,
      params: {},
      dependsOn,
    });
  }
  return out;
}
