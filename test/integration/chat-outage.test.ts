/**
 * Telegram unreachable at start-up: the bot starts anyway (health server, workers, console),
 * the console answers while Telegram is down, and Telegram connects by itself once the line is
 * back. The line is cut at the TCP level (sockets destroyed at once), not answered with 5xx.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { startApp } from '../../src/app.ts';
import { validateConfig } from '../../src/core/config.ts';
import { pino } from 'pino';
import { startFakeTelegram } from '../fakes/telegram-api.ts';
import { startCutProxy } from '../support/cut-proxy.ts';
import { waitFor } from '../support/real-server.ts';

const TOKEN = '123456:TEST-TOKEN-abcdefghijklmnopqrstuv';

test('Telegram unreachable at start: the console works meanwhile and Telegram connects when the line returns', async (t) => {
  const fake = await startFakeTelegram({ token: TOKEN });
  const line = await startCutProxy(fake.apiRoot, true);
  const dir = mkdtempSync(join(tmpdir(), 'homelab-outage-'));
  t.after(async () => {
    await line.close();
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const parsed = validateConfig({
    database: join(dir, 'bot.db'),
    health: { port: 0 },
    console: true,
    permissions: { owners: ['telegram:1000'] },
    telegram: { token: TOKEN, apiRoot: line.url },
  });
  assert.ok(parsed.ok);
  const input = new PassThrough();
  const output = new PassThrough();
  let printed = '';
  output.on('data', (b: Buffer) => (printed += b.toString()));
  const logLines: string[] = [];
  const logStream = new PassThrough();
  logStream.on('data', (b: Buffer) => logLines.push(...b.toString().split('\n').filter(Boolean)));
  const app = await startApp({
    config: { ...parsed.config, health: { ...parsed.config.health, host: '127.0.0.1', port: 0 } },
    log: pino({ level: 'info' }, logStream),
    console: { input, output },
  });
  t.after(() => app.stop());
  const telegram = app.adapters.find((a) => a.platform === 'telegram')!;

  assert.equal(telegram.health().connected, false, 'Telegram is down');
  assert.equal(fake.calls.filter((c) => c.method === 'getMe').length, 0, 'nothing reached Telegram');
  assert.ok(app.healthPort, 'the health server started without waiting for Telegram');
  await waitFor(() => logLines.some((l) => l.includes('unreachable')), { what: 'the first attempt failed' });
  const healthz = (await (await fetch(`http://127.0.0.1:${app.healthPort}/healthz`)).json()) as {
    adapters: { telegram: { state: string; reason?: string; lastOkSecondsAgo: number | null } };
  };
  assert.equal(healthz.adapters.telegram.state, 'reconnecting', '/healthz is truthful about the outage');
  assert.ok(healthz.adapters.telegram.reason, 'with the reason');
  assert.equal(healthz.adapters.telegram.lastOkSecondsAgo, null, 'Telegram never answered');

  input.write('/help\n');
  await waitFor(() => printed.includes('/status'), { what: 'the console answered /help while Telegram is down' });

  line.setCut(false);
  await waitFor(() => telegram.health().connected, { what: 'Telegram connected after the line returned', timeoutMs: 15_000 });
  assert.equal(fake.calls.filter((c) => c.method === 'getMe').length, 1);
  const said = (text: string) => logLines.filter((l) => l.includes(text));
  await waitFor(() => said('reachable again').length === 1, { what: 'one log line saying Telegram is back' });
  assert.equal(said('unreachable').length, 1, 'one warning while Telegram was down, with the reason and next attempt');
  assert.match(said('unreachable')[0]!, /"reason":.*"nextAttemptAt":/);
});
