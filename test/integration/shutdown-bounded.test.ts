/**
 * SIGTERM with the chat line hung (connections accepted, nothing answered: a getUpdates in
 * flight that will never return, reconnect attempts hanging too): the process still exits within
 * 10 s, cleanly, as a container runtime expects before it sends SIGKILL.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startFakeTelegram } from '../fakes/telegram-api.ts';
import { startCutProxy } from '../support/cut-proxy.ts';
import { waitFor } from '../support/real-server.ts';

const TOKEN = '123456:TEST-TOKEN-abcdefghijklmnopqrstuv';

test('SIGTERM returns within 10 s while every Bot API request hangs', async (t) => {
  const fake = await startFakeTelegram({ token: TOKEN, maxHoldMs: 300 });
  const line = await startCutProxy(fake.apiRoot);
  const dir = mkdtempSync(join(tmpdir(), 'shutdown-'));
  t.after(async () => {
    await line.close();
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const config = join(dir, 'config.yaml');
  writeFileSync(
    config,
    [
      `database: ${join(dir, 'bot.db')}`,
      'health: { host: 127.0.0.1, port: 0 }',
      'log: { level: info, pretty: false }',
      `telegram: { token: "${TOKEN}", apiRoot: "${line.url}", ownerIds: [1000] }`,
      'alerts: { bindings: [{ chat: "telegram:1000" }] }',
      '',
    ].join('\n'),
  );
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  t.after(() => void (child.exitCode === null && child.kill('SIGKILL')));

  await waitFor(() => out.includes('bot started') && out.includes('telegram connected'), { timeoutMs: 90_000, what: 'bot started' });
  const polls = fake.calls.filter((c) => c.method === 'getUpdates').length;
  await waitFor(() => fake.calls.filter((c) => c.method === 'getUpdates').length > polls, { what: 'polling' });
  line.setMode('hang');
  // The next poll goes out on the hung line and never comes back.
  await waitFor(() => line.hung >= 1, { what: 'a request hanging' });

  const t0 = Date.now();
  child.kill('SIGTERM');
  const code = await exited;
  const took = Date.now() - t0;
  assert.ok(took < 10_000, `exited ${took} ms after SIGTERM`);
  assert.equal(code, 0, out.slice(-2000));
  assert.match(out, /shutting down/);
});
