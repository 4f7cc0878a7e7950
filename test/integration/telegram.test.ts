/**
 * The real Telegram adapter (grammY + runner + auto-retry) against the fake Bot API on
 * 127.0.0.1, with the whole bot started by the composition root.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { silentLogger } from '../../src/core/logger.ts';
import { defineCommand } from '../../src/handlers/command.ts';
import type { FeatureModule } from '../../src/wiring/module.ts';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram-api.ts';
import { startTestApp, type TestApp } from '../support/app-harness.ts';

const TOKEN = '123456:TEST-TOKEN-abcdefghijklmnopqrstuv';
const OWNER_ID = 1000;
const STRANGER_ID = 4242;

/** A test-only module whose commands exercise long replies and buttons through the adapter. */
const probe: FeatureModule = {
  name: 'probe',
  commands: [
    defineCommand({
      name: 'long',
      group: 'bot',
      summaryKey: 'builtin.help.summary',
      args: {},
      permission: 'bot.help.read',
      async run() {
        return {
          title: 'Long',
          blocks: [{ kind: 'list', items: Array.from({ length: 300 }, (_, i) => `line ${i} <tag> & more text to fill`) }],
        };
      },
    }),
    defineCommand({
      name: 'tap',
      group: 'bot',
      summaryKey: 'builtin.help.summary',
      args: {},
      permission: 'bot.help.read',
      async run(ctx) {
        return { blocks: [{ kind: 'text', text: 'press it' }], actions: [[ctx.action('Who am I', 'whoami')]] };
      },
    }),
  ],
};

let fake: FakeTelegram;
let h: TestApp;

before(async () => {
  fake = await startFakeTelegram({ token: TOKEN, maxHoldMs: 300 });
  h = await startTestApp({ telegram: { token: TOKEN, apiRoot: fake.apiRoot, ownerIds: [OWNER_ID] } }, { extraModules: [probe] });
  await fake.waitForPoll();
});

after(async () => {
  await h?.close();
  await fake?.close();
});

describe('Telegram end to end', () => {
  test('registers the command menu with setMyCommands', async () => {
    const call = await fake.waitForCall('setMyCommands', (c) => JSON.stringify(c.params.scope ?? '').includes(String(OWNER_ID)));
    const names = (call.params.commands as { command: string }[]).map((c) => c.command);
    assert.ok(names.includes('help') && names.includes('status'));
  });

  test('/start answers the owner with a welcome', async () => {
    fake.sendText(OWNER_ID, OWNER_ID, '/start');
    const m = await fake.waitForMessage(OWNER_ID, (x) => /Send \/help/.test(x.text ?? ''));
    assert.equal(m.parse_mode, 'HTML');
  });

  test('/help lists the commands, in Spanish for a Spanish phone', async () => {
    fake.sendText(OWNER_ID, { id: OWNER_ID, language_code: 'es' }, '/help');
    const m = await fake.waitForMessage(OWNER_ID, (x) => /Comandos/.test(x.text ?? ''));
    assert.match(m.text ?? '', /\/status — Resumen de todos los servicios/);
  });

  test('an unknown user gets one neutral reply and nothing else', async () => {
    fake.sendText(STRANGER_ID, STRANGER_ID, '/status');
    const m = await fake.waitForMessage(STRANGER_ID);
    assert.equal(m.text, 'Sorry, this is a private bot.');
    const mark = fake.mark();
    fake.sendText(STRANGER_ID, STRANGER_ID, '/help');
    // The next getUpdates after our update proves it was consumed; no reply may have been sent.
    await fake.waitForCall('getUpdates', (c) => Number(c.params.offset) > 0, 5000, mark);
    await fake.waitForPoll();
    assert.equal(fake.messagesTo(STRANGER_ID).length, 1);
  });

  // The Spanish /help above left the owner's app language remembered as es (replies to messages
  // without a language code speak it), so the English checks below come from an English phone.
  test('a button press runs its command, and the callback query is answered', async () => {
    fake.sendText(OWNER_ID, OWNER_ID, '/tap', { languageCode: 'en' });
    const m = await fake.waitForMessage(OWNER_ID, (x) => x.text === 'press it');
    const markup = m.reply_markup as { inline_keyboard: { callback_data: string }[][] };
    const data = markup.inline_keyboard[0]?.[0]?.callback_data ?? '';
    assert.match(data, /^a:/);
    assert.ok(Buffer.byteLength(data) <= 64);
    fake.pressButton(OWNER_ID, OWNER_ID, m.message_id, data, { languageCode: 'en' });
    await fake.waitForMessage(OWNER_ID, (x) => /Role in this chat/.test(x.text ?? ''));
    await fake.waitForCall('answerCallbackQuery');
    assert.deepEqual(fake.unansweredCallbacks(), []);
  });

  test('a forged or expired token is refused with a clear message', async () => {
    fake.sendText(OWNER_ID, OWNER_ID, '/tap', { languageCode: 'en' });
    const m = await fake.waitForMessage(OWNER_ID, (x) => x.text === 'press it' && x.message_id > 0);
    fake.pressButton(OWNER_ID, OWNER_ID, m.message_id, 'a:ForgedTokenForgedToken', { languageCode: 'en' });
    await fake.waitForMessage(OWNER_ID, (x) => /no longer valid/.test(x.text ?? ''));
    assert.deepEqual(fake.unansweredCallbacks(), []);
  });

  test('a reply over 4096 characters is split into several messages', async () => {
    const before = fake.messagesTo(OWNER_ID).length;
    fake.sendText(OWNER_ID, OWNER_ID, '/long');
    await fake.waitForMessage(OWNER_ID, (x) => /line 299/.test(x.text ?? ''));
    const pages = fake.messagesTo(OWNER_ID).slice(before);
    assert.ok(pages.length >= 2, `expected several pages, got ${pages.length}`);
    for (const p of pages) assert.ok([...(p.text ?? '')].length <= 4096);
    const all = pages.map((p) => p.text).join('\n');
    for (let i = 0; i < 300; i++) assert.ok(all.includes(`line ${i} <tag> & more`), `line ${i} missing`);
  });

  test('a 429 with retry_after is waited out and the reply still arrives', async () => {
    const mark = fake.mark();
    fake.failNext('sendMessage', { code: 429, retryAfter: 1 });
    fake.sendText(OWNER_ID, OWNER_ID, '/whoami');
    const first = await fake.waitForCall('sendMessage', () => true, 5000, mark);
    assert.equal(first.status, 429);
    const ok = await fake.waitForCall('sendMessage', (c) => c.status === 200, 10_000, mark);
    assert.ok(ok.at - first.at >= 900, 'the retry must wait for retry_after');
  });

  test('a 502 once is retried', async () => {
    const mark = fake.mark();
    fake.failNext('sendMessage', { code: 502 });
    fake.sendText(OWNER_ID, OWNER_ID, '/whoami');
    const ok = await fake.waitForCall('sendMessage', (c) => c.status === 200, 15_000, mark);
    assert.ok(ok);
  });
});

test('a wrong token fails start-up with a clear error', async () => {
  const f = await startFakeTelegram({ token: TOKEN });
  try {
    await assert.rejects(
      startTestApp({ telegram: { token: '999999:WRONG-TOKEN-abcdefghijklmnopqr', apiRoot: f.apiRoot } }, { log: silentLogger() }),
      /401|Unauthorized/,
    );
  } finally {
    await f.close();
  }
});
