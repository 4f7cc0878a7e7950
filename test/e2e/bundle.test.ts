/** The production artifact (`npm run build`, what the Docker image runs) starts and answers. */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { startFakeTelegram } from '../fakes/telegram-api.ts';

const root = resolve(import.meta.dirname, '../..');
let out = '';

before(() => {
  const cache = join(root, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  // Inside the project so node resolves the packages left outside the bundle from node_modules.
  out = mkdtempSync(join(cache, 'homelab-bundle-test-'));
  execFileSync(process.execPath, ['scripts/build.mjs', '--outdir', out], { cwd: root, stdio: 'pipe' });
});
after(() => rmSync(out, { recursive: true, force: true }));

test('the esbuild bundle runs the demo on plain node and keeps discord.js and the demo fakes lazy', async () => {
  // The Discord adapter is a separate chunk, loaded only for a Discord setup.
  assert.ok(
    readdirSync(out).some((f) => f.startsWith('discord-')),
    'discord chunk missing',
  );
  // The simulated homelab is not part of what a real setup loads: main.js and every chunk it imports
  // statically hold no module of src/demo/ (esbuild marks each module with a `// src/…` comment).
  const loaded = new Set<string>();
  const visit = (file: string): void => {
    if (loaded.has(file)) return;
    loaded.add(file);
    const code = readFileSync(join(out, file), 'utf8');
    for (const [, dep] of code.matchAll(/^(?:import|export)\b[^;]*?from\s*"\.\/([^"]+)"/gm)) visit(dep!);
    for (const [, dep] of code.matchAll(/^import\s*"\.\/([^"]+)"/gm)) visit(dep!);
  };
  visit('main.js');
  for (const file of loaded) {
    const demo = readFileSync(join(out, file), 'utf8').match(/^\/\/ src\/demo\/.*$/m);
    assert.equal(demo, null, `${file} (loaded at every start) contains ${demo?.[0]}`);
  }
  assert.ok(
    readdirSync(out).some((f) => /^\/\/ src\/demo\//m.test(readFileSync(join(out, f), 'utf8'))),
    'the demo chunk is missing (demo mode below needs it)',
  );
  const res = await new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
    const child = spawn(process.execPath, [join(out, 'main.js')], { cwd: root, env: { ...process.env, HOMELAB_CONFIG: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => done({ code, stdout, stderr }));
    child.stdin.end('/help\n');
  });
  assert.equal(res.code, 0, res.stderr);
  assert.match(res.stdout, /Demo mode/);
  // The demo's owner sees the help by area: the router area is there (the bundle loaded it).
  assert.match(res.stdout, /\/help router/);
});

test('the bundle polls Telegram and answers a command (grammY and its fetch polyfills work bundled)', async (t) => {
  // A bundler that renames the polyfill's AbortSignal class makes every Bot API call fail before
  // any request is sent (node-fetch checks the class name): the bot then never polls.
  const token = '123456:BUNDLE-TEST-TOKEN-abcdefghijklmnop';
  const fake = await startFakeTelegram({ token });
  t.after(() => fake.close());
  const dir = mkdtempSync(join(tmpdir(), 'homelab-bundle-tg-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const config = {
    database: join(dir, 'bot.db'),
    log: { level: 'warn', pretty: false },
    health: { host: '127.0.0.1', port: 0 },
    telegram: { token, apiRoot: fake.apiRoot, ownerIds: [4242] },
  };
  writeFileSync(join(dir, 'config.yaml'), JSON.stringify(config));
  const child = spawn(process.execPath, [join(out, 'main.js'), '--config', join(dir, 'config.yaml')], { cwd: root, stdio: 'pipe' });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  t.after(async () => {
    child.kill('SIGTERM');
    await exited;
  });
  await fake.waitForCall('getUpdates', () => true, 20_000).catch(() => assert.fail(`never polled:\n${output}`));
  fake.sendText(4242, 4242, '/whoami');
  const reply = await fake.waitForCall('sendMessage', (c) => c.status === 200 && Number(c.params.chat_id) === 4242, 20_000);
  assert.match(String(reply.params.text), /4242/);
});
