import { severityRank, type AlertSource, type Severity } from './condition.ts';

/** Quiet hours of one chat, local wall-clock times `HH:MM` (the end may be on the next day). */
export interface QuietHours {
  readonly start: string;
  readonly end: string;
  /** IANA zone, e.g. `Europe/Madrid`; default the bot's timezone. */
  readonly timezone?: string;
}

/** Which alerts go to one chat (Botkube-style binding). Destinations are plain strings. */
export interface Binding {
  /** `telegram:<chatId>` (or `telegram:<chatId>/<topicId>` for one forum topic), `discord:<channelId>` or `console:main`. */
  readonly destination: string;
  /** Alert families this chat gets; all when absent. */
  readonly sources?: readonly AlertSource[];
  /** Quietest severity this chat gets (default info). */
  readonly minSeverity?: Severity;
  /** Non-critical alerts are held during these hours and arrive as one summary after. */
  readonly quietHours?: QuietHours;
}

/** One destination for one message; `holdUntil` when quiet hours hold it. */
export interface Route {
  readonly destination: string;
  readonly holdUntil?: number;
}

/** What routing needs to know about a message. */
export interface RoutedItem {
  readonly source: AlertSource;
  readonly severity: Severity;
}

const toMinutes = (hhmm: string): number => {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
};

/** Local minutes-of-day and the milliseconds already elapsed in the current minute, in a zone. */
export function localClock(now: number, timeZone: string): { minutes: number; intoMinuteMs: number } {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(now));
  const get = (t: string): number => Number(parts.find((p) => p.type === t)?.value ?? 0);
  return { minutes: get('hour') * 60 + get('minute'), intoMinuteMs: get('second') * 1000 + (now % 1000) };
}

/** When the quiet period that contains `now` ends, or undefined outside quiet hours. */
export function quietUntil(q: QuietHours, now: number, defaultTimezone = 'UTC'): number | undefined {
  const start = toMinutes(q.start);
  const end = toMinutes(q.end);
  if (start === end) return undefined;
  const { minutes, intoMinuteMs } = localClock(now, q.timezone ?? defaultTimezone);
  const inside = start < end ? minutes >= start && minutes < end : minutes >= start || minutes < end;
  if (!inside) return undefined;
  const left = (end - minutes + 1440) % 1440;
  return now + left * 60_000 - intoMinuteMs;
}

/** The destinations a message goes to; a destination named by several bindings gets it once, unheld if any binding allows. */
export function routeFor(bindings: readonly Binding[], item: RoutedItem, now: number, defaultTimezone = 'UTC'): Route[] {
  const out = new Map<string, Route>();
  for (const b of bindings) {
    if (b.sources && !b.sources.includes(item.source)) continue;
    if (severityRank(item.severity) < severityRank(b.minSeverity ?? 'info')) continue;
    const hold = item.severity !== 'critical' && b.quietHours ? quietUntil(b.quietHours, now, defaultTimezone) : undefined;
    const prev = out.get(b.destination);
    if (prev && prev.holdUntil === undefined) continue;
    out.set(b.destination, hold === undefined ? { destination: b.destination } : { destination: b.destination, holdUntil: hold });
  }
  return [...out.values()];
}
