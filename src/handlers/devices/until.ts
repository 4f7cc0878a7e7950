/** `/pausenet` ends: a duration (`2h`) or a wall-clock time (`until 07:30`) in the household's zone. */
import { localClock } from '../../alerts/routing.ts';
import { parseDuration } from '../args.ts';

/** A parsed end, or why it could not be read. */
export type PauseEnd = { readonly ok: true; readonly until: number } | { readonly ok: false; readonly reason: 'invalid' | 'tooLong' };

/** Milliseconds since the epoch of the next `HH:MM` after `now` in `timeZone`. */
export function nextWallClock(hh: number, mm: number, now: number, timeZone: string): number {
  const { minutes: nowMinutes, intoMinuteMs: intoMinute } = localClock(now, timeZone);
  let ahead = (hh * 60 + mm - nowMinutes + 1440) % 1440;
  if (ahead === 0) ahead = 1440;
  // Whole minutes ahead on the local clock; a DST jump tonight shifts this by its hour, which is fine for a pause.
  return now - intoMinute + ahead * 60_000;
}

/** Reads `2h`, `30m`, `until 07:30` or `07:30`; `undefined` text means the default length. */
export function parsePauseEnd(text: string | undefined, o: { now: number; timeZone: string; defaultMs: number; maxMs: number }): PauseEnd {
  const raw = (text ?? '').trim().toLowerCase();
  let until: number | undefined;
  if (raw === '') until = o.now + o.defaultMs;
  else {
    const clock = /^(?:until\s+|hasta\s+(?:las\s+)?)?(\d{1,2}):(\d{2})$/.exec(raw);
    if (clock) {
      const hh = Number(clock[1]);
      const mm = Number(clock[2]);
      if (hh > 23 || mm > 59) return { ok: false, reason: 'invalid' };
      until = nextWallClock(hh, mm, o.now, o.timeZone);
    } else {
      const ms = parseDuration(raw);
      if (ms === undefined || ms < 60_000) return { ok: false, reason: 'invalid' };
      until = o.now + ms;
    }
  }
  if (until - o.now > o.maxMs) return { ok: false, reason: 'tooLong' };
  return { ok: true, until };
}
