/**
 * A one-time code typed into a group by mistake is seen by everyone there: the bot refuses to use
 * it in the group and cancels it, so nobody who read it can send it privately instead (the setup
 * code would make them the owner); a stranger typing it gets only the one neutral first-contact
 * reply. Real Telegram adapter, fake Bot API, no owner configured.
 */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { createLogger } from '../../src/core/logger.ts';
import { startFakeTelegram } from '../fakes/telegram-api.ts';
import { startTestApp } from '../support/app-harness.ts';

const TOKEN = '123456:TEST-TOKEN-abcdefghijklmnopqrstuv';
const GROUP = { id: -100557, type: 'supergroup' as const, title: 'Family' };
const FUTURE_OWNER = { id: 1000, first_name: 'Olga', language_code: 'en' };
const READER = { id: 6001, first_name: 'Mallory', language_code: 'en' };

test('the setup code typed in a group is cancelled: a reader who sends it privately does not become the owner', async (t) => {
  const lines: string[] = [];
  const out = new PassThrough();
  out.on('data', (b: Buffer) => lines.push(b.toString()));
  const fake = await startFakeTelegram({ token: TOKEN, maxHoldMs: 300 });
  t.after(() => fake.close());
  const h = await startTestApp(
    { permissions: { owners: [] }, telegram: { token: TOKEN, apiRoot: fake.apiRoot } },
    { log: createLogger({ destination: out }) },
  );
  t.after(() => h.close());
  await fake.waitForPoll();
  const code = /"setupCode":"([0-9A-Z]+)"/.exec(lines.join(''))?.[1];
  assert.ok(code, 'the setup code is logged');

  fake.sendText(GROUP, FUTURE_OWNER, `/setup ${code}`);
  // A stranger's first contact, in a group too, gets the one neutral reply and nothing else
  // (deny by default): the group learns nothing about codes, yet the code is cancelled.
  const neutral = await fake.waitForMessage(GROUP.id, () => true);
  assert.match(neutral.text ?? '', /private bot/);
  assert.doesNotMatch(neutral.text ?? '', new RegExp(`${code}|setup|owner`, 'i'));
  fake.sendText(READER.id, READER, `/setup ${code}`);
  await fake.waitForMessage(READER.id, (m) => /not valid/.test(m.text ?? ''));
  assert.equal(h.app.access.resolve('telegram:6001'), undefined, 'the reader is not the owner');
});
