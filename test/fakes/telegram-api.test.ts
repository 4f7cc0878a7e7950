/**
 * The fake Telegram Bot API, driven by a real grammY bot over HTTP: the bot's own request
 * sequence (getMe, deleteWebhook, long polling, stop), replies, uploads, downloads, buttons,
 * Telegram's validation rules and the injected faults.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Bot, GrammyError, HttpError, InlineKeyboard, InputFile } from 'grammy';
import { autoRetry } from '@grammyjs/auto-retry';
import QRCode from 'qrcode';
import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';
import { startFakeTelegram, type FakeTelegram } from './telegram-api.ts';

/** A tiny echo bot: the same shapes our adapter uses (replies, keyboards, files, callbacks). */
function echoBot(tg: FakeTelegram, token = tg.token): Bot {
  const bot = new Bot(token, { client: { apiRoot: tg.apiRoot } });
  bot.command('start', (ctx) => ctx.reply('<b>welcome</b> &amp; hi', { parse_mode: 'HTML' }));
  bot.command('menu', (ctx) => ctx.reply('pick', { reply_markup: new InlineKeyboard().text('A', 'act:a').text('B', 'act:b') }));
  bot.command('qr', (ctx) => ctx.replyWithPhoto(new InputFile(qrPng, 'qr.png'), { caption: 'scan me' }));
  bot.on('message:text', (ctx) => ctx.reply(`echo: ${ctx.message.text}`));
  bot.on('message:document', async (ctx) => {
    const file = await ctx.getFile();
    const res = await fetch(`${tg.apiRoot}/file/bot${token}/${file.file_path ?? ''}`);
    const bytes = Buffer.from(await res.arrayBuffer());
    await ctx.reply(`got ${ctx.message.document.file_name ?? '?'} ${bytes.length} bytes: ${bytes.toString('utf8')}`);
  });
  bot.on('callback_query:data', async (ctx) => {
    await ctx.answerCallbackQuery({ text: 'done' });
    await ctx.editMessageText(`pressed ${ctx.callbackQuery.data}`);
  });
  bot.catch(() => undefined);
  return bot;
}

/** Starts polling and resolves once grammY reports it started (bot.start() itself resolves on stop). */
async function run(bot: Bot): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    bot.start({ onStart: () => resolve(), drop_pending_updates: false }).catch(reject);
  });
}

let qrPng: Buffer;
before(async () => {
  qrPng = await QRCode.toBuffer('WIFI:T:WPA;S:guest;P:secret-canary;;');
});

// jsqr is CommonJS with an `export default` typing: at runtime the default import is the function.
const jsQR = jsQRModule as unknown as typeof jsQRModule.default;

function decodeQr(png: Buffer): string | undefined {
  const img = PNG.sync.read(png);
  return jsQR(new Uint8ClampedArray(img.data), img.width, img.height)?.data;
}

describe('fake Telegram Bot API with a real grammY bot', () => {
  let tg: FakeTelegram;
  let bot: Bot;
  before(async () => {
    tg = await startFakeTelegram({ maxHoldMs: 400 });
    bot = echoBot(tg);
    await run(bot);
  });
  after(async () => {
    await bot.stop();
    await tg.close();
  });

  test('serves the start-up sequence grammY sends', async () => {
    await tg.waitForCall('getUpdates');
    const methods = tg.calls.map((c) => c.method);
    assert.deepEqual(methods.slice(0, 3), ['getMe', 'deleteWebhook', 'getUpdates']);
    assert.equal(tg.calls[2]?.params.offset, 1);
  });

  test('delivers a text message and records a realistic reply', async () => {
    const since = tg.mark();
    tg.sendText(42, { id: 42, first_name: 'Ana' }, 'hello there', { languageCode: 'es' });
    const call = await tg.waitForCall('sendMessage', (c) => c.params.chat_id === 42, 3000, since);
    assert.equal(call.status, 200);
    assert.equal(call.params.text, 'echo: hello there');
    const msg = (call.response as { result: Record<string, unknown> }).result;
    assert.equal(msg.message_id, 2, 'user message took id 1 in this chat');
    assert.deepEqual(msg.chat, { id: 42, type: 'private', first_name: 'Ana' });
    assert.equal((msg.from as { is_bot: boolean }).is_bot, true);
    assert.equal(typeof msg.date, 'number');
  });

  test('commands carry bot_command entities and HTML is stored as visible text', async () => {
    tg.sendText(43, 43, '/start');
    const m = await tg.waitForMessage(43);
    assert.equal(m.text, 'welcome & hi');
    assert.equal(m.raw, '<b>welcome</b> &amp; hi');
  });

  test('a button press is delivered, answered and the message edited in place', async () => {
    tg.sendText(44, 44, '/menu');
    const menu = await tg.waitForMessage(44, (m) => m.text === 'pick');
    const upd = tg.pressButton(44, 44, menu.message_id, 'act:b');
    const answer = await tg.waitForCall('answerCallbackQuery', (c) => c.params.callback_query_id === upd.callback_query?.id);
    assert.equal(answer.status, 200);
    await tg.waitForMessage(44, (m) => m.text === 'pressed act:b');
    assert.equal(tg.messagesTo(44).length, 1, 'edited, not re-sent');
    assert.equal(tg.messagesTo(44)[0]?.reply_markup, undefined, 'editMessageText without markup drops the keyboard');
    assert.deepEqual(tg.unansweredCallbacks(), []);
  });

  test('sendPhoto multipart upload keeps the PNG bytes (QR decodes)', async () => {
    tg.sendText(45, 45, '/qr');
    const m = await tg.waitForMessage(45, (x) => x.photo !== undefined);
    assert.equal(m.caption, 'scan me');
    assert.ok(m.photo);
    assert.deepEqual(m.photo.bytes, qrPng);
    assert.equal(decodeQr(m.photo.bytes), 'WIFI:T:WPA;S:guest;P:secret-canary;;');
  });

  test('a document sent by a user can be fetched with getFile and the file path', async () => {
    tg.sendDocument(46, 46, { fileName: 'debian.torrent', bytes: Buffer.from('d8:announce0:e'), mimeType: 'application/x-bittorrent' });
    const m = await tg.waitForMessage(46);
    assert.equal(m.text, 'got debian.torrent 14 bytes: d8:announce0:e');
  });

  test('acknowledged updates are not delivered again', async () => {
    tg.sendText(47, 47, 'once');
    await tg.waitForMessage(47);
    await tg.waitForCall('getUpdates', (c) => Number(c.params.offset) > 0 && tg.pendingUpdates() === 0);
    assert.equal(tg.messagesTo(47).length, 1);
  });
});

describe('fake Telegram validation and faults', () => {
  let tg: FakeTelegram;
  let bot: Bot;
  before(async () => {
    tg = await startFakeTelegram();
    bot = new Bot(tg.token, { client: { apiRoot: tg.apiRoot } });
  });
  after(() => tg.close());

  const rejects = async (p: Promise<unknown>, code: number, description: RegExp): Promise<void> => {
    await assert.rejects(p, (e: unknown) => e instanceof GrammyError && e.error_code === code && description.test(e.description));
  };

  test('a wrong token gets 401 Unauthorized', async () => {
    await rejects(new Bot('999:WRONG', { client: { apiRoot: tg.apiRoot } }).api.getMe(), 401, /^Unauthorized$/);
  });

  test('an unknown method gets 404', async () => {
    const res = await fetch(`${tg.apiRoot}/bot${tg.token}/sendTelepathy`, { method: 'POST' });
    assert.equal(res.status, 404);
    assert.deepEqual(await res.json(), { ok: false, error_code: 404, description: 'Not Found' });
  });

  test('text length is counted after entity parsing', async () => {
    const ok = await bot.api.sendMessage(1, '&amp;'.repeat(4096), { parse_mode: 'HTML' });
    assert.equal(ok.text?.length, 4096);
    await rejects(bot.api.sendMessage(1, 'x'.repeat(4097)), 400, /message is too long/);
    await rejects(bot.api.sendMessage(1, '<b>x</b>'.repeat(4097), { parse_mode: 'HTML' }), 400, /message is too long/);
    await rejects(bot.api.sendMessage(1, '   '), 400, /message text is empty/);
  });

  test('malformed HTML is rejected like Telegram', async () => {
    await rejects(bot.api.sendMessage(1, '<b>open', { parse_mode: 'HTML' }), 400, /can't parse entities: Can't find end tag/);
    await rejects(bot.api.sendMessage(1, '<div>x</div>', { parse_mode: 'HTML' }), 400, /can't parse entities: Unsupported start tag "div"/);
    await rejects(bot.api.sendMessage(1, 'a < b', { parse_mode: 'HTML' }), 400, /can't parse entities/);
    await rejects(bot.api.sendMessage(1, '<b><i>x</b></i>', { parse_mode: 'HTML' }), 400, /Unmatched end tag/);
    // The same text is fine without parse_mode, and a bare & is a literal.
    assert.equal((await bot.api.sendMessage(1, 'a < b & c')).text, 'a < b & c');
    assert.equal((await bot.api.sendMessage(1, 'Tom & Jerry', { parse_mode: 'HTML' })).text, 'Tom & Jerry');
  });

  test('callback_data is limited to 64 bytes of UTF-8', async () => {
    await bot.api.sendMessage(1, 'ok', { reply_markup: new InlineKeyboard().text('x', 'a'.repeat(64)) });
    await rejects(
      bot.api.sendMessage(1, 'no', { reply_markup: new InlineKeyboard().text('x', 'ñ'.repeat(33)) }),
      400,
      /BUTTON_DATA_INVALID/,
    );
  });

  test('answerCallbackQuery text is limited and the id must be open', async () => {
    const sent = await bot.api.sendMessage(7, 'btn', { reply_markup: new InlineKeyboard().text('x', 'y') });
    const upd = tg.pressButton(7, 7, sent.message_id, 'y');
    const id = upd.callback_query?.id ?? '';
    await rejects(bot.api.answerCallbackQuery(id, { text: 'x'.repeat(201) }), 400, /MESSAGE_TOO_LONG/);
    assert.equal(await bot.api.answerCallbackQuery(id, { text: 'x'.repeat(200) }), true);
    await rejects(bot.api.answerCallbackQuery(id), 400, /query is too old/);
  });

  test('editing to the same content is "message is not modified"', async () => {
    const m = await bot.api.sendMessage(8, 'same');
    await rejects(bot.api.editMessageText(8, m.message_id, 'same'), 400, /message is not modified/);
    await bot.api.editMessageText(8, m.message_id, 'changed');
    assert.equal(tg.messagesTo(8)[0]?.text, 'changed');
    assert.equal(tg.messagesTo(8)[0]?.edits, 1);
    await rejects(bot.api.editMessageText(8, 999, 'x'), 400, /message to edit not found/);
  });

  test("maxMessagesPerChat keeps each chat's newest messages only (benchmarks bound what a fake holds)", async () => {
    const small = await startFakeTelegram({ maxMessagesPerChat: 2 });
    try {
      const api = new Bot(small.token, { client: { apiRoot: small.apiRoot } }).api;
      const [first, second, third] = [await api.sendMessage(9, 'one'), await api.sendMessage(9, 'two'), await api.sendMessage(9, 'three')];
      await api.sendMessage(10, 'other chat');
      assert.deepEqual(
        small.messagesTo(9).map((m) => m.text),
        ['two', 'three'],
      );
      assert.deepEqual(
        small.messagesTo(10).map((m) => m.text),
        ['other chat'],
      );
      await rejects(api.editMessageText(9, first.message_id, 'x'), 400, /message to edit not found/);
      await api.editMessageText(9, second.message_id, 'two, edited');
      assert.equal(third.message_id, first.message_id + 2);
    } finally {
      await small.close();
    }
  });

  test("keepAliveTimeoutMs sets how long an idle connection stays open (Node's 5 s by default)", async () => {
    const long = await startFakeTelegram({ keepAliveTimeoutMs: 60_000 });
    try {
      // Node's server announces its idle timeout on every keep-alive answer.
      const keepAlive = async (root: string): Promise<string | null> =>
        (await fetch(`${root}/bot${tg.token}/getMe`, { method: 'POST' })).headers.get('keep-alive');
      assert.equal(await keepAlive(long.apiRoot), 'timeout=60');
      assert.equal(await keepAlive(tg.apiRoot), 'timeout=5');
    } finally {
      await long.close();
    }
  });

  test('setMyCommands is stored per scope and validated', async () => {
    await bot.api.setMyCommands([{ command: 'help', description: 'Help' }]);
    await bot.api.setMyCommands([{ command: 'ayuda', description: 'Ayuda' }], { language_code: 'es' });
    assert.deepEqual(tg.commands(), [{ command: 'help', description: 'Help' }]);
    assert.deepEqual(tg.commands(undefined, 'es'), [{ command: 'ayuda', description: 'Ayuda' }]);
    await rejects(bot.api.setMyCommands([{ command: 'Bad-Name', description: 'x' }]), 400, /BOT_COMMAND_INVALID/);
    // On the wire as Telegram answers it: HTTP 400 and the Bot API's error envelope; the scope keeps its list.
    const refused = tg.calls.at(-1);
    assert.equal(refused?.status, 400);
    assert.deepEqual(refused?.response, { ok: false, error_code: 400, description: 'Bad Request: BOT_COMMAND_INVALID' });
    assert.deepEqual(tg.commands(), [{ command: 'help', description: 'Help' }]);
  });

  test('failNext injects 429 with retry_after, 502 and custom errors once', async () => {
    tg.failNext('sendMessage', { code: 429, retryAfter: 7 });
    await assert.rejects(
      bot.api.sendMessage(1, 'x'),
      (e: unknown) => e instanceof GrammyError && e.error_code === 429 && e.parameters.retry_after === 7,
    );
    tg.failNext('sendMessage', { code: 502 });
    await rejects(bot.api.sendMessage(1, 'x'), 502, /Bad Gateway/);
    tg.failNext('sendMessage', { code: 403, description: 'Forbidden: bot was blocked by the user' });
    await rejects(bot.api.sendMessage(1, 'x'), 403, /blocked/);
    assert.equal((await bot.api.sendMessage(1, 'x')).text, 'x');
  });

  test('a 429 is waited out by auto-retry', async () => {
    const b = new Bot(tg.token, { client: { apiRoot: tg.apiRoot } });
    b.api.config.use(autoRetry({ maxDelaySeconds: 5, maxRetryAttempts: 3 }));
    tg.failNext('sendMessage', { code: 429, retryAfter: 1 });
    const since = tg.mark();
    const t0 = performance.now();
    const m = await b.api.sendMessage(9, 'patient');
    assert.ok(performance.now() - t0 >= 950, 'waited retry_after');
    assert.equal(m.text, 'patient');
    const statuses = tg.calls.filter((c) => c.seq >= since && c.method === 'sendMessage').map((c) => c.status);
    assert.deepEqual(statuses, [429, 200]);
  });

  test('cutNext drops the connection with no answer: grammY sees an HttpError, and nothing is applied', async () => {
    tg.cutNext('setMyCommands');
    await assert.rejects(bot.api.setMyCommands([{ command: 'cut', description: 'Lost' }], { language_code: 'de' }), HttpError);
    assert.equal(tg.commands(undefined, 'de'), undefined);
    assert.equal(tg.calls.at(-1)?.status, 0, 'recorded as unanswered');
    await bot.api.setMyCommands([{ command: 'cut', description: 'Kept' }], { language_code: 'de' });
    assert.deepEqual(tg.commands(undefined, 'de'), [{ command: 'cut', description: 'Kept' }]);
  });

  test('downFor answers 502 to everything until it is over', async () => {
    tg.downFor(60_000);
    await rejects(bot.api.getMe(), 502, /Bad Gateway/);
    tg.downFor(0);
    assert.equal((await bot.api.getMe()).username, 'test_bot');
  });

  test('rate-limit mode refuses bursts per private chat and per group minute', async () => {
    tg.setRateLimit({ perChatBurst: 2, groupPerMinute: 3 });
    try {
      await bot.api.sendMessage(100, '1');
      await bot.api.sendMessage(100, '2');
      await assert.rejects(
        bot.api.sendMessage(100, '3'),
        (e: unknown) => e instanceof GrammyError && e.error_code === 429 && e.parameters.retry_after === 1,
      );
      // Another chat has its own bucket.
      await bot.api.sendMessage(101, 'other');
      tg.setRateLimit({ perChatBurst: 10, groupPerMinute: 3 });
      for (const n of [1, 2, 3]) await bot.api.sendMessage(-500, `g${n}`);
      await assert.rejects(
        bot.api.sendMessage(-500, 'g4'),
        (e: unknown) => e instanceof GrammyError && e.error_code === 429 && (e.parameters.retry_after ?? 0) > 50,
      );
      assert.ok((tg.stats().byStatus[429] ?? 0) >= 2);
    } finally {
      tg.setRateLimit(false);
    }
  });

  test('multipart from a standard FormData client (undici) is parsed too', async () => {
    const form = new FormData();
    form.set('chat_id', '5');
    form.set('caption', 'doc');
    form.set('document', new Blob([Buffer.from('payload')], { type: 'text/plain' }), 'notes.txt');
    const res = await fetch(`${tg.apiRoot}/bot${tg.token}/sendDocument`, { method: 'POST', body: form });
    const body = (await res.json()) as { ok: boolean; result: { document: { file_name: string; file_size: number } } };
    assert.equal(body.ok, true);
    assert.equal(body.result.document.file_name, 'notes.txt');
    assert.equal(tg.messagesTo(5)[0]?.document?.bytes.toString(), 'payload');
  });
});

describe('fake Telegram long polling', () => {
  test('holds getUpdates until an update arrives, answers [] at the cap, and lets bot.stop() finish', async () => {
    const tg = await startFakeTelegram({ maxHoldMs: 300 });
    try {
      const raw = (body: unknown) =>
        fetch(`${tg.apiRoot}/bot${tg.token}/getUpdates`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        }).then((r) => r.json() as Promise<{ ok: boolean; result: { update_id: number }[] }>);
      let t0 = performance.now();
      assert.deepEqual((await raw({ offset: 1, timeout: 30 })).result, []);
      const held = performance.now() - t0;
      assert.ok(held >= 280 && held < 1500, `held ${held} ms`);

      t0 = performance.now();
      const pending = raw({ offset: 1, timeout: 30 });
      await tg.waitForPoll();
      tg.sendText(1, 1, 'wake up');
      const got = await pending;
      assert.equal(got.result.length, 1);
      assert.ok(performance.now() - t0 < 280, 'released on arrival, not at the cap');
      // Without acknowledging, the same update comes again; with offset it is gone.
      assert.equal((await raw({ offset: 1, timeout: 0 })).result[0]?.update_id, got.result[0]?.update_id);
      assert.deepEqual((await raw({ offset: (got.result[0]?.update_id ?? 0) + 1, timeout: 0 })).result, []);

      const bot = echoBot(tg);
      await run(bot);
      await tg.waitForCall('getUpdates', (c) => c.params.timeout === 30);
      t0 = performance.now();
      await bot.stop();
      assert.ok(performance.now() - t0 < 250, 'stop() confirmed the offset without waiting for a hold');
      const last = tg.calls.at(-1);
      assert.equal(last?.method, 'getUpdates');
      assert.equal(last?.params.limit, 1);
    } finally {
      await tg.close();
    }
  });

  test('forum topics: message_thread_id is recorded and honoured, an unknown topic is refused', async () => {
    const tg = await startFakeTelegram();
    try {
      const forum = { id: -100900, type: 'supergroup' as const, isForum: true };
      const power = tg.createTopic(forum, 'Power');
      const api = new Bot(tg.token, { client: { apiRoot: tg.apiRoot } }).api;
      const sent = await api.sendMessage(forum.id, 'on battery', { message_thread_id: power });
      assert.equal(sent.message_thread_id, power);
      assert.equal(sent.is_topic_message, true);
      assert.equal(tg.messagesTo(forum.id).at(-1)?.message_thread_id, power);
      const general = await api.sendMessage(forum.id, 'hello');
      assert.equal(general.message_thread_id, undefined);
      await assert.rejects(api.sendMessage(forum.id, 'x', { message_thread_id: 999 }), /message thread not found/);
      await assert.rejects(api.sendMessage(-100901, 'x', { message_thread_id: power }), /message thread not found/);
      const update = tg.sendText(forum, 7, '/status', { threadId: power });
      assert.equal(update.message?.message_thread_id, power);
      assert.equal(update.message?.is_topic_message, true);
    } finally {
      await tg.close();
    }
  });

  test('while a webhook is set getUpdates answers 409 naming it; deleteWebhook lifts it', async () => {
    const tg = await startFakeTelegram({ maxHoldMs: 200 });
    try {
      const call = (method: string, body: unknown) =>
        fetch(`${tg.apiRoot}/bot${tg.token}/${method}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        }).then(async (r) => ({ status: r.status, body: (await r.json()) as { description?: string; result?: unknown } }));
      assert.equal((await call('setWebhook', { url: 'http://bot.example.com/hook' })).status, 400, 'HTTPS only');
      assert.equal((await call('setWebhook', { url: 'https://bot.example.com/hook' })).status, 200);
      assert.deepEqual((await call('getWebhookInfo', {})).body.result, {
        url: 'https://bot.example.com/hook',
        has_custom_certificate: false,
        pending_update_count: 0,
      });
      const refused = await call('getUpdates', { timeout: 0 });
      assert.equal(refused.status, 409);
      assert.match(refused.body.description ?? '', /can't use getUpdates method while webhook is active/);
      assert.equal((await call('deleteWebhook', {})).status, 200);
      assert.equal((await call('getUpdates', { timeout: 0 })).status, 200);
    } finally {
      await tg.close();
    }
  });

  test('a second poller ends the first one with 409 Conflict', async () => {
    const tg = await startFakeTelegram({ maxHoldMs: 2000 });
    try {
      const poll = () =>
        fetch(`${tg.apiRoot}/bot${tg.token}/getUpdates`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"timeout":30}',
        });
      const first = poll();
      await tg.waitForPoll();
      const second = poll();
      assert.equal((await first).status, 409);
      tg.sendText(2, 2, 'x');
      assert.equal((await second).status, 200);
    } finally {
      await tg.close();
    }
  });
});
