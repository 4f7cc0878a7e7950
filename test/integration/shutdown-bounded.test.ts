/**
 * SIGTERM with the chat line hung (connections accepted, nothing answered: a getUpdates in
 * flight that will never return, reconnect attempts hanging too): the process still exits within
 * 10 s, cleanly, as a container runtime expects before it sends SIGKILL; so it does with a backend
 * hung mid-poll (its requests are aborted, not waited on), and with Pi-hole and OMV hung at logout
 * (the two bounded logouts run side by side, within the workers' budget).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { startFakeTelegram } from '../fakes/telegram-api.ts';
import { startCutProxy } from '../support/cut-proxy.ts';
import { startLogoutBackends } from '../support/logout-backends.ts';
import { waitFor } from '../support/real-server.ts';

const TOKEN = '123456:TEST-TOKEN-abcdefghijklmnopqrstuv';

/** The bot as a real process on a fresh database, with these config lines besides the database and logging. */
function startBot(t: TestContext, configLines: readonly string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'shutdown-'));
  const config = join(dir, 'config.yaml');
  writeFileSync(
    config,
    [
      `database: ${join(dir, 'bot.db')}`,
      'health: { host: 127.0.0.1, port: 0 }',
      'log: { level: info, pretty: false }',
      ...configLines,
      '',
    ].join('\n'),
  );
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  const bot = { child, out: '', exited: new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code))) };
  child.stdout.on('data', (d) => (bot.out += d));
  child.stderr.on('data', (d) => (bot.out += d));
  t.after(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  return bot;
}

test('SIGTERM returns within 10 s while every Bot API request hangs', async (t) => {
  const fake = await startFakeTelegram({ token: TOKEN, maxHoldMs: 300 });
  const line = await startCutProxy(fake.apiRoot);
  t.after(async () => {
    await line.close();
    await fake.close();
  });
  const bot = startBot(t, [
    `telegram: { token: "${TOKEN}", apiRoot: "${line.url}", ownerIds: [1000] }`,
    'alerts: { bindings: [{ chat: "telegram:1000" }] }',
  ]);

  await waitFor(() => bot.out.includes('bot started') && bot.out.includes('telegram connected'), {
    timeoutMs: 90_000,
    what: 'bot started',
  });
  const polls = fake.calls.filter((c) => c.method === 'getUpdates').length;
  await waitFor(() => fake.calls.filter((c) => c.method === 'getUpdates').length > polls, { what: 'polling' });
  line.setMode('hang');
  // The next poll goes out on the hung line and never comes back.
  await waitFor(() => line.hung >= 1, { what: 'a request hanging' });

  const t0 = Date.now();
  bot.child.kill('SIGTERM');
  const code = await bot.exited;
  const took = Date.now() - t0;
  assert.ok(took < 10_000, `exited ${took} ms after SIGTERM`);
  assert.equal(code, 0, bot.out.slice(-2000));
  assert.match(bot.out, /shutting down/);
});

test('SIGTERM while Proxmox and the router hang mid-poll: exit 0 well within 10 s, no "did not stop in time"', async (t) => {
  const fake = await startFakeTelegram({ token: TOKEN, maxHoldMs: 300 });
  // Nothing behind the line: it accepts and stays silent, like a hung Proxmox node.
  const backend = await startCutProxy('http://127.0.0.1:9');
  backend.setMode('hang');
  t.after(async () => {
    await backend.close();
    await fake.close();
  });
  const bot = startBot(t, [
    `telegram: { token: "${TOKEN}", apiRoot: "${fake.apiRoot}", ownerIds: [1000] }`,
    `proxmox: { url: "${backend.url}", tokenId: "bot@pve!chatops", tokenSecret: "not-a-secret" }`,
    `router: { url: "${backend.url}", username: bot, password: not-a-secret }`,
    'alerts: { bindings: [{ chat: "telegram:1000" }] }',
  ]);

  await waitFor(() => bot.out.includes('bot started'), { timeoutMs: 90_000, what: 'bot started' });
  // Proxmox's poll and the router's overview and leases polls, each on a silent connection.
  await waitFor(() => backend.hung >= 3, { what: 'three polls hanging' });

  const t0 = Date.now();
  bot.child.kill('SIGTERM');
  const code = await bot.exited;
  const took = Date.now() - t0;
  assert.equal(code, 0, bot.out.slice(-2000));
  // Waiting on the hung polls would spend the whole 4 s workers budget.
  assert.ok(took < 3_500, `exited ${took} ms after SIGTERM`);
  assert.doesNotMatch(bot.out, /did not stop in time|"level":(50|60)/);
});

test('SIGTERM while Pi-hole and OMV hang at logout: both logouts wait side by side, exit 0 within the budget', async (t) => {
  const fake = await startFakeTelegram({ token: TOKEN, maxHoldMs: 300 });
  const backends = await startLogoutBackends();
  t.after(async () => {
    await backends.close();
    await fake.close();
  });
  const { pihole, omv } = backends.config;
  const bot = startBot(t, [
    `telegram: { token: "${TOKEN}", apiRoot: "${fake.apiRoot}", ownerIds: [1000] }`,
    `pihole: { url: "${pihole.url}", password: ${pihole.password} }`,
    `omv: { url: "${omv.url}", username: ${omv.username}, password: ${omv.password} }`,
    'alerts: { bindings: [{ chat: "telegram:1000" }] }',
  ]);

  await waitFor(() => bot.out.includes('bot started'), { timeoutMs: 90_000, what: 'bot started' });
  await backends.sessionsHeld();
  backends.hang();

  const t0 = Date.now();
  bot.child.kill('SIGTERM');
  const code = await bot.exited;
  const took = Date.now() - t0;
  assert.equal(code, 0, bot.out.slice(-2000));
  // Pi-hole's logout waits its 3 s; OMV's 2 s run alongside it (one after the other: 5 s, past the 4 s budget).
  assert.ok(took >= 2_900, `exited ${took} ms after SIGTERM: the logouts did not hang, so this tests nothing`);
  assert.ok(took < 4_500, `exited ${took} ms after SIGTERM`);
  assert.doesNotMatch(bot.out, /did not stop in time|"level":(50|60)/);
});
