/** WriteGeneration: the cache is dropped around every write, and listeners hear of a write once. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WriteGeneration } from '../../src/permissions/write-generation.ts';

test('a write made of other writes is one change for listeners, after all of it is done', () => {
  let drops = 0;
  const w = new WriteGeneration(() => drops++);
  const heard: number[] = [];
  w.onWrite(() => heard.push(w.value));
  w.run(() => {
    w.run(() => undefined);
    w.run(() => undefined);
  });
  assert.equal(heard.length, 1, 'one change (enrolling attaches an identity inside its own write)');
  assert.equal(heard[0], w.value, 'heard once everything is written');
  assert.equal(drops, 6, 'the cache is still dropped around each part');
});

test('a write that throws still ends as one change, and the next write is heard again', () => {
  const w = new WriteGeneration(() => undefined);
  let heard = 0;
  w.onWrite(() => heard++);
  assert.throws(() =>
    w.run(() => {
      w.run(() => undefined);
      throw new Error('rolled back');
    }),
  );
  assert.equal(heard, 1);
  w.run(() => undefined);
  assert.equal(heard, 2);
});
