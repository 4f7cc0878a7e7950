/** What the bundle gives discord.js and @discordjs/rest for `undici` (scripts/build.mjs): Node's own classes and our undici's request. */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import * as forDiscord from '../../src/bot/discord/undici-for-discord.ts';

test('fetch, FormData and Headers are Node’s own, so @discordjs/rest’s uploads and the adapter’s REST transport agree', () => {
  assert.equal(forDiscord.fetch, globalThis.fetch);
  assert.equal(forDiscord.FormData, globalThis.FormData);
  assert.equal(forDiscord.Headers, globalThis.Headers);
});

test('request is undici’s: a real request to 127.0.0.1 answers with status, headers and body', async (t) => {
  const server = createServer((req, res) => res.writeHead(201, { 'x-seen': req.method ?? '' }).end('{"ok":true}'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => server.close());
  const res = await forDiscord.request(`http://127.0.0.1:${(server.address() as AddressInfo).port}/x`, { method: 'POST', body: 'a' });
  assert.equal(res.statusCode, 201);
  assert.equal(res.headers['x-seen'], 'POST');
  assert.deepEqual(await res.body.json(), { ok: true });
});
