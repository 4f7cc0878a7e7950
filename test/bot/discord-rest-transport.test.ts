/**
 * The Discord REST transport (src/bot/discord/rest-transport.ts) on its own, against plain
 * servers on 127.0.0.1: uploads as multipart, answers as @discordjs/rest reads them, and the
 * bad day (hung before the headers, hung in the body, cut, untrusted TLS). Node's fetch is a
 * thrower for the whole file: the transport must never reach it.
 */
import assert from 'node:assert/strict';
import { createServer as createHttpsServer } from 'node:https';
import { test } from 'node:test';
import { undiciRestTransport } from '../../src/bot/discord/rest-transport.ts';
import { multipartBoundary, parseMultipart, readBody } from '../fakes/multipart.ts';
import { forbidNodeFetch, listenPlain } from '../support/plain-http.ts';
import { selfSigned } from '../support/tls.ts';

forbidNodeFetch();

const transport = undiciRestTransport({ timeoutMs: 300 });
type Init = Parameters<typeof transport>[1];

test('a FormData from Node’s own undici (what @discordjs/rest builds from node_modules) goes as multipart with file name, type and bytes', async (t) => {
  let seen: { type: string | undefined; body: Buffer } | undefined;
  const url = await listenPlain(t, (req, res) => {
    void readBody(req).then((body) => {
      seen = { type: req.headers['content-type'], body };
      res.writeHead(200, { 'content-type': 'application/json', 'x-ratelimit-remaining': '4' }).end('{"id":"1"}');
    });
  });
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 255]);
  const form = new FormData();
  form.append('files[0]', new Blob([png], { type: 'image/png' }), 'guest-wifi.png');
  form.append('payload_json', '{"content":"hi"}');
  const res = await transport(`${url}/api/v10/channels/1/messages`, { method: 'POST', body: form } as unknown as Init);
  assert.equal(res.status, 200);
  assert.equal(res.ok, true);
  assert.equal(res.statusText, 'OK');
  assert.equal(res.headers.get('x-ratelimit-remaining'), '4');
  assert.deepEqual(await res.json(), { id: '1' });
  const parts = parseMultipart(seen!.body, multipartBoundary(seen!.type)!);
  assert.deepEqual(
    parts.map((p) => [p.name, p.filename, p.contentType]),
    [
      ['files[0]', 'guest-wifi.png', 'image/png'],
      ['payload_json', undefined, undefined],
    ],
  );
  assert.deepEqual(parts[0]!.data, png);
  assert.equal(parts[1]!.data.toString(), '{"content":"hi"}');
});

test('JSON bodies, headers and error statuses reach @discordjs/rest as its own transport gives them', async (t) => {
  let seen: { method?: string; auth?: string; type?: string; body: string } | undefined;
  const url = await listenPlain(t, (req, res) => {
    void readBody(req).then((body) => {
      seen = { method: req.method, auth: req.headers.authorization, type: req.headers['content-type'], body: body.toString() };
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' }).end('{"retry_after":1,"global":false}');
    });
  });
  const res = await transport(`${url}/api/v10/x`, {
    method: 'PATCH',
    headers: { Authorization: 'Bot abc', 'Content-Type': 'application/json' },
    body: '{"a":1}',
  } as unknown as Init);
  assert.deepEqual(seen, { method: 'PATCH', auth: 'Bot abc', type: 'application/json', body: '{"a":1}' });
  assert.equal(res.status, 429);
  assert.equal(res.ok, false);
  assert.equal(res.statusText, 'Too Many Requests');
  assert.equal(res.headers.get('retry-after'), '1');
  assert.equal(res.bodyUsed, false);
  assert.equal(await res.text(), '{"retry_after":1,"global":false}');
  assert.equal(res.bodyUsed, true);
});

test('no headers: @discordjs/rest’s signal ends the request with an AbortError (which it retries)', async (t) => {
  const url = await listenPlain(t, () => undefined);
  const abort = new AbortController();
  const pending = transport(`${url}/hang`, { method: 'GET', signal: abort.signal } as unknown as Init);
  abort.abort();
  await assert.rejects(pending, (e: Error) => e.name === 'AbortError');
});

test('hung before the headers with no signal, or in the middle of the body: fails after the bound instead of waiting', async (t) => {
  const url = await listenPlain(t, (req, res) => {
    if (req.url === '/body') res.writeHead(200, { 'content-type': 'application/json' }).write('{"partial":');
  });
  await assert.rejects(transport(`${url}/headers`, { method: 'GET' } as unknown as Init), { code: 'UND_ERR_HEADERS_TIMEOUT' });
  const res = await transport(`${url}/body`, { method: 'GET' } as unknown as Init);
  assert.equal(res.status, 200);
  await assert.rejects(res.json(), { code: 'UND_ERR_BODY_TIMEOUT' });
});

test('a connection cut before or during the answer is an error, not a hang', async (t) => {
  const url = await listenPlain(t, (req, res) => {
    if (req.url === '/before') req.socket.destroy();
    else {
      res.writeHead(200, { 'content-length': '100' }).write('{"a":', () => req.socket.destroy());
    }
  });
  await assert.rejects(transport(`${url}/before`, { method: 'GET' } as unknown as Init), { code: 'UND_ERR_SOCKET' });
  const res = await transport(`${url}/during`, { method: 'GET' } as unknown as Init);
  await assert.rejects(res.text());
});

test('TLS verification stays on: a self-signed certificate is refused', async (t) => {
  const tls = selfSigned('discord.test');
  const url = await listenPlain(t, (_req, res) => res.end('{}'), createHttpsServer({ key: tls.key, cert: tls.cert }));
  await assert.rejects(transport(`${url}/api`, { method: 'GET' } as unknown as Init), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
});
