/**
 * `npm run bench` leaves no build folder behind: a run's own `node_modules/.cache/homelab-bench-*`
 * goes when it exits, crashes or is stopped with SIGINT/SIGTERM (a real child process each), and a
 * later run sweeps folders whose owner is gone — never one a live run owns.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { test } from 'node:test';
import { FOLDER_PREFIX, sweepStaleFolders, UNOWNED_STALE_MS } from '../../bench/lib/cache-folders.ts';

const CHILD = join(import.meta.dirname, 'cache-folder-child.ts');

function tempRoot(t: { after(fn: () => void): void }): string {
  const root = mkdtempSync(join(tmpdir(), 'homelab-cache-test-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  return root;
}

/** Runs the child in `mode`; `whileRunning` gets the folder once it exists. Resolves with how it ended. */
async function runChild(
  root: string,
  mode: 'exit' | 'throw' | 'wait',
  whileRunning: (folder: string, kill: (s: NodeJS.Signals) => void) => void = () => undefined,
): Promise<{ folder: string; code: number | null; signal: NodeJS.Signals | null }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, root, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let folder = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    if (!folder && out.includes('\n')) {
      folder = out.split('\n')[0]!;
      whileRunning(folder, (s) => child.kill(s));
    }
  });
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  return { folder, code, signal };
}

test('a run removes its own folder when it exits, when it crashes, and on SIGINT or SIGTERM', async (t) => {
  const root = tempRoot(t);
  const normal = await runChild(root, 'exit');
  assert.equal(normal.code, 0);
  assert.match(normal.folder, new RegExp(`node_modules/\\.cache/${FOLDER_PREFIX}`));
  assert.equal(existsSync(normal.folder), false, 'removed on a normal exit');

  const crashed = await runChild(root, 'throw');
  assert.notEqual(crashed.code, 0);
  assert.equal(existsSync(crashed.folder), false, 'removed after an uncaught error');

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    let existed = false;
    const stopped = await runChild(root, 'wait', (folder, kill) => {
      existed = existsSync(join(folder, 'owner.pid'));
      kill(signal);
    });
    assert.ok(existed, 'the folder is there, with its owner, while the run lives');
    assert.equal(stopped.signal, signal, `the run still ends by ${signal}`);
    assert.equal(existsSync(stopped.folder), false, `removed on ${signal}`);
  }
});

test('a sweep removes folders whose owner is gone (or unowned and old), never a live run’s', async (t) => {
  const cache = join(tempRoot(t), 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const folder = (name: string, pid?: number): string => {
    const f = join(cache, name);
    mkdirSync(join(f, 'bot'), { recursive: true });
    if (pid !== undefined) writeFileSync(join(f, 'owner.pid'), `${pid}\n`);
    return f;
  };
  // An owner that has ended: a real process that has exited.
  const gone = spawn(process.execPath, ['-e', '']);
  await once(gone, 'exit');
  folder(`${FOLDER_PREFIX}live`, process.pid);
  folder(`${FOLDER_PREFIX}dead`, gone.pid!);
  const now = Date.now();
  const old = folder(`${FOLDER_PREFIX}old`);
  const oldAt = new Date(now - UNOWNED_STALE_MS - 60_000);
  utimesSync(old, oldAt, oldAt);
  folder(`${FOLDER_PREFIX}fresh`);
  folder('other-tool-cache', gone.pid!);

  assert.deepEqual(sweepStaleFolders(cache, now).sort(), [`${FOLDER_PREFIX}dead`, `${FOLDER_PREFIX}old`]);
  for (const kept of [`${FOLDER_PREFIX}live`, `${FOLDER_PREFIX}fresh`, 'other-tool-cache']) assert.ok(existsSync(join(cache, kept)), kept);
});
