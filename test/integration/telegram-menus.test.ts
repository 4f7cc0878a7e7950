/**
 * Telegram's command menu per scope and role (issue 14) and language (issue 16), through the
 * real adapter against the fake Bot API, which stores setMyCommands lists by scope and language.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { ManualClock } from '../../src/core/clock.ts';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram-api.ts';
import { startTestApp, type TestApp } from '../support/app-harness.ts';
import { waitFor } from '../support/real-server.ts';

const TOKEN = '123456:TEST-TOKEN-abcdefghijklmnopqrstuv';
const OWNER_ID = 1000;

let fake: FakeTelegram;
let h: TestApp;
before(async () => {
  fake = await startFakeTelegram({ token: TOKEN, maxHoldMs: 300 });
  h = await startTestApp({ telegram: { token: TOKEN, apiRoot: fake.apiRoot, ownerIds: [OWNER_ID] } });
  await fake.waitForPoll();
});
after(async () => {
  await h?.close();
  await fake?.close();
});

type Cmd = { command: string; description: string };
const chat = (id: number) => ({ type: 'chat', chat_id: id });
const names = (list: unknown[] | undefined) => (list as Cmd[] | undefined)?.map((c) => c.command).sort();
const description = (list: unknown[] | undefined, command: string) =>
  (list as Cmd[] | undefined)?.find((c) => c.command === command)?.description;

/** The menu of one scope and language once it satisfies `ok`. */
function menu(scope: Record<string, unknown> | undefined, lang: string, ok: (list: Cmd[]) => boolean, what: string): Promise<Cmd[]> {
  return waitFor(
    () => {
      const list = fake.commands(scope, lang) as Cmd[] | undefined;
      return list && ok(list) ? list : undefined;
    },
    { what, timeoutMs: 5000 },
  );
}

/** What a role may use, from the live registry and grants. */
function allowed(role: 'owner' | 'admin' | 'family' | 'guest'): string[] {
  const held = new Set(h.app.access.permissionsOf(role));
  return h.app.registry
    .all()
    .filter((c) => !c.hidden && !c.buttonOnly && (role === 'owner' || held.has(c.permission)))
    .map((c) => c.name.replace(/-/g, '_'))
    .sort();
}

test('everyone else (strangers, groups) sees only the lowest role’s commands, in each language', async () => {
  const base = await menu(undefined, '', (l) => l.length > 0, 'the default menu');
  assert.deepEqual(names(base), allowed('guest'));
  assert.ok(!names(base)?.includes('grant'));
  const es = await menu(undefined, 'es', (l) => l.length > 0, 'the Spanish default menu');
  assert.equal(description(es, 'help'), 'Lo que puedes hacer');
  assert.equal(description(await menu(undefined, 'en', (l) => l.length > 0, 'English'), 'help'), 'What you can do');
});

test('the owner’s private chat lists every command; a family member’s only theirs, and it follows grant, revoke, role and /lang', async () => {
  const owner = await menu(chat(OWNER_ID), '', (l) => l.length > 0, 'the owner menu');
  assert.deepEqual(names(owner), allowed('owner'));
  assert.ok(names(owner)?.includes('grant'));

  const familyId = 3001;
  const family = h.person('family', `telegram:${familyId}`);
  const fam = await menu(chat(familyId), '', (l) => l.length > 0, 'the family menu');
  assert.deepEqual(names(fam), allowed('family'));
  assert.ok(!names(fam)?.includes('grant'));
  // A Spanish phone without a chosen language gets the Spanish list; the chosen language wins over the phone's.
  assert.equal(description(await menu(chat(familyId), 'es', (l) => l.length > 0, 'family es'), 'help'), 'Lo que puedes hacer');

  fake.sendText(familyId, familyId, '/lang es');
  await menu(chat(familyId), '', (l) => description(l, 'help') === 'Lo que puedes hacer', 'the family menu in Spanish after /lang es');
  await menu(chat(familyId), 'en', (l) => description(l, 'help') === 'Lo que puedes hacer', 'the chosen language on an English phone too');

  const ownerP = h.app.access.resolve(`telegram:${OWNER_ID}`)!;
  const audit = h.app.registry.get('audit')!.permission;
  assert.equal(h.app.permissions.management.grant(ownerP, 'family', audit).ok, true);
  await menu(chat(familyId), '', (l) => names(l)!.includes('audit'), 'audit after the grant');
  assert.equal(h.app.permissions.management.revoke(ownerP, 'family', audit).ok, true);
  await menu(chat(familyId), '', (l) => !names(l)!.includes('audit'), 'no audit after the revoke');

  const person = h.app.access.resolve(family)!;
  assert.equal(h.app.permissions.management.setRole(ownerP, person.personId, 'guest').ok, true);
  await menu(chat(familyId), '', (l) => names(l)!.join() === allowed('guest').join(), 'the guest menu after the demotion');
});

test('a client that sends no language code gets the app language stored for that person (the order replies use), not the default', async () => {
  const id = 3003;
  h.person('family', `telegram:${id}`);
  await menu(chat(id), '', (l) => description(l, 'help') === 'What you can do', 'the no-code menu in the default language at first');
  // Their phone writes in Spanish once: the bot remembers the app language, as it does for replies and pushes.
  fake.sendText(id, id, 'hola', { languageCode: 'es' });
  await menu(chat(id), '', (l) => description(l, 'help') === 'Lo que puedes hacer', 'the no-code menu in the stored Spanish');
  assert.equal(h.app.access.resolve(`telegram:${id}`)?.platformLanguage, 'es');
  // A client that sends a code still gets that code's list; /lang still wins over both.
  assert.equal(description(fake.commands(chat(id), 'en'), 'help'), 'What you can do');
  fake.sendText(id, id, '/lang en', { languageCode: 'es' });
  await menu(chat(id), '', (l) => description(l, 'help') === 'What you can do', 'the no-code menu follows /lang en');
  await menu(chat(id), 'es', (l) => description(l, 'help') === 'What you can do', 'the Spanish-code menu follows /lang en');
});

test('a menu update Telegram fails (a 502, and again on the quick retry) is sent when the app’s clock passes the backoff, no one writing', async () => {
  const clock = h.clock as ManualClock;
  const id = 3004;
  // Other work may wait on the app's clock too: the retry is one timer more.
  const others = clock.pendingTimers;
  fake.failNext('setMyCommands', { code: 502 }, 2);
  const since = fake.mark();
  h.person('admin', `telegram:${id}`);
  await waitFor(() => clock.pendingTimers === others + 1, { what: 'the retry waiting on the app’s clock' });
  assert.equal(fake.calls.filter((c) => c.seq >= since && c.method === 'setMyCommands' && c.status === 502).length, 2);
  assert.equal(fake.commands(chat(id), ''), undefined);
  clock.advance(5_000);
  assert.deepEqual(names(await menu(chat(id), '', (l) => l.length > 0, 'the admin menu after the retry')), allowed('admin'));
  await waitFor(() => clock.pendingTimers === others, { what: 'nothing left to retry' });
});

test('a person who never started the bot gets their menu once they write; a removed person’s menu is deleted', async () => {
  const id = 3002;
  fake.neverStarted(id);
  const since = fake.mark();
  const who = h.person('admin', `telegram:${id}`);
  // Telegram refuses a chat scope for a chat it does not know; the bot keeps going and tries again later.
  await fake.waitForCall('setMyCommands', (c) => JSON.stringify(c.params.scope ?? '').includes(String(id)), 5000, since);
  assert.equal(fake.commands(chat(id), ''), undefined);
  fake.sendText(id, id, '/start');
  const list = await menu(chat(id), '', (l) => l.length > 0, 'the admin menu after /start');
  assert.deepEqual(names(list), allowed('admin'));

  const ownerP = h.app.access.resolve(`telegram:${OWNER_ID}`)!;
  const person = h.app.access.resolve(who)!;
  assert.equal(h.app.permissions.management.forget(ownerP, person.personId).ok, true);
  await waitFor(() => fake.commands(chat(id), '') === undefined, { what: 'the removed person’s menu deleted', timeoutMs: 5000 });
});
