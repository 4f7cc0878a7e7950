/** One time formatter for every reply and push: the household's zone, the reader's language, a word for the days either side. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../../src/core/clock.ts';
import { formatDuration, formatTime } from '../../src/core/time-format.ts';

const ZONE = 'Europe/Madrid';

test('times read in the household’s zone and the reader’s language, with a word or a date for other days', () => {
  // 22:30 in Madrid (CET, UTC+1) on Mon 30 Nov 2026.
  const clock = new ManualClock(Date.UTC(2026, 10, 30, 21, 30));
  const at = (h: number): number => clock.now() + h * 3_600_000;
  const cases: [number, string, string][] = [
    [at(0), '22:30', '22:30'],
    [at(1), '23:30', '23:30'],
    [at(8.5), 'tomorrow 07:00', 'mañana 07:00'],
    [at(-23), 'yesterday 23:30', 'ayer 23:30'],
    [at(-22), '00:30', '00:30'],
    [at(3 * 24), '3 Dec 22:30', '3 dic 22:30'],
    [at(40 * 24), '9 Jan 2027 22:30', '9 ene 2027 22:30'],
  ];
  for (const [ms, en, es] of cases) {
    assert.equal(formatTime(ms, 'en', ZONE, clock.now()), en);
    assert.equal(formatTime(ms, 'es', ZONE, clock.now()), es);
  }
  // The day is the household's, not UTC's: 00:30 UTC on 1 Dec is still 30 Nov in Los Angeles.
  assert.equal(formatTime(Date.UTC(2026, 11, 1, 0, 30), 'en', 'America/Los_Angeles', clock.now()), '16:30');
  assert.equal(formatTime(Date.UTC(2026, 11, 1, 0, 30), 'en', ZONE, clock.now()), 'tomorrow 01:30');
});

test('a summer time change: tomorrow morning after the clocks go back is still "tomorrow"', () => {
  // Sat 24 Oct 2026 22:00 CEST (UTC+2); the clocks go back at 03:00 on Sunday.
  const now = Date.UTC(2026, 9, 24, 20, 0);
  assert.equal(formatTime(now + 10 * 3_600_000, 'es', ZONE, now), 'mañana 07:00');
  assert.equal(formatTime(now + 10 * 3_600_000, 'en', ZONE, now), 'tomorrow 07:00');
});

test('durations read in the reader’s language with its plurals, two units at most', () => {
  const MIN = 60_000;
  const cases: [number, string, string][] = [
    [1000, '1 second', '1 segundo'],
    [45_000, '45 seconds', '45 segundos'],
    [60_000, '1 minute', '1 minuto'],
    [9 * MIN + 54_000, '10 minutes', '10 minutos'],
    [59 * MIN + 40_000, '1 hour', '1 hora'],
    [134 * MIN, '2 hours, 14 minutes', '2 horas y 14 minutos'],
    [61 * MIN, '1 hour, 1 minute', '1 hora y 1 minuto'],
    [27 * 60 * MIN, '1 day, 3 hours', '1 día y 3 horas'],
    [48 * 60 * MIN, '2 days', '2 días'],
  ];
  for (const [ms, en, es] of cases) {
    assert.equal(formatDuration(ms, 'en'), en, `${ms} ms in English`);
    assert.equal(formatDuration(ms, 'es'), es, `${ms} ms in Spanish`);
  }
});
