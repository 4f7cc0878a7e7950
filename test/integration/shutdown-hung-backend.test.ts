/**
 * A power cut's shutdown with a backend hung (connections accepted, nothing ever answered, as a
 * Proxmox node stuck on its storage): stopping the bot aborts every poll in flight, in every area
 * polling that backend, instead of waiting on it; nothing is logged as an error, no "did not stop
 * in time", and no hung request stays open to answer after the database closed. Backends hung at
 * logout (Pi-hole and OMV end their sessions on stop) are waited on side by side, each bounded.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { ManualClock } from '../../src/core/clock.ts';
import { createLogger, type Logger } from '../../src/core/logger.ts';
import { startTestApp } from '../support/app-harness.ts';
import { startCutProxy } from '../support/cut-proxy.ts';
import { startLogoutBackends } from '../support/logout-backends.ts';
import { waitFor } from '../support/real-server.ts';

/** A logger at info level whose lines the test reads. */
function capturedLog(): { lines: { level: number; msg: string }[]; log: Logger } {
  const lines: { level: number; msg: string }[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l) as { level: number; msg: string });
      done();
    },
  });
  return { lines, log: createLogger({ level: 'info', destination }) };
}

test('stop with Proxmox and the router hung mid-poll: prompt, quiet, every hung request closed', async (t) => {
  // Nothing behind the line: it only ever accepts and stays silent.
  const line = await startCutProxy('http://127.0.0.1:9');
  line.setMode('hang');
  t.after(() => line.close());
  const { lines, log } = capturedLog();
  const clock = new ManualClock(Date.now());
  const h = await startTestApp(
    {
      proxmox: { url: line.url, tokenId: 'bot@pve!chatops', tokenSecret: 'not-a-secret' },
      router: { url: line.url, username: 'bot', password: 'not-a-secret' },
    },
    { clock, log },
  );
  // Proxmox's poll and the router's two (overview, leases) are each waiting on a silent connection.
  await waitFor(() => line.hung >= 3, { what: 'three polls hanging' });

  const t0 = performance.now();
  await h.close();
  const took = performance.now() - t0;

  // The workers' budget is 4 s; waiting on the hung polls would use it all.
  assert.ok(took < 2000, `stop took ${Math.round(took)} ms`);
  assert.deepEqual(
    lines.filter((l) => l.level >= 40 || /did not stop in time/.test(l.msg)).map((l) => l.msg),
    [],
  );
  // The requests were aborted, not abandoned: no connection is left to answer into a closed database.
  await waitFor(() => line.open === 0, { what: 'every hung connection closed by the bot' });
});

test('stop with Pi-hole and OMV hung at logout: both logouts wait at once, within the budget, the database closed last', async (t) => {
  const backends = await startLogoutBackends();
  t.after(() => backends.close());
  const { lines, log } = capturedLog();
  const h = await startTestApp(backends.config, { clock: new ManualClock(Date.now()), log });
  await backends.sessionsHeld();
  assert.equal(backends.pihole.sessionCount(), 1);
  // Both go silent: the logouts (Pi-hole's bounded at 3 s, OMV's at 2 s) never get an answer.
  backends.hang();

  const t0 = performance.now();
  await h.close();
  const took = performance.now() - t0;

  // One after the other they need 5 s, past the workers' 4 s budget; side by side, Pi-hole's 3 s.
  assert.ok(took >= 2900, `stop took ${Math.round(took)} ms: the logouts did not hang, so this tests nothing`);
  assert.ok(took < 4000, `stop took ${Math.round(took)} ms: past the workers budget`);
  assert.deepEqual(
    lines.filter((l) => l.level >= 40 || /did not stop in time/.test(l.msg)).map((l) => l.msg),
    [],
  );
  // Every module finished before the database closed: nothing left behind holds a connection.
  await waitFor(() => backends.piholeLine.open === 0 && backends.omvLine.open === 0, { what: 'every logout connection closed by the bot' });
});
