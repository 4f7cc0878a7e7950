/**
 * The one way a time reaches a reader: in the household's zone (config `timezone`) and the
 * reader's language. Used by replies and pushes alike (pause ends, unblock and maintenance ends,
 * the outage start of a restore report, digest and audit times).
 */
import type { Language } from './i18n.ts';

const LOCALE: Record<Language, string> = { en: 'en-GB', es: 'es-ES' };
const DAY_MS = 86_400_000;

const formats = new Map<string, Intl.DateTimeFormat | Intl.RelativeTimeFormat | Intl.NumberFormat | Intl.ListFormat>();

function cached<T extends Intl.DateTimeFormat | Intl.RelativeTimeFormat | Intl.NumberFormat | Intl.ListFormat>(
  key: string,
  make: () => T,
): T {
  let f = formats.get(key);
  if (!f) formats.set(key, (f = make()));
  return f as T;
}

/** Days since the epoch of the calendar day `ms` falls on in `timeZone`. */
function localDay(ms: number, timeZone: string): number {
  const parts = cached(
    `day|${timeZone}`,
    () => new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric' }),
  )
    .formatToParts(ms)
    .reduce<Record<string, number>>((o, p) => (p.type === 'literal' ? o : { ...o, [p.type]: Number(p.value) }), {});
  return Math.round(Date.UTC(parts.year ?? 1970, (parts.month ?? 1) - 1, parts.day ?? 1) / DAY_MS);
}

/**
 * "14:05" today; "tomorrow 07:00" / "mañana 07:00" and "yesterday 23:10" / "ayer 23:10" on the
 * days either side; "25 Nov 14:05" / "25 nov 14:05" otherwise (with the year when it is not this one).
 */
export function formatTime(ms: number, lang: Language, timeZone: string, now: number): string {
  const locale = LOCALE[lang];
  const hm = cached(
    `hm|${locale}|${timeZone}`,
    () => new Intl.DateTimeFormat(locale, { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }),
  ).format(ms);
  const days = localDay(ms, timeZone) - localDay(now, timeZone);
  if (days === 0) return hm;
  if (days === 1 || days === -1) {
    const word = cached(`rel|${lang}`, () => new Intl.RelativeTimeFormat(lang, { numeric: 'auto' })).format(days, 'day');
    return `${word} ${hm}`;
  }
  const sameYear =
    new Date(localDay(ms, timeZone) * DAY_MS).getUTCFullYear() === new Date(localDay(now, timeZone) * DAY_MS).getUTCFullYear();
  const date = cached(
    `date|${locale}|${timeZone}|${sameYear}`,
    () => new Intl.DateTimeFormat(locale, { timeZone, day: 'numeric', month: 'short', ...(sameYear ? {} : { year: 'numeric' }) }),
  ).format(ms);
  return `${date} ${hm}`;
}

/**
 * A span as a reader says it, in their language with its plurals: "45 seconds", "10 minutes",
 * "2 hours, 14 minutes" / "2 horas y 14 minutos", "1 day, 3 hours". Seconds only under a
 * minute; otherwise the two largest units, rounded to the smaller one.
 */
export function formatDuration(ms: number, lang: Language): string {
  const unit = (n: number, u: 'second' | 'minute' | 'hour' | 'day'): string =>
    cached(`unit|${lang}|${u}`, () => new Intl.NumberFormat(lang, { style: 'unit', unit: u, unitDisplay: 'long' })).format(n);
  const pair = (big: string, small: string | undefined): string =>
    small === undefined
      ? big
      : cached(`list|${lang}`, () => new Intl.ListFormat(lang, { type: 'unit', style: 'long' })).format([big, small]);
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return unit(seconds, 'second');
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return unit(minutes, 'minute');
  if (minutes < 24 * 60) return pair(unit(Math.floor(minutes / 60), 'hour'), minutes % 60 ? unit(minutes % 60, 'minute') : undefined);
  const hours = Math.round(minutes / 60);
  return pair(unit(Math.floor(hours / 24), 'day'), hours % 24 ? unit(hours % 24, 'hour') : undefined);
}
