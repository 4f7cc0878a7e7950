/** Words for an alert's cause ("stopped by Ana from chat at 14:02", "backup in progress"), in the chat's language. */
import type { AlertCause } from '../../alerts/causes.ts';
import type { Translate } from '../../core/i18n.ts';

/** One short phrase saying why a condition is held. `time` formats an epoch ms for this chat. */
export function causeText(t: Translate, cause: AlertCause, time: (ms: number) => string): string {
  switch (cause.kind) {
    case 'action':
      return t('alerts.cause.action', { who: cause.by, at: time(cause.at) });
    case 'backup':
      return cause.graceUntil !== undefined
        ? t('alerts.cause.backupGrace', { until: time(cause.graceUntil) })
        : t('alerts.cause.backup', { since: time(cause.since) });
    case 'powercut':
      return t('alerts.cause.powercut', { since: time(cause.since) });
    case 'wan':
      return t('alerts.cause.wan', { since: time(cause.since) });
    case 'maintenance':
      return cause.reason
        ? t('alerts.cause.maintenanceWhy', { until: time(cause.until), reason: cause.reason })
        : t('alerts.cause.maintenance', { until: time(cause.until) });
  }
}
