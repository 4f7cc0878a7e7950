import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import { closeServer, listenLocal, readBody, sendJson } from '../../src/demo/http.ts';
import { waitFor } from '../support/real-server.ts';

test('a fake built from the helpers echoes the body as JSON with the content type it chose', async () => {
  const server = createServer((req, res) => {
    void readBody(req).then((raw) =>
      sendJson(res, 201, { got: raw }, { 'content-type': 'application/json; charset=utf-8', 'x-extra': '1' }),
    );
  });
  const port = await listenLocal(server);
  assert.ok(port > 0);
  try {
    const r = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body: 'ñandú' });
    assert.equal(r.status, 201);
    assert.equal(r.headers.get('content-type'), 'application/json; charset=utf-8');
    assert.equal(r.headers.get('x-extra'), '1');
    assert.deepEqual(await r.json(), { got: 'ñandú' });
  } finally {
    await closeServer(server);
  }
});

test('listenLocal rejects when the port is taken', async () => {
  const first = createServer();
  const port = await listenLocal(first);
  const second = createServer();
  try {
    await assert.rejects(listenLocal(second, port), { code: 'EADDRINUSE' });
  } finally {
    await closeServer(first);
  }
});

test('closeServer ends a held-open response and keep-alive connections instead of waiting for them', async () => {
  const held = new Set<ServerResponse>();
  const server = createServer((_req, res) => {
    held.add(res);
  });
  const port = await listenLocal(server);
  const pending = fetch(`http://127.0.0.1:${port}/`).then(
    () => 'answered',
    () => 'dropped',
  );
  await waitFor(() => held.size > 0, { what: 'the request to arrive' });
  await closeServer(server, held);
  assert.equal(await pending, 'dropped');
});
