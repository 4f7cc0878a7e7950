/** `--check-config` catches what would fail at start-up; a failed start-up says why in one line and exits non-zero. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startFakeTelegram } from '../fakes/telegram-api.ts';

function runMain(args: string[], stdin = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  child.stdin.end(stdin);
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

test('--check-config rejects a bad time zone, a bad cron, a missing SSH key file and a database nobody can create', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'check-'));
  writeFileSync(join(dir, 'not-a-folder'), 'x');
  const config = join(dir, 'config.yaml');
  writeFileSync(
    config,
    [
      'timezone: Madrid',
      `database: ${join(dir, 'not-a-folder', 'bot.db')}`,
      'mdadm:',
      '  ssh:',
      '    host: 127.0.0.1',
      '    username: monitor',
      `    privateKeyPath: ${join(dir, 'id_ed25519')}`,
      '    hostKey: SHA256:ygIBZ8TTLGnhqcn4lumbgIiglZ/PR6AjCb6UI/JRjVw',
      'alerts:',
      '  digest: { cron: "every morning", chats: [console:main] }',
      '',
    ].join('\n'),
  );
  const schema = await runMain(['--check-config', '--config', config]);
  assert.equal(schema.code, 1);
  assert.match(schema.stderr, /timezone: unknown time zone "Madrid" \(did you mean Europe\/Madrid\?\)/);
  assert.match(schema.stderr, /alerts\.digest\.cron: not a cron expression/);

  // With the schema fixed, the files it names are checked too.
  writeFileSync(
    config,
    (await import('node:fs')).readFileSync(config, 'utf8').replace('Madrid', 'Europe/Madrid').replace('every morning', '0 8 * * *'),
  );
  const files = await runMain(['--check-config', '--config', config]);
  assert.equal(files.code, 1);
  assert.match(files.stderr, /mdadm\.ssh\.privateKeyPath: the key file .*id_ed25519 does not exist/);
  assert.match(files.stderr, /database: cannot create the folder .*not-a-folder: .*is a file/);

  writeFileSync(join(dir, 'id_ed25519'), 'key');
  writeFileSync(
    config,
    (await import('node:fs')).readFileSync(config, 'utf8').replace(join(dir, 'not-a-folder', 'bot.db'), join(dir, 'new', 'bot.db')),
  );
  const ok = await runMain(['--check-config', '--config', config]);
  assert.equal(ok.code, 0, ok.stderr);
});

test('--check-config rejects a time zone Intl does not know and a cron node-cron would refuse', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'check-tz-'));
  const config = join(dir, 'config.yaml');
  writeFileSync(
    config,
    `timezone: Mars/Olympus\ndatabase: ${join(dir, 'bot.db')}\nalerts:\n  digest: { cron: "99 99 * * *", chats: [console:main] }\n`,
  );
  const r = await runMain(['--check-config', '--config', config]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /timezone: unknown time zone "Mars\/Olympus"/);
  assert.match(r.stderr, /alerts\.digest\.cron: not a cron expression/);
});

test('with console: true a failed start-up exits non-zero with one readable line, even when stdin ends first', async () => {
  const blocker: Server = await new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => resolve(s));
  });
  try {
    const port = (blocker.address() as AddressInfo).port;
    const dir = mkdtempSync(join(tmpdir(), 'startfail-'));
    const config = join(dir, 'config.yaml');
    writeFileSync(
      config,
      `database: ${join(dir, 'bot.db')}\nconsole: true\nlog: { level: info, pretty: false }\nhealth: { host: 127.0.0.1, port: ${port} }\n`,
    );
    const r = await runMain(['--config', config], '/whoami\n');
    assert.equal(r.code, 1);
    const line = r.stderr.split('\n').find((l) => l.startsWith('Start-up failed:'));
    assert.match(line ?? '', /health port is already in use.*health\.port/);
    assert.doesNotMatch(r.stderr, /"stack"/, 'no JSON stack trace');
  } finally {
    blocker.close();
  }
});

test('a wrong Telegram token is one clear line, not a JSON stack', async () => {
  const fake = await startFakeTelegram({ token: '123456:RIGHT-TOKEN-abcdefghijklmnopqrstuv', maxHoldMs: 300 });
  try {
    const dir = mkdtempSync(join(tmpdir(), 'badtoken-'));
    const config = join(dir, 'config.yaml');
    writeFileSync(
      config,
      `database: ${join(dir, 'bot.db')}\nhealth: { port: 0 }\nlog: { level: info, pretty: false }\n` +
        `telegram: { token: "123456:WRONG-TOKEN-abcdefghijklmnopqrstuv", apiRoot: "${fake.apiRoot}", ownerIds: [1] }\n`,
    );
    const r = await runMain(['--config', config]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^Start-up failed: Telegram rejected the bot token \(401 Unauthorized\)/m);
    assert.doesNotMatch(r.stderr + r.stdout, /"stack"|GrammyError/);
  } finally {
    await fake.close();
  }
});

test('--check-config rejects a Wake-on-LAN MAC that is not one, naming the key', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'check-wol-'));
  const config = join(dir, 'config.yaml');
  writeFileSync(
    config,
    [
      `database: ${join(dir, 'bot.db')}`,
      'router: { url: "https://127.0.0.1:8443", username: bot, password: x }',
      'alerts:',
      '  powerCut:',
      '    enabled: true',
      '    runsOn: outside',
      '    restore:',
      '      wakeOnLan: { mac: "00:00:5E:00:53:GG" }',
      '',
    ].join('\n'),
  );
  const r = await runMain(['--check-config', '--config', config]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /alerts\.powerCut\.restore\.wakeOnLan\.mac: expected a MAC address/);
});
