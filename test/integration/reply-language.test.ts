/**
 * Which language a reply speaks when the incoming message or press carries no language code
 * (Telegram's `language_code` is optional on User): /lang choice → the code on this message →
 * the app language remembered for the identity (what pushes use) → the default. Real Telegram
 * adapter, fake Bot API; the default language is English.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { defineCommand } from '../../src/handlers/command.ts';
import type { FeatureModule } from '../../src/wiring/module.ts';
import { startFakeTelegram, type FakeTelegram, type StoredMessage } from '../fakes/telegram-api.ts';
import { startTestApp, type TestApp } from '../support/app-harness.ts';
import { assertNoEnglish } from '../support/language.ts';

const TOKEN = '123456:TEST-TOKEN-abcdefghijklmnopqrstuv';
const LUCIA = 3002;
const TOM = 3003;
const PEPE = 3004;

/** A command whose reply is a button that runs /whoami: to see the language of a press. */
const probe: FeatureModule = {
  name: 'probe',
  commands: [
    defineCommand({
      name: 'pbutton',
      group: 'bot',
      summaryKey: 'builtin.whoami.summary',
      args: {},
      permission: 'bot.whoami.read',
      async run(ctx) {
        return { blocks: [], actions: [[ctx.action(ctx.t('builtin.whoami.title'), 'whoami')]] };
      },
    }),
  ],
};

let fake: FakeTelegram;
let h: TestApp;

before(async () => {
  fake = await startFakeTelegram({ token: TOKEN, maxHoldMs: 300 });
  h = await startTestApp(
    { language: 'en', telegram: { token: TOKEN, apiRoot: fake.apiRoot, ownerIds: [1000] } },
    { extraModules: [probe] },
  );
  h.app.permissions.people.enroll(`telegram:${LUCIA}`, 'Lucía', 'family');
  h.app.permissions.people.enroll(`telegram:${TOM}`, 'Tom', 'family');
  h.app.permissions.people.enroll(`telegram:${PEPE}`, 'Pepe', 'family');
  await fake.waitForPoll();
});

after(async () => {
  await h?.close();
  await fake?.close();
});

/** Sends /whoami from `user` (with or without a language code); resolves with the reply. */
async function whoami(user: number, languageCode?: string): Promise<StoredMessage> {
  const seen = fake.messagesTo(user).length;
  fake.sendText(user, user, '/whoami', languageCode ? { languageCode } : {});
  return fake.waitForMessage(user, (m) => fake.messagesTo(user).indexOf(m) >= seen);
}

/** The language /whoami reports, in whichever catalogue it came. */
const reported = (m: StoredMessage): string | undefined => /(?:Language|Idioma)\W+(en|es)\b/.exec(m.text ?? '')?.[1];

describe('replies to a message without a language code', () => {
  test('use the app language remembered for the sender, not the default', async () => {
    assert.equal(reported(await whoami(LUCIA, 'es')), 'es');
    const bare = await whoami(LUCIA);
    assert.equal(reported(bare), 'es');
    assertNoEnglish(h.app.messages, bare.text ?? '', ['Lucía', 'telegram']);
  });

  test('a button pressed without a language code answers in the remembered app language', async () => {
    await whoami(LUCIA, 'es');
    const seen = fake.messagesTo(LUCIA).length;
    fake.sendText(LUCIA, LUCIA, '/pbutton');
    const withButton = await fake.waitForMessage(LUCIA, (m) => fake.messagesTo(LUCIA).indexOf(m) >= seen);
    const button = (withButton.reply_markup as { inline_keyboard: { text: string; callback_data: string }[][] }).inline_keyboard[0]![0]!;
    assert.equal(button.text, 'Tú', 'the button was built in Spanish');
    const pressed = fake.messagesTo(LUCIA).length;
    fake.pressButton(LUCIA, LUCIA, withButton.message_id, button.callback_data);
    const answer = await fake.waitForMessage(
      LUCIA,
      (m) => fake.messagesTo(LUCIA).indexOf(m) >= pressed && /Idioma|Language/.test(m.text ?? ''),
    );
    assert.equal(reported(answer), 'es');
  });

  test('the language code on the message wins over the remembered one, and is remembered in its place', async () => {
    assert.equal(reported(await whoami(TOM, 'es')), 'es');
    assert.equal(reported(await whoami(TOM, 'en-GB')), 'en');
    assert.equal(reported(await whoami(TOM)), 'en');
    assert.equal(h.app.access.languageOf(`telegram:${TOM}`), 'en', 'pushes follow the same language');
  });

  test('a /lang choice wins over both', async () => {
    await whoami(PEPE, 'es');
    const seen = fake.messagesTo(PEPE).length;
    fake.sendText(PEPE, PEPE, '/lang en', { languageCode: 'es' });
    await fake.waitForMessage(PEPE, (m) => fake.messagesTo(PEPE).indexOf(m) >= seen);
    assert.equal(reported(await whoami(PEPE)), 'en');
    assert.equal(reported(await whoami(PEPE, 'es')), 'en');
  });

  test('with neither a code nor a remembered language, the default', async () => {
    h.app.permissions.people.enroll('telegram:4006', 'Ana', 'family');
    assert.equal(reported(await whoami(4006)), 'en');
  });
});
