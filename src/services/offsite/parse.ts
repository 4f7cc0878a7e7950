/** Pure parsing of the off-site check command's output into the last successful sync time. */
import { err, ok, serviceError, type Result } from '../../core/errors.ts';
import type { CommandOutput } from '../ssh.ts';

/** Epoch seconds past this are not seconds (a millisecond stamp would land in the year 5138). */
const MAX_EPOCH_SECONDS = 1e11;

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** `2026-11-25T14:05:00Z`, `2026-11-25 14:05:00.123+01:00`, `…+0100` (`date -Iseconds`, `date --rfc-3339`). */
const ISO = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*([Zz]|[+-]\d{2}(?::?\d{2})?)?$/;

/** `Wed, 25 Nov 2026 14:05:00 +0100` (`date -R`, RFC 2822); the weekday is optional. */
const RFC2822 = /^(?:[A-Za-z]{3},\s*)?(\d{1,2})\s+([A-Za-z]{3})\s+(\d{4})\s+(\d{2}):(\d{2})(?::(\d{2}))?\s+([+-]\d{4}|UT|UTC|GMT|Z)$/;

/** Shortens remote stderr for an error detail (first line, bounded). */
function firstLine(text: string): string {
  const line = text.trim().split('\n')[0]?.trim() ?? '';
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}

/** Offset like `+01:00`, `+0100`, `-05`, `Z`, `GMT` → minutes east of UTC. */
function offsetMinutes(zone: string): number {
  if (/^(Z|UTC?|GMT)$/i.test(zone)) return 0;
  const m = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone);
  if (!m) return NaN;
  const minutes = Number(m[2]) * 60 + Number(m[3] ?? '0');
  return m[1] === '-' ? -minutes : minutes;
}

/** UTC milliseconds of a calendar time, or NaN when a field is out of range (no Date roll-over). */
function civil(year: number, month: number, day: number, hour: number, minute: number, second: number, zone: string): number {
  const ms = Date.UTC(year, month - 1, day, hour, minute, Math.min(second, 59));
  const d = new Date(ms);
  const valid =
    d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day && hour < 24 && minute < 60 && second <= 60;
  return valid ? ms - offsetMinutes(zone) * 60_000 : NaN;
}

/** A parsed line: the time, or why it is not one. */
export type ParsedTimestamp = { ms: number } | { problem: 'not-a-time' | 'no-zone' };

/** One line → epoch milliseconds. Strict on purpose: Date.parse would take "1" for the year 2001. */
export function parseTimestamp(line: string): ParsedTimestamp {
  const s = line.trim();
  if (/^\d+(\.\d+)?$/.test(s)) {
    const seconds = Number(s);
    return Number.isFinite(seconds) && seconds < MAX_EPOCH_SECONDS ? { ms: Math.round(seconds * 1000) } : { problem: 'not-a-time' };
  }
  const iso = ISO.exec(s);
  if (iso) {
    // Without an offset the time is the docker host's local time, which the bot cannot know.
    if (!iso[8]) return { problem: 'no-zone' };
    const [y, mo, d, h, mi, se] = [iso[1], iso[2], iso[3], iso[4], iso[5], iso[6]].map((x) => Number(x ?? '0')) as [
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    const ms = civil(y, mo, d, h, mi, se, iso[8]) + Math.round(Number(`0.${iso[7] ?? '0'}`) * 1000);
    return Number.isNaN(ms) ? { problem: 'not-a-time' } : { ms };
  }
  const rfc = RFC2822.exec(s);
  if (rfc) {
    const month = MONTHS.indexOf((rfc[2] ?? '').toLowerCase()) + 1;
    if (month === 0) return { problem: 'not-a-time' };
    const ms = civil(Number(rfc[3]), month, Number(rfc[1]), Number(rfc[4]), Number(rfc[5]), Number(rfc[6] ?? '0'), rfc[7] ?? '');
    return Number.isNaN(ms) ? { problem: 'not-a-time' } : { ms };
  }
  return { problem: 'not-a-time' };
}

/**
 * The command's output → last successful sync (epoch ms). A failed or silent command is
 * `rejected` (exit code and stderr's first line); output that is not one time is `protocol`.
 * Details never quote stdout: a misconfigured command could print anything.
 */
export function parseLastSuccess(out: CommandOutput, service = 'offsite'): Result<number> {
  const exit = out.code === null ? 'signal' : String(out.code);
  const stderr = firstLine(out.stderr);
  if (out.code !== 0) {
    return err(serviceError(service, 'rejected', `the command failed (exit ${exit})${stderr ? `: ${stderr}` : ''}`));
  }
  const lines = out.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  if (lines.length === 0) {
    return err(serviceError(service, 'rejected', `the command printed nothing (exit ${exit})${stderr ? `: ${stderr}` : ''}`));
  }
  const expected = 'expected Unix seconds, ISO 8601 or date -R';
  if (lines.length > 1) return err(serviceError(service, 'protocol', `the output was not a time: ${lines.length} lines (${expected})`));
  const parsed = parseTimestamp(lines[0] ?? '');
  if ('ms' in parsed) return ok(parsed.ms);
  return err(
    serviceError(
      service,
      'protocol',
      parsed.problem === 'no-zone'
        ? `the output was not a time with a zone (${expected}, e.g. date -Iseconds)`
        : `the output was not a time (${expected})`,
    ),
  );
}
