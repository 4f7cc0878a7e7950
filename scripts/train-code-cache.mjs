/**
 * Trains the bundle's V8 code caches on a real start-up (scripts/build.mjs runs it after writing
 * them). A cache made right after compiling holds only the code V8 compiles eagerly; every
 * function start-up calls (the YAML parser, zod's config schema, the migrations, grammY's first
 * requests) was still compiled lazily at each start, a third of start-up's CPU. Here the bundle
 * starts as the image starts it, against a throwaway database and a minimal Bot API on 127.0.0.1,
 * until its first getUpdates; then it stops (SIGTERM) and, with HOMELAB_CODE_CACHE_TRAINING=1,
 * scripts/code-cache-loader.cjs rewrites each file's cache as it exits, now with the functions
 * that ran. A training run that fails leaves the untrained caches, which stay valid.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Any well-formed token: the minimal Bot API below accepts only this one. */
const TOKEN = '123456:code-cache-training-abcdefghijklmnop';
/** Quiet time after the first getUpdates, so the menus and whatever start-up sends after it are in. */
const SETTLE_MS = 300;
const LIMIT_MS = 30_000;

/**
 * Answers as the Bot API does (https://core.telegram.org/bots/api#making-requests: a JSON object
 * with `ok` and `result`): getMe a User, getUpdates held open (a long poll) until the run ends,
 * any other method `true` (what setMyCommands and deleteWebhook return).
 */
function startBotApi(onRequest) {
  const held = new Set();
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const method = req.url?.split('/').pop() ?? '';
      onRequest(method);
      if (!req.url?.startsWith(`/bot${TOKEN}/`)) return reply(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
      if (method === 'getUpdates') return void held.add(res);
      const result =
        method === 'getMe'
          ? { id: 123456, is_bot: true, first_name: 'Homelab', username: 'homelab_training_bot', can_join_groups: true }
          : true;
      reply(res, 200, { ok: true, result });
    });
  });
  return new Promise((ready) =>
    server.listen(0, '127.0.0.1', () =>
      ready({
        apiRoot: `http://127.0.0.1:${server.address().port}`,
        close: () => {
          for (const res of held) reply(res, 200, { ok: true, result: [] });
          server.closeAllConnections();
          server.close();
        },
      }),
    ),
  );
}

function reply(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/**
 * Starts `entry` (dist/main.js) once for training; resolves true when it exited after writing its
 * caches, false (with a warning) when it failed or did not poll within `limitMs`.
 */
export async function trainCodeCache(entry, { limitMs = LIMIT_MS } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'homelab-code-cache-'));
  let child;
  let settle;
  let polled = false;
  const api = await startBotApi((method) => {
    if (method === 'getUpdates') polled = true;
    if (!polled) return;
    clearTimeout(settle);
    settle = setTimeout(() => child?.kill('SIGTERM'), SETTLE_MS);
  });
  try {
    const config = join(dir, 'config.yaml');
    // YAML as a household writes it (block style), so the parser's usual paths are the trained ones.
    writeFileSync(
      config,
      [
        `database: ${join(dir, 'bot.db')}`,
        'log:',
        '  level: warn',
        'health:',
        '  host: 127.0.0.1',
        '  port: 0',
        'telegram:',
        `  token: "${TOKEN}"`,
        `  apiRoot: ${api.apiRoot}`,
        '  ownerIds: [1001]',
        '',
      ].join('\n'),
    );
    child = spawn(process.execPath, [entry, '--config', config], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, NODE_ENV: 'production', HOMELAB_CODE_CACHE_TRAINING: '1' },
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-2000)));
    const limit = setTimeout(() => child.kill('SIGKILL'), limitMs);
    const code = await new Promise((done) => child.once('exit', (c) => done(c)));
    clearTimeout(limit);
    if (code !== 0 || !polled) {
      console.warn(`code cache training failed (exit ${code}, polled ${polled}); the untrained caches stay:\n${stderr}`);
      return false;
    }
    return true;
  } finally {
    clearTimeout(settle);
    api.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
