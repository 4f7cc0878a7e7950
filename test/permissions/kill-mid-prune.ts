/** Runs a prune in a child process on a database file and SIGKILLs it inside the prune's transaction (stranger-prune-child.ts). */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { waitFor } from '../support/real-server.ts';

const CHILD = join(import.meta.dirname, 'stranger-prune-child.ts');

/** Prunes `what` in `file` at `now` in a child, stops it after `deletedBeforeStop` deleted rows, and kills it there. */
export async function killMidPrune(
  t: TestContext,
  what: 'strangers' | 'audit',
  file: string,
  now: number,
  deletedBeforeStop: number,
): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, what, file, String(now), String(deletedBeforeStop)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(() => child.kill('SIGKILL'));
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<NodeJS.Signals | null>((r) => child.on('exit', (_c, signal) => r(signal)));
  await Promise.race([
    waitFor(() => out.includes('mid-prune'), { timeoutMs: 60_000, what: 'the child to stop mid-prune' }),
    exited.then(() => {
      throw new Error(`child exited early: ${err}`);
    }),
  ]);
  child.kill('SIGKILL');
  assert.equal(await exited, 'SIGKILL');
}
