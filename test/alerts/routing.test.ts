import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { quietUntil, routeFor } from '../../src/alerts/routing.ts';
import { cond, harness } from './harness.ts';

const utc = (iso: string): number => Date.parse(iso);

describe('quiet hours', () => {
  const table: [string, { start: string; end: string; timezone?: string }, string, string | undefined][] = [
    [
      'overnight, inside before midnight (Madrid, UTC+1)',
      { start: '22:00', end: '07:00', timezone: 'Europe/Madrid' },
      '2026-11-25T22:30:00Z',
      '2026-11-26T06:00:00Z',
    ],
    [
      'overnight, inside after midnight',
      { start: '22:00', end: '07:00', timezone: 'Europe/Madrid' },
      '2026-11-26T03:15:20Z',
      '2026-11-26T06:00:00Z',
    ],
    ['overnight, outside', { start: '22:00', end: '07:00', timezone: 'Europe/Madrid' }, '2026-11-26T12:00:00Z', undefined],
    ['exactly at the end is outside', { start: '22:00', end: '07:00', timezone: 'UTC' }, '2026-11-26T07:00:00Z', undefined],
    ['exactly at the start is inside', { start: '22:00', end: '07:00', timezone: 'UTC' }, '2026-11-26T22:00:00Z', '2026-11-27T07:00:00Z'],
    ['same-day window', { start: '13:00', end: '15:00' }, '2026-11-26T14:59:00Z', '2026-11-26T15:00:00Z'],
    ['empty window', { start: '08:00', end: '08:00' }, '2026-11-26T08:00:00Z', undefined],
  ];
  for (const [name, q, now, want] of table) {
    test(name, () => assert.equal(quietUntil(q, utc(now), 'UTC'), want === undefined ? undefined : utc(want)));
  }

  test('critical alerts ignore quiet hours; a destination in two bindings gets one unheld route', () => {
    const now = utc('2026-11-25T23:00:00Z');
    const quiet = { start: '22:00', end: '07:00' };
    const b = [
      { destination: 'telegram:1', quietHours: quiet },
      { destination: 'telegram:2', quietHours: quiet },
      { destination: 'telegram:2', minSeverity: 'warning' as const },
    ];
    assert.deepEqual(routeFor(b, { source: 'ups', severity: 'critical' }, now), [
      { destination: 'telegram:1' },
      { destination: 'telegram:2' },
    ]);
    assert.deepEqual(routeFor(b, { source: 'raid', severity: 'warning' }, now), [
      { destination: 'telegram:1', holdUntil: utc('2026-11-26T07:00:00Z') },
      { destination: 'telegram:2' },
    ]);
  });

  test('held alerts are released after quiet hours as one summary; critical ones went through', () => {
    const h = harness([{ destination: 'telegram:1', quietHours: { start: '22:00', end: '07:00', timezone: 'UTC' } }]);
    h.clock.set(utc('2026-11-25T23:00:00Z'));
    h.at(0, [cond('r1', { holdMs: 0, severity: 'warning', source: 'raid' }), cond('u', { holdMs: 0 })]);
    h.at(60_000, [
      cond('r1', { holdMs: 0, severity: 'warning', source: 'raid' }),
      cond('d1', { holdMs: 0, severity: 'warning', source: 'disk' }),
      cond('u', { holdMs: 0 }),
    ]);
    assert.deepEqual(
      h.service.outbox.list(['pending']).map((r) => r.severity),
      ['critical'],
    );
    assert.equal(h.service.outbox.list(['held']).length, 2);
    assert.equal(h.service.outbox.releaseHeld(utc('2026-11-26T06:59:59Z')), 0);
    assert.equal(h.service.outbox.releaseHeld(utc('2026-11-26T07:00:00Z')), 2);
    const pending = h.service.outbox.list(['pending']);
    assert.equal(pending.length, 2);
    const summary = pending[1]!.payload;
    assert.ok(summary.type === 'summary');
    assert.equal(summary.items.length, 2);
    assert.equal(h.service.outbox.list(['merged']).length, 2);
  });

  test('a single held message is released as itself', () => {
    const h = harness([{ destination: 'telegram:1', quietHours: { start: '22:00', end: '07:00' } }]);
    h.clock.set(utc('2026-11-25T23:00:00Z'));
    h.at(0, [cond('r1', { holdMs: 0, severity: 'warning', source: 'raid' })]);
    h.service.outbox.releaseHeld(utc('2026-11-26T08:00:00Z'));
    const [row] = h.service.outbox.list(['pending']);
    assert.equal(row?.payload.type, 'alert');
  });
});
