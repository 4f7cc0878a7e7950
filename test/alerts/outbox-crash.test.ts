import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../src/core/db.ts';
import { alertMigrations } from '../../src/alerts/migrations.ts';
import { Outbox } from '../../src/alerts/outbox.ts';
import { waitFor } from '../support/real-server.ts';

const CHILD = join(import.meta.dirname, 'outbox-child.ts');

test('crash safety: SIGKILL during delivery loses nothing, duplicates are bounded and carry the same key', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'outbox-crash-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const dbPath = join(dir, 'bot.db');
  const db = openDatabase(dbPath, alertMigrations);
  const outbox = new Outbox(db);
  const dests = ['telegram:1', 'telegram:2', 'discord:3'];
  const keys: string[] = [];
  for (let i = 0; i < 60; i++) {
    const destination = dests[i % dests.length]!;
    const dedupKey = `alert-${String(i).padStart(2, '0')}>${destination}`;
    keys.push(dedupKey);
    outbox.enqueue(
      { destination, dedupKey, payload: { type: 'message', message: { blocks: [{ kind: 'text', text: `#${i}` }] } }, severity: 'critical' },
      Date.now(),
    );
  }

  const received: { destination: string; dedupKey: string }[] = [];
  const sink = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const msg = JSON.parse(body) as { destination: string; dedupKey: string };
      received.push(msg);
      // A little latency widens the window between "chat got it" and "row marked sent".
      setTimeout(() => res.end(JSON.stringify({ ref: `ref-${received.length}` })), Math.random() * 15);
    });
  });
  await new Promise<void>((r) => sink.listen(0, '127.0.0.1', () => r()));
  t.after(() => {
    sink.closeAllConnections();
    sink.close();
  });
  const url = `http://127.0.0.1:${(sink.address() as { port: number }).port}/`;

  const run = () => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dbPath, url], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((r) =>
      child.on('exit', (code, signal) => r({ code, signal, stderr })),
    );
    return { child, exited };
  };

  let kills = 0;
  for (let i = 0; i < 6 && outbox.counts().pending > 0; i++) {
    const seen = received.length;
    const { child, exited } = run();
    const done = await Promise.race([
      waitFor(() => received.length > seen, { timeoutMs: 20_000, what: 'child delivering' }).then(() => false),
      exited.then(() => true),
    ]);
    if (done) break;
    await new Promise((r) => setTimeout(r, Math.random() * 60));
    child.kill('SIGKILL');
    const ex = await exited;
    if (ex.signal === 'SIGKILL') kills++;
  }
  if (outbox.counts().pending > 0) {
    const { exited } = run();
    const ex = await exited;
    assert.equal(ex.code, 0, ex.stderr);
  }

  t.diagnostic(`kills=${kills} deliveries=${received.length} unique=${new Set(received.map((r) => r.dedupKey)).size}`);
  assert.ok(kills >= 3, `killed the worker mid-delivery ${kills} times`);
  const got = new Set(received.map((r) => r.dedupKey));
  assert.deepEqual([...got].sort(), [...keys].sort(), 'every message delivered at least once');
  const duplicates = received.length - got.size;
  assert.ok(duplicates <= kills * dests.length, `${duplicates} duplicates for ${kills} kills`);
  for (const d of dests) {
    const firstSeen = [...new Set(received.filter((r) => r.destination === d).map((r) => r.dedupKey))];
    assert.deepEqual(
      firstSeen,
      keys.filter((k) => k.endsWith(`>${d}`)),
      `order kept for ${d}`,
    );
  }
  assert.deepEqual(outbox.counts().sent, 60);
  db.close();
});
