/**
 * Child process for the crash-safety test: delivers the outbox of a database file to an HTTP
 * sink on 127.0.0.1 and exits when nothing is pending. The parent SIGKILLs it at random points.
 * Usage: node --import tsx test/alerts/outbox-child.ts <db> <sinkUrl>
 */
import { systemClock } from '../../src/core/clock.ts';
import { openDatabase } from '../../src/core/db.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { alertMigrations } from '../../src/alerts/migrations.ts';
import { Outbox } from '../../src/alerts/outbox.ts';
import { OutboxWorker } from '../../src/alerts/worker.ts';

const [dbPath, sink] = process.argv.slice(2) as [string, string];
const db = openDatabase(dbPath, alertMigrations);
const outbox = new Outbox(db);
const worker = new OutboxWorker({
  db,
  clock: systemClock,
  log: silentLogger(),
  groupWindowMs: 0,
  stormThreshold: 1_000_000,
  idleMs: 10,
  backoff: { baseMs: 10, maxMs: 50 },
  render: (p) => (p.type === 'message' ? p.message : { blocks: [] }),
  deliver: async (destination, message, _editRef, meta) => {
    const res = await fetch(sink, {
      method: 'POST',
      body: JSON.stringify({ destination, dedupKey: meta?.dedupKey, text: message.blocks[0] }),
    });
    if (!res.ok) return { ok: false, error: `sink ${res.status}` };
    const body = (await res.json()) as { ref: string };
    return { ok: true, ref: body.ref };
  },
});
worker.start();
const timer = setInterval(() => {
  if (outbox.counts().pending === 0) {
    clearInterval(timer);
    void worker.stop().then(() => {
      db.close();
      process.exit(0);
    });
  }
}, 20);
