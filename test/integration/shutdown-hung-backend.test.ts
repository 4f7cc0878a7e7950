/**
 * A power cut's shutdown with a backend hung (connections accepted, nothing ever answered, as a
 * Proxmox node stuck on its storage): stopping the bot aborts every poll in flight, in every area
 * polling that backend, instead of waiting on it; nothing is logged as an error, no "did not stop
 * in time", and no hung request stays open to answer after the database closed.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { ManualClock } from '../../src/core/clock.ts';
import { createLogger } from '../../src/core/logger.ts';
import { startTestApp } from '../support/app-harness.ts';
import { startCutProxy } from '../support/cut-proxy.ts';
import { waitFor } from '../support/real-server.ts';

test('stop with Proxmox and the router hung mid-poll: prompt, quiet, every hung request closed', async (t) => {
  // Nothing behind the line: it only ever accepts and stays silent.
  const line = await startCutProxy('http://127.0.0.1:9');
  line.setMode('hang');
  t.after(() => line.close());
  const lines: { level: number; msg: string }[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l) as { level: number; msg: string });
      done();
    },
  });
  const clock = new ManualClock(Date.now());
  const h = await startTestApp(
    {
      proxmox: { url: line.url, tokenId: 'bot@pve!chatops', tokenSecret: 'not-a-secret' },
      router: { url: line.url, username: 'bot', password: 'not-a-secret' },
    },
    { clock, log: createLogger({ level: 'info', destination }) },
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
