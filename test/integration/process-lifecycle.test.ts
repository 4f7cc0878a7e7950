/** The bot as a process: /healthz, and a graceful stop on SIGTERM. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer as createHttpServer } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startFakeTelegram } from '../fakes/telegram-api.ts';
import { waitFor } from '../support/real-server.ts';

const TOKEN = '123456:TEST-TOKEN-abcdefghijklmnopqrstuv';
/** Node options making Node's fetch throw in the child. */
const NO_NODE_FETCH = ['--import', 'data:text/javascript,globalThis.fetch = () => { throw new Error("Node fetch used"); };'];

test('healthz reports the adapters and database; SIGTERM stops cleanly', async () => {
  const fake = await startFakeTelegram({ token: TOKEN, maxHoldMs: 300 });
  const dir = mkdtempSync(join(tmpdir(), 'life-'));
  // A fixed port (not 0): the --healthcheck process reads it from the same config.
  const healthPort = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
  const config = join(dir, 'config.yaml');
  writeFileSync(
    config,
    [
      `database: ${join(dir, 'bot.db')}`,
      `health: { host: 127.0.0.1, port: ${healthPort} }`,
      'log: { level: info, pretty: false }',
      `telegram: { token: "\${TG_TOKEN}", apiRoot: "${fake.apiRoot}", ownerIds: [1000] }`,
      '',
    ].join('\n'),
  );
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', '--config', config], {
    env: { ...process.env, TG_TOKEN: TOKEN },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  try {
    const port = await waitFor(() => /"healthPort":(\d+)/.exec(out)?.[1], { timeoutMs: 90_000, what: 'bot started log line' });
    const res = await fetch(`http://127.0.0.1:${port}/healthz`);
    const body = (await res.json()) as { ok: boolean; database: string; adapters: Record<string, { state: string }> };
    assert.equal(res.status, 200);
    assert.equal(body.ok, true);
    assert.equal(body.database, 'writable');
    assert.equal(body.adapters.telegram?.state, 'connected');
    assert.ok(!out.includes(TOKEN), 'the token must never be logged');
    // The container HEALTHCHECK: the same config, the port the app really listens on. Node's
    // fetch is a thrower there: it would load Node's internal undici in a process started every 30 s.
    const check = spawn(process.execPath, [...NO_NODE_FETCH, '--import', 'tsx', 'src/main.ts', '--healthcheck', '--config', config], {
      env: { ...process.env, TG_TOKEN: TOKEN },
      stdio: 'ignore',
    });
    assert.equal(await new Promise<number | null>((resolve) => check.on('close', resolve)), 0);

    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.match(out, /shutting down/);
    // Nobody listening, or a /healthz that answers 503 (unhealthy): the HEALTHCHECK fails.
    const healthcheck = async (): Promise<number | null> => {
      const again = spawn(process.execPath, [...NO_NODE_FETCH, '--import', 'tsx', 'src/main.ts', '--healthcheck', '--config', config], {
        env: { ...process.env, TG_TOKEN: TOKEN },
        stdio: 'ignore',
      });
      return new Promise<number | null>((resolve) => again.on('close', resolve));
    };
    assert.equal(await healthcheck(), 1);
    const unhealthy = createHttpServer((_req, res) => res.writeHead(503).end('{}'));
    await new Promise<void>((r) => unhealthy.listen(healthPort, '127.0.0.1', r));
    try {
      assert.equal(await healthcheck(), 1);
    } finally {
      unhealthy.close();
    }
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    await fake.close();
  }
});
