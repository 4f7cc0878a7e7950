/** The off-site copy's /status line and its part of the morning digest, from the cached snapshot. */
import type { DigestInput } from '../../alerts/digest.ts';
import type { Translate } from '../../core/i18n.ts';
import { formatUtc } from '../../services/offsite/alerts.ts';
import type { OffsiteState } from '../../services/offsite/source.ts';
import type { Poller } from '../../services/poller.ts';
import { pollerStatusSection, type StatusSection } from '../builtin/status-section.ts';
import { formatAge } from '../replies.ts';

/** "5 h ago"; hours up to three days, so "30 h" compares with a window in hours (not "1 days"). */
function syncAge(t: Translate, ageMs: number): string {
  return ageMs >= 24 * 3_600_000 && ageMs < 72 * 3_600_000 ? t('age.hours', { n: Math.floor(ageMs / 3_600_000) }) : formatAge(t, ageMs);
}

/** One line of /status: how long ago the last sync was, stale against the window, or why it cannot be read. */
export function offsiteStatusSection(poller: Poller<OffsiteState>, windowHours: number): StatusSection {
  return pollerStatusSection(poller, {
    id: 'offsite',
    labelKey: 'offsite.label',
    checkingKey: 'offsite.status.checking',
    errorLabelKey: 'offsite.label.check',
    line(v, t, now) {
      const last = v.lastSuccessAt;
      const ageMs = now - last;
      // Clock skew between the bot and the docker host: say so rather than "just now".
      if (ageMs < -5 * 60_000) return { level: 'warning', text: t('offsite.status.future', { last: formatUtc(last) }) };
      const windowMs = windowHours * 3_600_000;
      if (ageMs <= windowMs) return { level: 'ok', text: t('offsite.status.fresh', { age: syncAge(t, ageMs) }) };
      return {
        level: ageMs > 2 * windowMs ? 'down' : 'warning',
        text: t('offsite.status.stale', { age: syncAge(t, ageMs), window: windowHours }),
      };
    },
  });
}

/** The last successful sync for the digest (the last known one while the host does not answer). */
export function offsiteDigest(poller: Poller<OffsiteState>): Partial<DigestInput> {
  const s = poller.snapshot;
  const v = s.status === 'ok' ? s.value : s.status === 'failed' ? s.last?.value : undefined;
  return v ? { backups: { ok: [], failed: [], missing: [], offsiteAt: v.lastSuccessAt } } : {};
}
