/** Small helpers every handler uses to turn service results into replies. */
import type { ServiceError } from '../core/errors.ts';
import type { MessageKey, Translate } from '../core/i18n.ts';
import { textMessage, type OutMessage } from '../core/outmessage.ts';
import { snapshotAt, snapshotValue, type Snapshot } from '../services/poller.ts';

/** The reply when the bot could not record a change before making it: nothing was changed. */
export function notRecordedMessage(t: Translate): OutMessage {
  return textMessage(t('pipeline.notRecorded'), { severity: 'critical' });
}

/**
 * What went wrong, in the reader's language: the catalogue's words for a named cause
 * (`error.reason.<reason>`: connection refused, certificate not trusted…), else the backend's own.
 * The one place a ServiceError's cause becomes reply text.
 */
export function serviceErrorReason(t: Translate, e: ServiceError): string {
  return e.reason ? t(`error.reason.${e.reason}`, e.reasonParams) : e.detail;
}

/** The sentence for a failed backend call (which backend, what is wrong, what to check), for a reply or a status line. */
export function serviceErrorText(t: Translate, e: ServiceError, serviceLabel?: string): string {
  return t(`error.${e.kind}`, { service: serviceLabel ?? e.service, detail: serviceErrorReason(t, e) });
}

/** One clear sentence for a failed backend call: which backend, what is wrong, what to check. */
export function serviceErrorMessage(t: Translate, e: ServiceError, serviceLabel?: string): OutMessage {
  return textMessage(serviceErrorText(t, e, serviceLabel), { severity: 'warning' });
}

/** A status answer's data: the poller's value (the last good one while the backend fails), when it was read, and the snapshot for the footer. */
export interface SnapshotRead<T> {
  readonly snap: Snapshot<T>;
  readonly value: T;
  readonly at: number;
}

/**
 * Reads a poller for a status command: its data, or the reply to send instead (the failure when
 * there never was a good value, "checking…" before the first read). Tell them apart with `'blocks' in r`.
 */
export async function readSnapshotOrReply<T>(
  poller: { fresh(maxAgeMs: number): Promise<Snapshot<T>> },
  maxAgeMs: number,
  t: Translate,
  reply: { readonly serviceLabel: string; readonly checkingKey: MessageKey },
): Promise<SnapshotRead<T> | OutMessage> {
  const snap = await poller.fresh(maxAgeMs);
  const value = snapshotValue(snap);
  const at = snapshotAt(snap);
  if (value !== undefined && at !== undefined) return { snap, value, at };
  if (snap.status === 'failed') return serviceErrorMessage(t, snap.error, reply.serviceLabel);
  return textMessage(t(reply.checkingKey));
}

/** "3 min ago" in the user's language. */
export function formatAge(t: Translate, ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 5) return t('age.now');
  if (s < 60) return t('age.seconds', { n: s });
  if (s < 3600) return t('age.minutes', { n: Math.round(s / 60) });
  if (s < 86_400) return t('age.hours', { n: Math.round(s / 3600) });
  return t('age.days', { n: Math.round(s / 86_400) });
}

/** Footer for answers served from a poller snapshot. */
export function snapshotFooter<T>(t: Translate, snap: Snapshot<T>, now: number): string | undefined {
  if (snap.status === 'ok') return t('age.asOf', { age: formatAge(t, now - snap.at) });
  if (snap.status === 'failed' && snap.last) return t('age.asOf', { age: formatAge(t, now - snap.last.at) });
  return undefined;
}

/** Bytes as a short human string (binary units). */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v >= 10 || i === 0 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}

/** Percentage with no decimals. */
export function formatPercent(fraction: number): string {
  return `${Math.round(fraction * 100)} %`;
}
