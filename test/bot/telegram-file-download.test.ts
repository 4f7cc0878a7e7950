/**
 * A file a Telegram user sends (a .torrent) is downloaded through the bot's own undici
 * (src/bot/telegram/file-download.ts), never Node's fetch (a thrower for this whole file):
 * through the adapter against the fake Bot API, then the bad day against plain servers on
 * 127.0.0.1 — more bytes than allowed, an HTTP error, hung and cut lines, untrusted TLS —
 * each failing with an error that never carries the URL (it holds the bot token).
 */
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { test } from 'node:test';
import { AdapterLink } from '../../src/bot/link.ts';
import { TelegramAdapter } from '../../src/bot/telegram/adapter.ts';
import { downloadTelegramFile } from '../../src/bot/telegram/file-download.ts';
import { silentLogger } from '../../src/core/logger.ts';
import type { Attachment } from '../../src/handlers/command.ts';
import type { CommandMenus } from '../../src/handlers/menus.ts';
import type { Pipeline } from '../../src/handlers/pipeline.ts';
import { startFakeTelegram } from '../fakes/telegram-api.ts';
import { forbidNodeFetch, listenPlain } from '../support/plain-http.ts';
import { selfSigned } from '../support/tls.ts';

const TOKEN = '123456:TEST-TOKEN-abcdefghijklmnopqrstuv';
const USER = 1000;
const menus: CommandMenus = { stamp: () => 'v1', entries: () => [], onChange: () => () => undefined };

forbidNodeFetch();

test('a document a user sends is downloaded from the Bot API’s file endpoint, byte for byte', async (t) => {
  const tg = await startFakeTelegram({ token: TOKEN });
  let received: (a: Attachment) => void = () => undefined;
  const attachment = new Promise<Attachment>((r) => (received = r));
  const pipeline = {
    handle: async (inv: { input: { kind: string; attachment?: Attachment } }) => {
      if (inv.input.kind === 'document' && inv.input.attachment) received(inv.input.attachment);
    },
  } as unknown as Pipeline;
  const log = silentLogger();
  const link = new AdapterLink(new TelegramAdapter({ token: TOKEN, apiRoot: tg.apiRoot, menus }, pipeline, log), log);
  t.after(async () => {
    await link.stop();
    await tg.close();
  });
  link.connect();
  await tg.waitForPoll();
  const bytes = Buffer.from(Array.from({ length: 70_000 }, (_, i) => i % 251));
  tg.sendDocument(USER, USER, { fileName: 'big.torrent', bytes, mimeType: 'application/x-bittorrent' });
  const a = await attachment;
  assert.equal(a.fileName, 'big.torrent');
  assert.equal(a.size, bytes.length);
  assert.deepEqual(await a.download(), bytes);
});

/** A server for `handler` and the file URL on it (the Bot API's shape, with the token). */
async function listen(t: { after(f: () => unknown): void }, handler: Parameters<typeof listenPlain>[1], server?: Server): Promise<string> {
  return `${await listenPlain(t, handler, server)}/file/bot${TOKEN}/documents/file_1.torrent`;
}

/** Asserts `p` fails with a message matching `expected` and without the token. */
async function failsWith(p: Promise<unknown>, expected: RegExp): Promise<void> {
  await assert.rejects(p, (e: Error) => {
    assert.match(e.message, expected);
    assert.doesNotMatch(`${e.message} ${String(e.stack)} ${JSON.stringify(e)}`, /TEST-TOKEN/);
    return true;
  });
}

test('more bytes than allowed fail, declared (Content-Length) or streamed; exactly the cap passes', async (t) => {
  const url = await listen(t, (req, res) => {
    const n = Number(new URL(req.url!, 'http://x').searchParams.get('n'));
    if (req.url!.includes('declared')) res.writeHead(200, { 'content-length': String(n) }).end(Buffer.alloc(n));
    else res.writeHead(200).end(Buffer.alloc(n)); // chunked, no length
  });
  await failsWith(downloadTelegramFile(`${url}?declared&n=1001`, { maxBytes: 1000 }), /larger than 1000 bytes/);
  await failsWith(downloadTelegramFile(`${url}?n=1001`, { maxBytes: 1000 }), /larger than 1000 bytes/);
  assert.equal((await downloadTelegramFile(`${url}?n=1000`, { maxBytes: 1000 })).length, 1000);
});

test('an HTTP error names its status, not the URL', async (t) => {
  const url = await listen(t, (_req, res) => res.writeHead(404).end('{"ok":false}'));
  await failsWith(downloadTelegramFile(url, { maxBytes: 1000 }), /HTTP 404/);
});

test('hung before the headers, hung in the body, or too slow overall: fails after the bound', async (t) => {
  const url = await listen(t, (req, res) => {
    if (req.url!.endsWith('?body')) res.writeHead(200, { 'content-length': '100' }).write(Buffer.alloc(10));
  });
  await failsWith(downloadTelegramFile(url, { maxBytes: 1000, idleTimeoutMs: 200 }), /UND_ERR_HEADERS_TIMEOUT/);
  await failsWith(downloadTelegramFile(`${url}?body`, { maxBytes: 1000, idleTimeoutMs: 200 }), /UND_ERR_BODY_TIMEOUT/);
  await failsWith(downloadTelegramFile(url, { maxBytes: 1000, totalTimeoutMs: 200 }), /TimeoutError|ABORT/);
});

test('a connection cut before or during the body fails', async (t) => {
  const url = await listen(t, (req, res) => {
    if (req.url!.endsWith('?before')) req.socket.destroy();
    else res.writeHead(200, { 'content-length': '100' }).write(Buffer.alloc(10), () => req.socket.destroy());
  });
  await failsWith(downloadTelegramFile(`${url}?before`, { maxBytes: 1000 }), /UND_ERR_SOCKET/);
  await failsWith(downloadTelegramFile(`${url}?during`, { maxBytes: 1000 }), /UND_ERR_SOCKET|ECONNRESET/);
});

test('TLS verification stays on: a self-signed certificate is refused', async (t) => {
  const tls = selfSigned('api.telegram.test');
  const url = await listen(t, (_req, res) => res.end('x'), createHttpsServer({ key: tls.key, cert: tls.cert }));
  await failsWith(downloadTelegramFile(url, { maxBytes: 1000 }), /DEPTH_ZERO_SELF_SIGNED_CERT/);
});
