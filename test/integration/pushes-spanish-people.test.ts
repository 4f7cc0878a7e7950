/**
 * Pushes about people, each to a Spanish reader while the bot's default language is English:
 * the approval request to an approver, the result and the output of an approved command to the
 * requester, the stranger notice to an owner (and the welcome after [Invitar como familia]), the
 * join and link confirmations. Spanish comes from /lang es or from the app's language alone
 * (Telegram language_code), remembered for later pushes. Real Telegram adapter, fake Bot API.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { arg } from '../../src/handlers/args.ts';
import { defineCommand } from '../../src/handlers/command.ts';
import type { FeatureModule } from '../../src/wiring/module.ts';
import { startFakeTelegram, type FakeTelegram, type StoredMessage } from '../fakes/telegram-api.ts';
import type { ChatRef, UserRef } from '../fakes/telegram-model.ts';
import { startTestApp, type TestApp } from '../support/app-harness.ts';
import { assertNoEnglish } from '../support/language.ts';
import { buttonData, buttonLabels, seenText } from '../support/telegram-messages.ts';

const TOKEN = '123456:TEST-TOKEN-abcdefghijklmnopqrstuv';
const OWNER_EN = 1000;
const OWNER_ES = 1001;
const ADMIN_ES = 2001;
const KID_EN = 3001;
const KID_ES = 3002;

/** A requestable admin command whose output is a catalogue text, so its language shows. */
const probe: FeatureModule = {
  name: 'probe',
  commands: [
    defineCommand({
      name: 'pblock',
      group: 'bot',
      summaryKey: 'pihole.unblock.summary',
      args: { domain: arg.string({ descriptionKey: 'pihole.unblock.domain', pattern: /^[a-z0-9.-]+$/ }) },
      permission: 'pihole.domain.allow',
      requestable: true,
      mutates: true,
      async run(ctx, { domain }) {
        return { blocks: [{ kind: 'text', text: ctx.t('pihole.unblock.expired', { domain }) }], severity: 'success' };
      },
    }),
  ],
};

let fake: FakeTelegram;
let h: TestApp;

const labels = buttonLabels;
/** The message's text and its button labels, as the reader sees them. */
const seen = seenText;
const button = buttonData;

/** The next bot message to a chat after the first `from` ones that matches. */
function next(chatId: number, from: number, re: RegExp): Promise<StoredMessage> {
  return fake.waitForMessage(chatId, (m) => fake.messagesTo(chatId).indexOf(m) >= from && re.test(seen(m)));
}

const spanish = (m: StoredMessage, allow: readonly string[] = []): void => assertNoEnglish(h.app.messages, seen(m), allow);

before(async () => {
  fake = await startFakeTelegram({ token: TOKEN, maxHoldMs: 300 });
  h = await startTestApp(
    { language: 'en', telegram: { token: TOKEN, apiRoot: fake.apiRoot, ownerIds: [OWNER_EN, OWNER_ES] } },
    { extraModules: [probe] },
  );
  h.app.permissions.people.enroll(`telegram:${ADMIN_ES}`, 'Marta', 'admin');
  h.app.permissions.people.setLanguage(`telegram:${ADMIN_ES}`, 'es');
  h.app.permissions.people.setLanguage(`telegram:${OWNER_ES}`, 'es');
  h.app.permissions.people.enroll(`telegram:${KID_EN}`, 'Tom', 'family');
  h.app.permissions.people.enroll(`telegram:${KID_ES}`, 'Lucía', 'family');
  await fake.waitForPoll();
});

after(async () => {
  await h?.close();
  await fake?.close();
});

/** `kid` runs /pblock, is refused, presses the ask button; returns the request each approver got. */
async function ask(
  kid: number,
  from: UserRef,
  domain: string,
  chat: ChatRef = kid,
): Promise<{ es: StoredMessage; en: StoredMessage; ownerEs: StoredMessage }> {
  const marks = { es: fake.messagesTo(ADMIN_ES).length, en: fake.messagesTo(OWNER_EN).length, ownerEs: fake.messagesTo(OWNER_ES).length };
  const chatId = typeof chat === 'number' ? chat : chat.id;
  const chatSeen = fake.messagesTo(chatId).length;
  fake.sendText(chat, from, `/pblock ${domain}`);
  const denied = await next(chatId, chatSeen, /admin/);
  fake.pressButton(chat, from, denied.message_id, button(denied, /admin/));
  const d = domain.replace(/\./g, '\\.');
  return {
    es: await next(ADMIN_ES, marks.es, new RegExp(`pide ejecutar /pblock[\\s\\S]*web = ${d}`)),
    en: await next(OWNER_EN, marks.en, new RegExp(`asks to run /pblock[\\s\\S]*site = ${d}`)),
    ownerEs: await next(OWNER_ES, marks.ownerEs, new RegExp(`pide ejecutar /pblock[\\s\\S]*web = ${d}`)),
  };
}

describe('approvals to and from Spanish readers', () => {
  test('the approval request reaches a Spanish approver in Spanish, an English one in English', async () => {
    const r = await ask(KID_EN, { id: KID_EN }, 'uno.example.org');
    assert.match(seen(r.es), /Hace falta tu aprobación/);
    assert.deepEqual(labels(r.es), ['Aprobar', 'Denegar']);
    spanish(r.es, ['example', 'user']);
    assert.deepEqual(labels(r.en), ['Approve', 'Deny']);
    fake.pressButton(ADMIN_ES, ADMIN_ES, r.es.message_id, button(r.es, /^Denegar$/));
    const kidSeen = fake.messagesTo(KID_EN).length;
    // The English requester hears the Spanish approver's "no" in English.
    await next(KID_EN, kidSeen - 1, /did not approve your request: \/pblock · site = uno\.example\.org/);
  });

  test('a requester whose app is in Spanish (never /lang) gets the approval, then the output, in Spanish', async () => {
    const from = { id: KID_ES, first_name: 'Lucía', language_code: 'es' };
    const kidSeen = fake.messagesTo(KID_ES).length;
    const r = await ask(KID_ES, from, 'dos.example.org');
    const denied = fake.messagesTo(KID_ES)[kidSeen]!;
    spanish(denied);
    assert.equal(h.app.access.getLanguage(`telegram:${KID_ES}`), undefined, 'no language was chosen for her');
    // An English owner approves.
    fake.pressButton(OWNER_EN, OWNER_EN, r.en.message_id, button(r.en, /^Approve$/));
    const approved = await next(KID_ES, kidSeen, /ha aprobado tu petición: \/pblock · web = dos\.example\.org/);
    spanish(approved, ['example', 'user']);
    const output = await next(KID_ES, kidSeen, /dos\.example\.org vuelve a estar bloqueado, como estaba previsto\./);
    spanish(output, ['example']);

    // A denial reaches her in Spanish too.
    const again = await ask(KID_ES, from, 'tres.example.org');
    fake.pressButton(OWNER_ES, OWNER_ES, again.ownerEs.message_id, button(again.ownerEs, /^Denegar$/));
    spanish(await next(KID_ES, kidSeen, /no ha aprobado tu petición: \/pblock · web = tres\.example\.org/), ['example', 'user']);
  });
});

describe('approvals asked in a group', () => {
  // Titles are whatever the group's members typed: markup characters must reach the approver as text.
  const GROUP = { id: -1001234567890, type: 'supergroup' as const, title: 'Kids <b>& co' };

  test('the approvers read the group by its title, escaped, in their language; never its chat id', async () => {
    const r = await ask(KID_EN, { id: KID_EN }, 'cuatro.example.org', GROUP);
    assert.match(seen(r.en), /^Asked in the group “Kids <b>& co”$/m);
    assert.match(seen(r.es), /^Pedido en el grupo «Kids <b>& co»$/m);
    spanish(r.es, ['example', 'user', 'Kids', 'co']);
    for (const m of [r.en, r.es, r.ownerEs]) {
      assert.doesNotMatch(seen(m), /1001234567890/, 'the group is named, not numbered');
      // The HTML the bot sent escapes the title: it is text, not a bold tag.
      assert.ok(m.raw?.includes('Kids &lt;b&gt;&amp; co'), m.raw);
    }
    // Stored with the request: what the row says is what a later reading shows.
    const stored = h.app.db.prepare("SELECT chat_title FROM approvals WHERE args LIKE '%cuatro.example.org%'").pluck().get();
    assert.equal(stored, 'Kids <b>& co');
  });

  test('asked in a private chat, which has no title, the approver reads where by its address', async () => {
    const r = await ask(KID_EN, { id: KID_EN }, 'cinco.example.org');
    assert.match(seen(r.en), new RegExp(`^Asked in: telegram:${KID_EN}$`, 'm'));
    assert.match(seen(r.es), new RegExp(`^Pedido en: telegram:${KID_EN}$`, 'm'));
  });
});

describe('strangers, joining and linking, for Spanish readers', () => {
  test('the stranger notice reaches a Spanish owner in Spanish; [Invitar como familia] welcomes a Spanish stranger in Spanish', async () => {
    const STRANGER = 4343;
    const marks = { es: fake.messagesTo(OWNER_ES).length, en: fake.messagesTo(OWNER_EN).length };
    fake.sendText(STRANGER, { id: STRANGER, first_name: 'Abuela', language_code: 'es-ES' }, '/status');
    const neutral = await next(STRANGER, 0, /.+/);
    spanish(neutral);
    const es = await next(OWNER_ES, marks.es, /Abuela \(telegram:4343\) ha escrito al bot/);
    assert.match(seen(es), /^Alguien nuevo/);
    assert.deepEqual(labels(es), ['Invitar como familia', 'Ignorar']);
    spanish(es, ['Abuela']);
    const en = await next(OWNER_EN, marks.en, /Abuela \(telegram:4343\) wrote to the bot/);
    assert.deepEqual(labels(en), ['Invite as family', 'Ignore']);

    fake.pressButton(OWNER_ES, OWNER_ES, es.message_id, button(es, /^Invitar como familia$/));
    spanish(await next(OWNER_ES, marks.es, /Abuela .*familia/), ['Abuela']);
    const welcome = await next(STRANGER, 0, /¡Bienvenido! Te han añadido como familia\./);
    spanish(welcome);
  });

  test('an invite joined from a Spanish app is confirmed in Spanish', async () => {
    const m0 = fake.messagesTo(OWNER_EN).length;
    fake.sendText(OWNER_EN, OWNER_EN, '/invite guest');
    const code = /start=([0-9A-Z]+)/.exec((await next(OWNER_EN, m0, /start=/)).text ?? '')?.[1];
    assert.ok(code);
    fake.sendText(5353, { id: 5353, first_name: 'Pepe', language_code: 'es' }, `/start ${code}`);
    const joined = await next(5353, 0, /invitado/);
    spanish(joined, ['Pepe']);
  });

  test('a linked account is reported to a Spanish owner in Spanish', async () => {
    const kidSeen = fake.messagesTo(KID_EN).length;
    fake.sendText(KID_EN, KID_EN, '/link');
    const code = /\b([0-9A-Z]{6,})\b/.exec((await next(KID_EN, kidSeen, /./)).text ?? '')?.[1];
    assert.ok(code);
    const m0 = fake.messagesTo(OWNER_ES).length;
    const joined = await h.say('discord:7070', `/link ${code}`);
    assert.match(joined.texts.join('\n'), /Linked/);
    const notice = await next(OWNER_ES, m0, /Tom ha vinculado otra cuenta: discord:7070/);
    spanish(notice, ['Tom']);
    await next(OWNER_EN, 0, /Tom linked another account: discord:7070/);
  });
});
