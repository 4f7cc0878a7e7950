/** Pure rule of the off-site copy: its last successful sync is older than the window. */
import type { Condition } from '../../alerts/condition.ts';
import { OFFSITE_BACKEND, type OffsiteState } from './source.ts';

/** Message key of the staleness condition (texts live beside the handlers). */
export const OFFSITE_ALERT_KEY = 'alert.backup.offsite_stale';

/** Alert key: one off-site copy per bot. */
export const OFFSITE_CONDITION = 'backup:offsite:stale';

/** Rule options (config section `alerts.offsite`). */
export interface OffsiteRuleOptions {
  /** How old the last sync may be before it is stale; twice this is critical. */
  readonly windowHours: number;
}

/** "2026-11-25 14:05 UTC": the renderer shows params as they are, so the zone is spelled out. */
export function formatUtc(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/**
 * `backup:offsite:stale` while the last sync is older than the window (critical past twice it).
 * A sync time in the future (clock skew between hosts) is not stale. Params: age and window in
 * hours, last as epoch ms (the renderer shows it in the
 * household's zone and the reader's language).
 */
export function offsiteConditions(s: OffsiteState, now: number, opts: OffsiteRuleOptions): Condition[] {
  const windowMs = opts.windowHours * 3_600_000;
  const ageMs = now - s.lastSuccessAt;
  if (!Number.isFinite(ageMs) || ageMs <= windowMs) return [];
  return [
    {
      key: OFFSITE_CONDITION,
      source: 'backup',
      severity: ageMs > 2 * windowMs ? 'critical' : 'warning',
      summaryKey: OFFSITE_ALERT_KEY,
      params: { age: Math.floor(ageMs / 3_600_000), window: opts.windowHours, last: s.lastSuccessAt },
      dependsOn: OFFSITE_BACKEND,
      // Staleness already integrates hours of time: no debounce, and one good sync ends it.
      holdMs: 0,
      resolveHoldMs: 0,
    },
  ];
}
