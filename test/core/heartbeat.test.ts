/**
 * The dead-man's-switch ping against a local push endpoint: pings while healthy, silence while
 * not, a hung endpoint bounded by the timeout without piling pings up, the URL never logged.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { PassThrough } from 'node:stream';
import { pino } from 'pino';
import { Heartbeat } from '../../src/core/heartbeat.ts';
import { forbidNodeFetch, listenPlain } from '../support/plain-http.ts';
import { waitFor } from '../support/real-server.ts';

// Pings go through the bot's undici: Node's fetch would load Node's own copy for good.
forbidNodeFetch();

test('pings while healthy, stays silent while unhealthy, survives a hung endpoint, never logs the URL', async (t) => {
  let mode: 'ok' | 'hang' = 'ok';
  const seen: string[] = [];
  const hung: ServerResponse[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    seen.push(`${req.method} ${req.url}`);
    if (mode === 'hang') return void hung.push(res);
    res.end('OK');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ping/6f1c1d2e-secret-uuid`;
  const lines: string[] = [];
  const stream = new PassThrough();
  stream.on('data', (b: Buffer) => lines.push(...b.toString().split('\n').filter(Boolean)));
  let healthy = true;
  let asked = 0;
  const isHealthy = (): boolean => (asked++, healthy);
  const beat = new Heartbeat({ url, intervalMs: 50, timeoutMs: 200, healthy: isHealthy, log: pino({ level: 'info' }, stream) });
  t.after(() => {
    beat.stop();
    for (const r of hung) r.destroy();
    server.closeAllConnections();
    server.close();
  });
  beat.start();
  await waitFor(() => seen.length >= 3, { what: 'pings while healthy' });
  assert.ok(seen.every((s) => s === 'GET /ping/6f1c1d2e-secret-uuid'));

  healthy = false;
  await beat.lastPing;
  const silentFrom = seen.length;
  const askedFrom = asked;
  await waitFor(() => asked >= askedFrom + 3, { what: 'three ticks while unhealthy' });
  assert.equal(seen.length, silentFrom, 'no ping while unhealthy: silence is the alarm');
  mode = 'hang';
  healthy = true;
  await waitFor(() => lines.some((l) => l.includes('heartbeat ping failed')), { what: 'a timed-out ping' });
  assert.ok(seen.length - silentFrom <= 2, 'one hung ping at a time, not one per interval');
  assert.ok(lines.find((l) => l.includes('heartbeat ping failed'))!.includes('"reason":"timeout"'));

  mode = 'ok';
  await waitFor(() => lines.some((l) => l.includes('answered again')), { what: 'recovered' });
  assert.equal(lines.filter((l) => l.includes('heartbeat ping failed')).length, 1, 'one line per outage');
  assert.ok(!lines.join('\n').includes('secret-uuid'), 'the push URL is never logged');
});

test('a redirect is followed to the ping, and an error status or refused connection is a failed ping', async (t) => {
  const seen: string[] = [];
  const base = await listenPlain(t, (req, res) => {
    seen.push(req.url!);
    if (req.url === '/old') res.writeHead(301, { location: '/ping/abc' }).end();
    else if (req.url === '/ping/abc') res.end('OK');
    else res.writeHead(404).end();
  });
  const lines: string[] = [];
  const stream = new PassThrough();
  stream.on('data', (b: Buffer) => lines.push(...b.toString().split('\n').filter(Boolean)));
  const ping = async (url: string): Promise<void> => {
    const beat = new Heartbeat({ url, intervalMs: 60_000, timeoutMs: 2000, healthy: () => true, log: pino({ level: 'info' }, stream) });
    beat.start();
    await beat.lastPing;
    beat.stop();
  };
  await ping(`${base}/old`);
  assert.deepEqual(seen, ['/old', '/ping/abc']);
  assert.equal(lines.length, 0, lines.join('\n'));
  await ping(`${base}/gone`);
  assert.match(lines.at(-1)!, /"reason":"HTTP 404"/);
  await ping('http://127.0.0.1:1/ping');
  assert.match(lines.at(-1)!, /"reason":"ECONNREFUSED"/);
});
