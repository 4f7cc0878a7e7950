/** The production artifact (`npm run build`, what the Docker image runs) starts and answers. */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test, type TestContext } from 'node:test';
import { startFakeDiscord } from '../fakes/discord.ts';
import { startFakeTelegram } from '../fakes/telegram-api.ts';
import { listenPlain } from '../support/plain-http.ts';
import { waitFor } from '../support/real-server.ts';
import { routerDemoBackend } from '../../src/demo/routeros-backend.ts';
import { transmissionDemoBackend } from '../../src/demo/transmission-backend.ts';
import { bencode } from '../../src/services/transmission/bencode.ts';

const root = resolve(import.meta.dirname, '../..');
let out = '';

before(() => {
  const cache = join(root, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  // Inside the project so node resolves the packages left outside the bundle from node_modules.
  out = mkdtempSync(join(cache, 'homelab-bundle-test-'));
  execFileSync(process.execPath, ['scripts/build.mjs', '--outdir', out, '--metafile', join(out, 'meta.json')], {
    cwd: root,
    stdio: 'pipe',
  });
});
after(() => rmSync(out, { recursive: true, force: true }));

test('the bundle runs the demo on plain node and keeps discord.js, undici and the demo fakes out of every start', async () => {
  // The Discord adapter is a separate chunk, loaded only for a Discord setup.
  assert.ok(
    readdirSync(out).some((f) => f.startsWith('discord-')),
    'discord chunk missing',
  );
  // The simulated homelab is not part of what a real setup loads: main-bundle.js (main.js runs it
  // through V8's code cache, scripts/code-cache-loader.cjs) and every chunk it imports
  // statically hold no module of src/demo/ (esbuild's metafile lists each output's imports and inputs).
  type Output = { imports: { path: string; kind: string }[]; inputs: Record<string, unknown> };
  const outputs = (JSON.parse(readFileSync(join(out, 'meta.json'), 'utf8')) as { outputs: Record<string, Output> }).outputs;
  const byName = new Map(Object.entries(outputs).map(([path, o]) => [path.split('/').pop()!, o]));
  const loaded = new Set<string>();
  const visit = (file: string): void => {
    if (loaded.has(file)) return;
    loaded.add(file);
    for (const i of byName.get(file)?.imports ?? [])
      if (i.kind === 'import-statement' && !i.path.startsWith('node:')) visit(i.path.split('/').pop()!);
  };
  visit('main-bundle.js');
  for (const file of loaded) {
    const demo = Object.keys(byName.get(file)?.inputs ?? {}).find((input) => input.startsWith('src/demo/'));
    assert.equal(demo, undefined, `${file} (loaded at every start) contains ${demo}`);
  }
  assert.ok(
    [...byName.values()].some((o) => Object.keys(o.inputs).some((input) => input.startsWith('src/demo/'))),
    'the demo chunk is missing (demo mode below needs it)',
  );
  // Neither are undici (the backends' HTTP client, loaded with the first backend request) nor discord.js,
  // nor zod's messages in other languages (config errors are English; `import { z }` would pull them all),
  // nor whatwg-url and its tr46 table (node-fetch requires them but uses Node's URL: scripts/build.mjs),
  // nor an area's module (src/wiring/<id>-module.ts, loaded only when its config section is present).
  const lazyOrUnused =
    /node_modules\/(undici|discord\.js|whatwg-url|tr46)\/|node_modules\/zod\/v4\/locales\/(?!en\.js$)|^src\/wiring\/[a-z]+-module\.ts$/;
  for (const file of loaded) {
    const lazy = Object.keys(byName.get(file)?.inputs ?? {}).find((input) => lazyOrUnused.test(input));
    assert.equal(lazy, undefined, `${file} (loaded at every start) contains ${lazy}`);
  }
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
  // The demo's backends answer through the bundled undici (a chunk's import() namespace holds only
  // `default`: src/core/undici.ts), so no poller reports a failed refresh.
  assert.doesNotMatch(res.stderr, /refresh failed|stop failed/);
  // The demo's owner sees the help by area: the router area is there (the bundle loaded it).
  assert.match(res.stdout, /\/help router/);
});

test('main.js compiles the bundle from V8 code cache the build wrote, and ignores a damaged or foreign cache', (t) => {
  const bundle = join(out, 'main-bundle.js');
  const cache = readFileSync(`${bundle}.v8cache`);
  t.after(() => writeFileSync(`${bundle}.v8cache`, cache));
  // The loader's own check: the bundle's SHA-1, then data V8 accepts for this Node (as it compiles).
  const accepted = execFileSync(
    process.execPath,
    [
      '-e',
      `const fs = require('fs'), vm = require('vm'), M = require('module');
       const s = new vm.Script(M.wrap(fs.readFileSync(process.argv[1], 'utf8')), { filename: process.argv[1], cachedData: fs.readFileSync(process.argv[1] + '.v8cache').subarray(20) });
       process.stdout.write(String(s.cachedDataRejected));`,
      bundle,
    ],
    { encoding: 'utf8' },
  );
  assert.equal(accepted, 'false');
  assert.deepEqual(cache.subarray(0, 20), createHash('sha1').update(readFileSync(bundle)).digest());
  const dir = mkdtempSync(join(tmpdir(), 'homelab-bundle-cache-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const config = join(dir, 'config.yaml');
  writeFileSync(config, JSON.stringify({ database: join(dir, 'bot.db'), telegram: { token: TELEGRAM_TOKEN, ownerIds: [4242] } }));
  const damaged = [
    Buffer.concat([cache.subarray(0, 20), Buffer.alloc(4096, 7)]), // right bundle, garbage data
    cache.subarray(0, cache.length >> 1), // cut short
    Buffer.concat([Buffer.alloc(20), cache.subarray(20)]), // made for other bytes
  ];
  for (const bytes of damaged) {
    writeFileSync(`${bundle}.v8cache`, bytes);
    const stdout = execFileSync(process.execPath, [join(out, 'main.js'), '--check-config', '--config', config], { encoding: 'utf8' });
    assert.match(stdout, /is valid/);
  }
});

test('every chunk the bundle requires has a code cache V8 accepts, and a damaged one is ignored', (t) => {
  const chunks = readdirSync(out).filter((f) => f.endsWith('.js') && f !== 'main.js' && f !== 'main-bundle.js');
  assert.ok(chunks.length > 10, `chunks: ${chunks.join(', ')}`);
  const kept = new Map(chunks.map((f) => [f, readFileSync(join(out, `${f}.v8cache`))]));
  t.after(() => kept.forEach((bytes, f) => writeFileSync(join(out, `${f}.v8cache`), bytes)));
  const rejected = execFileSync(
    process.execPath,
    [
      '-e',
      `const fs = require('fs'), vm = require('vm'), M = require('module'), path = require('path');
       const out = [];
       for (const f of process.argv.slice(1)) {
         const s = new vm.Script(M.wrap(fs.readFileSync(f, 'utf8')), { filename: f, cachedData: fs.readFileSync(f + '.v8cache').subarray(20) });
         if (s.cachedDataRejected) out.push(path.basename(f));
       }
       process.stdout.write(out.join(','));`,
      ...chunks.map((f) => join(out, f)),
    ],
    { encoding: 'utf8' },
  );
  assert.equal(rejected, '', 'every chunk cache is accepted');
  for (const [f, bytes] of kept)
    assert.deepEqual(
      bytes.subarray(0, 20),
      createHash('sha1')
        .update(readFileSync(join(out, f)))
        .digest(),
    );
  // Damaged or made for other bytes: the chunk compiles as usual and the bot still reads its config (zod is a chunk).
  const dir = mkdtempSync(join(tmpdir(), 'homelab-bundle-chunk-cache-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const config = join(dir, 'config.yaml');
  writeFileSync(config, JSON.stringify({ database: join(dir, 'bot.db'), telegram: { token: TELEGRAM_TOKEN, ownerIds: [4242] } }));
  for (const damage of [
    (b: Buffer) => Buffer.concat([b.subarray(0, 20), Buffer.alloc(4096, 7)]),
    (b: Buffer) => Buffer.concat([Buffer.alloc(20), b.subarray(20)]),
  ]) {
    kept.forEach((bytes, f) => writeFileSync(join(out, `${f}.v8cache`), damage(bytes)));
    const stdout = execFileSync(process.execPath, [join(out, 'main.js'), '--check-config', '--config', config], { encoding: 'utf8' });
    assert.match(stdout, /is valid/);
  }
});

test('the build trains the code caches on a real start-up: main-bundle.js and zod’s chunk hold the functions it ran, and V8 accepts them', () => {
  // What a cache made right after compiling holds (the eager code only), beside what the build wrote.
  const report = execFileSync(
    process.execPath,
    [
      '-e',
      `const fs = require('fs'), vm = require('vm'), M = require('module');
       const out = {};
       for (const f of process.argv.slice(1)) {
         const src = M.wrap(fs.readFileSync(f, 'utf8'));
         const trained = new vm.Script(src, { filename: f, cachedData: fs.readFileSync(f + '.v8cache').subarray(20) });
         out[f] = { compileOnly: new vm.Script(src, { filename: f + '?' }).createCachedData().length, trained: fs.statSync(f + '.v8cache').size - 20, rejected: trained.cachedDataRejected };
       }
       process.stdout.write(JSON.stringify(out));`,
      join(out, 'main-bundle.js'),
      ...readdirSync(out)
        .filter((f) => f.endsWith('.js') && /\bZodError\b/.test(readFileSync(join(out, f), 'latin1')) && !f.startsWith('main'))
        .map((f) => join(out, f)),
    ],
    { encoding: 'utf8' },
  );
  const sizes = Object.entries(JSON.parse(report) as Record<string, { compileOnly: number; trained: number; rejected: boolean }>);
  assert.ok(sizes.length >= 2, `main and zod's chunk: ${sizes.map(([f]) => f).join(', ')}`);
  for (const [file, s] of sizes) {
    assert.equal(s.rejected, false, `${file}: V8 accepts the trained cache`);
    // Start-up runs the config's YAML parser and zod schema, the migrations and grammY's first requests.
    assert.ok(s.trained > 1.3 * s.compileOnly, `${file}: trained ${s.trained} bytes, compile-only ${s.compileOnly}`);
  }
});

test('a training run that fails or hangs keeps the caches as they were and does not fail the build', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'homelab-bundle-training-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // A plain-JavaScript build script: imported by URL, typed here.
  const { trainCodeCache } = (await import(pathToFileURL(join(root, 'scripts/train-code-cache.mjs')).href)) as {
    trainCodeCache: (entry: string, o?: { limitMs?: number }) => Promise<boolean>;
  };
  const exits = join(dir, 'exits.js');
  writeFileSync(exits, 'process.exit(3);\n');
  const hangs = join(dir, 'hangs.js');
  writeFileSync(hangs, 'setInterval(() => undefined, 1000);\n');
  const warned: string[] = [];
  t.mock.method(console, 'warn', (s: string) => void warned.push(s));
  assert.equal(await trainCodeCache(exits), false);
  assert.equal(await trainCodeCache(hangs, { limitMs: 300 }), false);
  assert.equal(warned.length, 2);
  assert.match(warned[0]!, /untrained caches stay/);
});

/**
 * Runs the bundled bot on plain node (`nodeArgs` before main.js) with a temp database and
 * `sections` (telegram, discord…) as its config; stopped and cleaned up after the test at the
 * latest. `output` is what it printed so far; `stop` sends SIGTERM and waits for the exit.
 */
function runBundledBot(
  t: TestContext,
  sections: Record<string, unknown>,
  nodeArgs: string[] = [],
): { output: () => string; stop: () => Promise<number | null> } {
  const dir = mkdtempSync(join(tmpdir(), 'homelab-bundle-run-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const config = {
    database: join(dir, 'bot.db'),
    log: { level: 'warn', pretty: false },
    health: { host: '127.0.0.1', port: 0 },
    ...sections,
  };
  writeFileSync(join(dir, 'config.yaml'), JSON.stringify(config));
  const child = spawn(process.execPath, [...nodeArgs, join(out, 'main.js'), '--config', join(dir, 'config.yaml')], {
    cwd: root,
    stdio: 'pipe',
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const stop = async (): Promise<number | null> => {
    child.kill('SIGTERM');
    return exited;
  };
  t.after(stop);
  return { output: () => output, stop };
}

const TELEGRAM_TOKEN = '123456:BUNDLE-TEST-TOKEN-abcdefghijklmnop';

test('the bundle polls Telegram and answers a command (grammY and its fetch polyfills work bundled)', async (t) => {
  // A bundler that renames the polyfill's AbortSignal class makes every Bot API call fail before
  // any request is sent (node-fetch checks the class name): the bot then never polls.
  const fake = await startFakeTelegram({ token: TELEGRAM_TOKEN });
  t.after(() => fake.close());
  const { output } = runBundledBot(t, { telegram: { token: TELEGRAM_TOKEN, apiRoot: fake.apiRoot, ownerIds: [4242] } });
  await fake.waitForCall('getUpdates', () => true, 20_000).catch(() => assert.fail(`never polled:\n${output()}`));
  fake.sendText(4242, 4242, '/whoami');
  const reply = await fake.waitForCall('sendMessage', (c) => c.status === 200 && Number(c.params.chat_id) === 4242, 20_000);
  assert.match(String(reply.params.text), /4242/);
});

test('the bundle logs in to Discord, uploads a file to Discord and to Telegram, downloads a Telegram file and pings the heartbeat, all without Node’s internal undici', async (t) => {
  // The bundle hands discord.js and @discordjs/rest src/bot/discord/undici-for-discord.ts for
  // their `undici` imports: a missing name would stop the Discord chunk from loading at all.
  // Node's fetch, or reading its global FormData/Headers/Response, loads Node's own undici (10–16 MB
  // that stays): the bot's HTTP goes through its bundled undici 7 only (scripts/build.mjs).
  const telegram = await startFakeTelegram({ token: TELEGRAM_TOKEN });
  t.after(() => telegram.close());
  const owner = '200000000000000042';
  const discord = await startFakeDiscord({ token: 'bundle-discord-token-abcdefghijklmnop', defaultUser: { id: owner, username: 'ana' } });
  t.after(() => discord.close());
  // The demo's simulated router (its guest WiFi QR is the upload) and Transmission (a .torrent
  // document is downloaded from the Bot API's file endpoint, then asked where to go).
  const router = await routerDemoBackend.start();
  t.after(() => router.close());
  const transmission = await transmissionDemoBackend.start();
  t.after(() => transmission.close());
  // The dead-man's-switch ping (health.heartbeatUrl) goes out too.
  let pinged = 0;
  const monitor = await listenPlain(t, (_req, res) => (pinged++, res.end('OK')));
  const probe = mkdtempSync(join(tmpdir(), 'homelab-bundle-probe-'));
  t.after(() => rmSync(probe, { recursive: true, force: true }));
  const loaded = join(probe, 'loaded.json');
  writeFileSync(
    join(probe, 'probe.cjs'),
    `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(loaded)}, JSON.stringify(process.moduleLoadList)));`,
  );
  const { output, stop } = runBundledBot(
    t,
    {
      telegram: { token: TELEGRAM_TOKEN, apiRoot: telegram.apiRoot, ownerIds: [4242] },
      discord: {
        token: discord.token,
        applicationId: discord.applicationId,
        guildId: discord.guildId,
        apiRoot: discord.api,
        ownerIds: [owner],
      },
      health: { host: '127.0.0.1', port: 0, heartbeatUrl: `${monitor}/ping/bundle-test` },
      ...router.config,
      ...transmission.config,
    },
    ['--require', join(probe, 'probe.cjs')],
  );
  // Commands are registered once the client is ready: then an interaction has somewhere to go.
  await discord
    .waitForCall('PUT /applications/:app/guilds/:guild/commands', () => true, 20_000)
    .catch(() => assert.fail(`never registered its commands:\n${output()}`));
  const reply = await discord.slashCommand('whoami').waitForReply(undefined, 20_000);
  assert.match(JSON.stringify(reply), new RegExp(owner));
  // A file upload: multipart through @discordjs/rest's FormData and the adapter's transport.
  const qr = await discord.slashCommand('wifi').waitForReply(undefined, 20_000);
  assert.equal(qr.attachments[0]?.filename, 'guest-wifi.png');
  const png = discord.attachmentBytes(qr.attachments[0]!.id)!;
  assert.equal(png.subarray(1, 4).toString('ascii'), 'PNG');
  // A file download: getFile, then the bytes from /file/bot<token>/<path>.
  await telegram.waitForPoll(20_000);
  const since = telegram.mark();
  const torrent = bencode({ info: { name: 'bundle-test-file', 'piece length': 16384, length: 123456, pieces: Buffer.alloc(160) } });
  telegram.sendDocument(4242, 4242, { fileName: 'bundle-test.torrent', bytes: torrent });
  const asked = await telegram.waitForCall('sendMessage', (c) => /bundle-test-file/.test(String(c.params.text)), 20_000, since);
  assert.equal(Number(asked.params.chat_id), 4242);
  // And grammY's own upload (the QR as a photo, multipart through node-fetch).
  telegram.sendText(4242, 4242, '/wifi');
  await telegram.waitForCall('sendPhoto', (c) => c.status === 200 && Number(c.params.chat_id) === 4242, 20_000, since);
  await waitFor(() => pinged > 0, { what: 'a heartbeat ping', timeoutMs: 20_000 });
  // Stopped (SIGTERM), the bot exits through process.exit and the probe writes what Node loaded.
  assert.equal(await stop(), 0, output());
  const modules = JSON.parse(readFileSync(loaded, 'utf8')) as string[];
  assert.ok(modules.includes('NativeModule http'), 'the probe saw the modules Node loaded');
  assert.deepEqual(
    modules.filter((m) => /undici/.test(m)),
    [],
    'Node loaded its internal undici (its fetch, or a read of its global FormData, Headers, Request or Response)',
  );
});
