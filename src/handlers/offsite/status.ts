/** The off-site copy's /status line and its part of the morning digest, from the cached snapshot. */
import type { DigestInput } from '../../alerts/digest.ts';
import type { Translate } from '../../core/i18n.ts';
import { formatUtc } from '../../services/offsite/alerts.ts';
import type { OffsiteState } from '../../services/offsite/source.ts';
import type { Poller } from '../../services/poller.ts';
import { pollerStatusSection, type StatusSection } from '../builtin/status-section.ts';
import { formatAge } from '../replies.ts';

/** An age below this (the sync ahead of the bot's clock by more than five minutes) is clock skew. */
const FUTURE_SKEW_MS = -5 * 60_000;

/** "5 h ago"; hours up to three days, so "30 h" compares with a window in hours (not "1 days"). */
function syncAge(t: Translate, ageMs: number): string {
  return ageMs >= 24 * 3_600_000 && ageMs < 72 * 3_600_000 ? t('age.hours', { n: Math.floor(ageMs / 3_600_000) }) : formatAge(t, ageMs);
}

/**
 * The first age (ms) after `ageMs` at which the line may read differently, or `ageMs` itself when
 * it sits on a boundary: the next change of the rounded second `formatAge` shows, of the whole hour
 * `syncAge` shows between one and three days, or of a threshold the line compares the age with.
 */
function ageHoldsUntil(ageMs: number, windowMs: number): number {
  const nextSecond = (Math.round(ageMs / 1000) + 0.5) * 1000;
  const nextHour = (Math.floor(ageMs / 3_600_000) + 1) * 3_600_000;
  const limits = [nextSecond, nextHour, FUTURE_SKEW_MS, windowMs, 2 * windowMs, 24 * 3_600_000, 72 * 3_600_000];
  return Math.min(...limits.filter((l) => l >= ageMs));
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
      const windowMs = windowHours * 3_600_000;
      // Made again when the age it shows or a threshold it compares with is reached, not per /status.
      const until = last + ageHoldsUntil(ageMs, windowMs);
      // Clock skew between the bot and the docker host: say so rather than "just now".
      if (ageMs < FUTURE_SKEW_MS) return { level: 'warning', text: t('offsite.status.future', { last: formatUtc(last) }), until };
      if (ageMs <= windowMs) return { level: 'ok', text: t('offsite.status.fresh', { age: syncAge(t, ageMs) }), until };
      return {
        level: ageMs > 2 * windowMs ? 'down' : 'warning',
        text: t('offsite.status.stale', { age: syncAge(t, ageMs), window: windowHours }),
        until,
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
