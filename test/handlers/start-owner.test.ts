/** /start before setup points the future owner at the setup code; config owners get their platform name. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OWNER, startTestApp } from '../support/app-harness.ts';

test("before setup, a stranger's /start says where the setup code is (in both languages); after it, the one neutral reply", async (t) => {
  const h = await startTestApp({ permissions: { owners: [] } });
  t.after(() => h.close());
  const stranger = 'telegram:5000';
  const first = await h.say(stranger, '/start');
  assert.match(first.texts[0] ?? '', /Nobody owns this bot yet.*log.*\/setup/s);
  const es = await h.send(stranger, { kind: 'command', name: 'start', text: '' }, undefined, 'es');
  assert.match(es.texts[0] ?? '', /todavía no tiene propietario.*\/setup/s);
  h.person('owner', 'telegram:5001');
  // Once there is an owner, /start is like any other stranger message: one neutral reply on first contact, then nothing.
  const newcomer = await h.say('telegram:5002', '/start');
  assert.deepEqual(newcomer.texts, ['Sorry, this is a private bot.']);
  assert.deepEqual((await h.say('telegram:5002', '/start')).texts, []);
  assert.deepEqual((await h.say(stranger, '/start')).texts, [], 'the stranger who saw the setup hint was already answered');
});

test('an owner named in config is called by the name their platform shows, from their first message on', async (t) => {
  const h = await startTestApp();
  t.after(() => h.close());
  assert.equal(h.app.access.resolve(OWNER)?.displayName, OWNER, 'seeded under the raw id before writing');
  const hi = await h.say(OWNER, '/start');
  assert.equal(hi.texts[0], 'Hi user 1000! I look after the homelab. Send /help to see what you can do, or /status for an overview.');
  const list = await h.say(OWNER, '/role');
  assert.match(list.texts[0] ?? '', /user 1000/);
  assert.doesNotMatch(list.texts[0] ?? '', /#\d+ telegram:1000/);
  // A name already chosen stays: the platform name is taken only over the raw id.
  const p = h.app.access.resolve(OWNER)!;
  assert.equal(h.app.permissions.people.adoptPlatformName(OWNER, 'Someone Else'), false);
  assert.equal(h.app.access.resolve(OWNER)?.displayName, p.displayName);
});
