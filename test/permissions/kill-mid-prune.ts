/** Runs a prune in a child process on a database file and SIGKILLs it inside the prune's transaction (stranger-prune-child.ts). */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { waitFor } from '../support/real-server.ts';

const CHILD = join(import.meta.dirname, 'stranger-prune-child.ts');

/** Where the child stops: after that many deleted rows, or as the prune's housekeeping row is written (every deletion done). */
export type PruneStop = number | 'row';

/** Starts the child's prune of `what` in `file` at `now`, stopping at `stop` (or never); resolves on `awaited` in its output. */
function runChild(t: TestContext, what: 'strangers' | 'audit', file: string, now: number, stop: PruneStop | 'never', awaited: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, what, file, String(now), String(stop)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(() => child.kill('SIGKILL'));
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<NodeJS.Signals | null>((r) => child.on('exit', (_c, signal) => r(signal)));
  const reached = Promise.race([
    waitFor(() => out.includes(awaited), { timeoutMs: 60_000, what: `the child to print ${awaited}` }),
    exited.then(() => {
      if (!out.includes(awaited)) throw new Error(`child exited before ${awaited}: ${err}`);
    }),
  ]);
  return { child, exited, reached };
}

/** Prunes `what` in `file` at `now` in a child, stops it at `stop` inside the prune's transaction, and kills it there. */
export async function killMidPrune(t: TestContext, what: 'strangers' | 'audit', file: string, now: number, stop: PruneStop): Promise<void> {
  const { child, exited, reached } = runChild(t, what, file, now, stop, 'mid-prune');
  await reached;
  child.kill('SIGKILL');
  assert.equal(await exited, 'SIGKILL');
}

/** Prunes `what` in `file` at `now` in a child to the end, wired as the bot wires it, and waits for it to exit. */
export async function pruneInChild(t: TestContext, what: 'strangers' | 'audit', file: string, now: number): Promise<void> {
  const { exited, reached } = runChild(t, what, file, now, 'never', 'finished');
  await reached;
  assert.equal(await exited, null);
}
