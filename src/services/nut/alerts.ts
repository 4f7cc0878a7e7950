import type { Condition } from '../../alerts/condition.ts';
import { lowBattery, onBattery, type UpsState } from './state.ts';

/**
 * Pure UPS rules: state → conditions. "Back on mains" is the recovery of `on_battery`,
 * "UPS unreachable" is the engine's backend condition for the `nut` origin.
 */

/** Rule tuning; the defaults raise power alerts at once. */
export interface UpsRuleOptions {
  /** Debounce for on-battery, ms (0: a power cut is urgent; raise to ignore sub-second blips). */
  readonly onBatteryHoldMs?: number;
}

/** The obvious action on a power alert: shut the homelab down now (runs through the permission check). */
const SHUTDOWN_ACTION = { labelKey: 'alerts.action.shutdown_homelab', command: 'powercut', args: { now: 'yes' } } as const;

/** Conditions for one UPS snapshot. */
export function upsConditions(s: UpsState, opts: UpsRuleOptions = {}): Condition[] {
  const out: Condition[] = [];
  const params: Record<string, string | number> = { ups: s.name };
  if (s.charge !== undefined) params.charge = s.charge;
  if (s.runtimeSeconds !== undefined) params.runtime = s.runtimeSeconds;
  if (s.load !== undefined) params.load = s.load;
  if (s.model) params.model = s.model;
  const base = `ups:${s.name}`;
  if (onBattery(s)) {
    out.push({
      key: `${base}:on_battery`,
      source: 'ups',
      severity: 'critical',
      summaryKey: 'alerts.ups.on_battery',
      resolvedKey: 'alerts.ups.on_battery.resolved',
      params,
      holdMs: opts.onBatteryHoldMs ?? 0,
      resolveHoldMs: 0,
      action: SHUTDOWN_ACTION,
    });
  }
  if (lowBattery(s)) {
    out.push({
      key: `${base}:low_battery`,
      source: 'ups',
      severity: 'critical',
      summaryKey: s.status.has('FSD') ? 'alerts.ups.forced_shutdown' : 'alerts.ups.low_battery',
      resolvedKey: 'alerts.ups.low_battery.resolved',
      params,
      holdMs: 0,
      resolveHoldMs: 0,
      action: SHUTDOWN_ACTION,
    });
  }
  if (s.status.has('RB')) {
    out.push({ key: `${base}:replace_battery`, source: 'ups', severity: 'warning', summaryKey: 'alerts.ups.replace_battery', params });
  }
  if (s.status.has('OVER')) {
    out.push({ key: `${base}:overload`, source: 'ups', severity: 'warning', summaryKey: 'alerts.ups.overload', params });
  }
  return out;
}
