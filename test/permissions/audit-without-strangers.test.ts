/**
 * Plain /audit lists what people and the bot did, not strangers' attempts: a flood of strangers
 * would fill its lines and hide real changes. It ends instead with one line counting the
 * attempts in the period its lines cover, pointing at /audit strangers (which lists them) —
 * in the reader's language, with the right plural. Whole bot, manual clock.
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { ManualClock } from '../../src/core/clock.ts';
import type { OutMessage } from '../../src/core/outmessage.ts';
import { OWNER, startTestApp } from '../support/app-harness.ts';

const T0 = Date.UTC(2026, 10, 30, 9, 0, 0);
const HOUR = 3_600_000;

async function app(t: TestContext) {
  const clock = new ManualClock(T0);
  const h = await startTestApp({}, { clock });
  t.after(() => h.close());
  return { h, clock };
}

/** The /audit reply's list lines and the text blocks after them. */
function shown(m: OutMessage | undefined): { items: string[]; after: string[] } {
  const blocks = m?.blocks ?? [];
  return {
    items: blocks.flatMap((b) => (b.kind === 'list' ? b.items : [])),
    after: blocks.flatMap((b) => (b.kind === 'text' ? [b.text] : [])),
  };
}

test('plain /audit leaves strangers out and ends with how many attempts they made, in English and Spanish', async (t) => {
  const { h } = await app(t);
  await h.say(OWNER, '/invite family');
  await h.say('telegram:901', 'hello');
  await h.say('telegram:901', '/status');
  await h.say('discord:902', '/start NOTACODE');
  const en = shown((await h.say(OWNER, '/audit')).replies[0]?.message);
  assert.equal(en.items.length, 1, JSON.stringify(en.items));
  assert.match(en.items[0]!, /\/invite role=family → done/);
  assert.deepEqual(en.after, ['3 attempts by strangers — /audit strangers']);
  // /audit strangers still lists them.
  const strangers = shown((await h.say(OWNER, '/audit strangers')).replies[0]?.message);
  assert.equal(strangers.items.length, 2);
  assert.ok(strangers.items.every((l) => /from someone unknown/.test(l)));

  await h.say(OWNER, '/lang es');
  const es = shown((await h.say(OWNER, '/audit')).replies[0]?.message);
  assert.deepEqual(es.after, ['3 intentos de desconocidos — /audit strangers']);
});

test('one attempt is singular; no attempts, no line; strangers alone still say so', async (t) => {
  const { h } = await app(t);
  await h.say(OWNER, '/invite family');
  assert.deepEqual(shown((await h.say(OWNER, '/audit')).replies[0]?.message).after, [], 'no strangers: no line');
  await h.say('telegram:901', 'hello');
  assert.deepEqual(shown((await h.say(OWNER, '/audit')).replies[0]?.message).after, ['1 attempt by a stranger — /audit strangers']);
  await h.say(OWNER, '/lang es');
  assert.deepEqual(shown((await h.say(OWNER, '/audit')).replies[0]?.message).after, ['1 intento de un desconocido — /audit strangers']);

  // A log with nothing but strangers' attempts: no entries, and the line.
  const fresh = await app(t);
  await fresh.h.say('telegram:903', 'hi');
  const only = shown((await fresh.h.say(OWNER, '/audit')).replies[0]?.message);
  assert.deepEqual(only.items, []);
  assert.deepEqual(only.after, ['1 attempt by a stranger — /audit strangers']);
});

test('a flood of strangers does not push real changes out; only attempts within the lines shown are counted', async (t) => {
  const { h, clock } = await app(t);
  await h.say('telegram:950', 'long ago'); // before the 15 lines shown: not counted
  clock.advance(2 * HOUR);
  for (let i = 0; i < 16; i++) {
    await h.say(OWNER, '/invite family');
    clock.advance(1_000);
  }
  // Under the limits (60 attempts by strangers a minute, 5 each): every attempt is counted.
  for (let i = 0; i < 15; i++) for (let j = 0; j < 3; j++) await h.say(`discord:7${String(i).padStart(4, '0')}`, 'hi');
  const audit = shown((await h.say(OWNER, '/audit')).replies[0]?.message);
  assert.equal(audit.items.length, 15);
  assert.ok(
    audit.items.every((l) => /\/invite role=family/.test(l)),
    audit.items.join('\n'),
  );
  assert.deepEqual(audit.after, ['45 attempts by strangers — /audit strangers']);
});

test('exactly as many changes as lines: the lines are the whole log, so every attempt is counted', async (t) => {
  const { h, clock } = await app(t);
  await h.say('telegram:950', 'long ago');
  clock.advance(2 * HOUR);
  for (let i = 0; i < 15; i++) {
    await h.say(OWNER, '/invite family');
    clock.advance(1_000);
  }
  const audit = shown((await h.say(OWNER, '/audit')).replies[0]?.message);
  assert.equal(audit.items.length, 15);
  assert.deepEqual(audit.after, ['1 attempt by a stranger — /audit strangers']);
});

test('/audit service permissions leaves strangers out too and counts them; other services have none', async (t) => {
  const { h } = await app(t);
  await h.say(OWNER, '/invite family');
  // Every stranger's attempt is a permissions event, whatever they typed (tallyStranger files it there).
  await h.say('telegram:901', '/start NOTACODE');
  await h.say('discord:902', '/start ALSONOT');
  await h.say('telegram:903', '/wifi');
  const service = shown((await h.say(OWNER, '/audit service permissions')).replies[0]?.message);
  assert.equal(service.items.length, 1, JSON.stringify(service.items));
  assert.match(service.items[0]!, /\/invite role=family → done/);
  assert.deepEqual(service.after, ['3 attempts by strangers — /audit strangers']);
  // A service strangers' rows are not filed under: nothing recorded, and no count line.
  assert.deepEqual(shown((await h.say(OWNER, '/audit service router')).replies[0]?.message).after, ['Nothing recorded.']);
  await h.say(OWNER, '/lang es');
  const es = shown((await h.say(OWNER, '/audit service permissions')).replies[0]?.message);
  assert.deepEqual(es.after, ['3 intentos de desconocidos — /audit strangers']);
});
