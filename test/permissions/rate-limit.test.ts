/** The per-identity limit: a sliding minute, refused commands not counted, the same answers at any limit. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ManualClock } from '../../src/core/clock.ts';
import { RateLimiter } from '../../src/permissions/rate-limit.ts';

test('a limit of 3 per minute: the 4th is refused and not counted; the window slides', () => {
  const clock = new ManualClock();
  const limiter = new RateLimiter(clock, 3);
  for (let i = 0; i < 3; i++) {
    assert.equal(limiter.consume('telegram:1'), true);
    clock.advance(10_000);
  }
  assert.equal(limiter.consume('telegram:1'), false);
  assert.equal(limiter.consume('telegram:2'), true, 'another identity has its own window');
  clock.advance(29_999); // 59,999 ms after the first
  assert.equal(limiter.consume('telegram:1'), false);
  clock.advance(1); // the first has left the window; the refused ones never entered it
  assert.equal(limiter.consume('telegram:1'), true);
  assert.equal(limiter.consume('telegram:1'), false);
});

test('answers exactly as counting every hit of the last minute does, over long runs that compact the window', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 50 }),
      fc.array(fc.integer({ min: 0, max: 5_000 }), { minLength: 1, maxLength: 600 }),
      (perMinute, steps) => {
        const clock = new ManualClock();
        const limiter = new RateLimiter(clock, perMinute);
        const counted: number[] = [];
        for (const step of steps) {
          clock.advance(step);
          const now = clock.now();
          const expected = counted.filter((t) => now - t < 60_000).length < perMinute;
          if (expected) counted.push(now);
          assert.equal(limiter.consume('telegram:1'), expected);
        }
      },
    ),
  );
});
