import type { Condition } from '../../alerts/condition.ts';
import type { NextcloudSnapshot } from './poller.ts';

/** Pure Nextcloud rules: snapshot → conditions. */

/** Rule settings. */
export interface NextcloudRuleOptions {
  /**
   * Maintenance mode must last this long before it alerts (default 15 min): an upgrade or an
   * admin's own /cloud maintenance on is expected; being stuck in it is the problem.
   */
  readonly maintenanceHoldMs?: number;
  /** Backend name the conditions depend on (default `nextcloud`). */
  readonly backend?: string;
}

/** Message keys of the Nextcloud conditions (texts live beside the handlers). */
export const NEXTCLOUD_ALERT_KEYS = {
  maintenance: 'cloud.alert.maintenance',
  maintenanceResolved: 'cloud.alert.maintenance.resolved',
  dbUpgrade: 'cloud.alert.db_upgrade',
  dbUpgradeResolved: 'cloud.alert.db_upgrade.resolved',
  notInstalled: 'cloud.alert.not_installed',
} as const;

/** Warnings: maintenance mode on (for a while), database upgrade pending, not installed. */
export function nextcloudConditions(s: NextcloudSnapshot, opts: NextcloudRuleOptions = {}): Condition[] {
  const dependsOn = opts.backend ?? 'nextcloud';
  const params = { version: s.status.versionString };
  const out: Condition[] = [];
  if (s.status.maintenance) {
    out.push({
      key: `${dependsOn}:maintenance`,
      source: 'cloud',
      severity: 'warning',
      summaryKey: NEXTCLOUD_ALERT_KEYS.maintenance,
      resolvedKey: NEXTCLOUD_ALERT_KEYS.maintenanceResolved,
      params,
      dependsOn,
      holdMs: opts.maintenanceHoldMs ?? 15 * 60_000,
    });
  }
  if (s.status.needsDbUpgrade) {
    out.push({
      key: `${dependsOn}:db_upgrade`,
      source: 'cloud',
      severity: 'warning',
      summaryKey: NEXTCLOUD_ALERT_KEYS.dbUpgrade,
      resolvedKey: NEXTCLOUD_ALERT_KEYS.dbUpgradeResolved,
      params,
      dependsOn,
    });
  }
  if (!s.status.installed) {
    out.push({
      key: `${dependsOn}:not_installed`,
      source: 'cloud',
      severity: 'warning',
      summaryKey: NEXTCLOUD_ALERT_KEYS.notInstalled,
      params,
      dependsOn,
    });
  }
  return out;
}
