/**
 * The connection supervisor with a scripted adapter and a manual clock: states and their times
 * as /healthz shows them, reconnection after a session is lost, bounded waits, one log line down
 * and one up, and a rejected token fatal without retries.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PassThrough } from 'node:stream';
import { pino } from 'pino';
import type { ChatAdapter, LinkEvents } from '../../src/bot/adapter.ts';
import { AdapterLink } from '../../src/bot/link.ts';
import { ManualClock } from '../../src/core/clock.ts';
import { waitFor } from '../support/real-server.ts';

/** An adapter whose start() succeeds or fails as the test says. */
class ScriptedAdapter implements Partial<ChatAdapter> {
  readonly platform = 'telegram' as const;
  readonly linkPolicy = { attemptTimeoutMs: 200, delaysMs: [10, 20, 40] };
  events!: LinkEvents;
  starts = 0;
  failWith: unknown;
  hang = false;
  async start(): Promise<void> {
    this.starts++;
    if (this.hang) return new Promise(() => undefined);
    if (this.failWith) throw this.failWith;
  }
  async stop(): Promise<void> {}
  supervise(e: LinkEvents): void {
    this.events = e;
  }
}

function setUp() {
  const clock = new ManualClock();
  const adapter = new ScriptedAdapter();
  const lines: string[] = [];
  const stream = new PassThrough();
  stream.on('data', (b: Buffer) => lines.push(...b.toString().split('\n').filter(Boolean)));
  const link = new AdapterLink(adapter as unknown as ChatAdapter, pino({ level: 'info' }, stream), clock);
  return { clock, adapter, link, lines };
}

test('connected, lost, reconnecting with bounded retries, back: states, times and log lines', async (t) => {
  const { clock, adapter, link, lines } = setUp();
  t.after(() => link.stop());
  assert.equal(link.facts().state.kind, 'connecting');
  link.connect();
  await link.first;
  assert.deepEqual(link.facts().state, { kind: 'connected', since: clock.now() });
  adapter.events.ok();
  assert.equal(link.facts().lastOkAt, clock.now());

  clock.advance(60_000);
  const lostAt = clock.now();
  adapter.failWith = new Error('connect ECONNREFUSED');
  adapter.events.lost('polling failed');
  assert.deepEqual(link.facts().state, { kind: 'reconnecting', since: lostAt, reason: 'polling failed' });
  // It keeps trying on its own: waits of 10, 20, then 40 ms repeated (never growing past the last).
  await waitFor(() => adapter.starts >= 6, { what: 'repeated reconnect attempts' });
  clock.advance(5000);
  assert.equal(link.facts().state.since, lostAt, 'still down since the loss');

  adapter.failWith = undefined;
  await waitFor(() => link.facts().state.kind === 'connected', { what: 'reconnected' });
  assert.equal(link.facts().state.since, clock.now());
  await waitFor(() => lines.some((l) => l.includes('reachable again')), { what: 'info line' });
  assert.equal(lines.filter((l) => l.includes('connection lost')).length, 1, 'one warn line for the whole outage');
  assert.equal(lines.filter((l) => /unreachable|not answering/.test(l)).length, 0, 'no line per failed attempt');
});

test('trouble then back is reported without a restart; a hung attempt is abandoned and retried', async (t) => {
  const { adapter, link } = setUp();
  t.after(() => link.stop());
  link.connect();
  await link.first;
  adapter.events.trouble('network error (ECONNRESET)');
  assert.equal(link.facts().state.kind, 'reconnecting');
  adapter.events.back();
  assert.equal(link.facts().state.kind, 'connected');
  assert.equal(adapter.starts, 1, 'the adapter healed itself: no new session');

  adapter.hang = true;
  adapter.events.lost('gateway down');
  await waitFor(() => adapter.starts >= 3, { what: 'hung attempts abandoned after their bound and retried' });
  adapter.hang = false;
  await waitFor(() => link.facts().state.kind === 'connected', { what: 'reconnected' });
});

test('a rejected token fails at once and is never retried', async () => {
  const { adapter, link } = setUp();
  adapter.failWith = Object.assign(new Error('Unauthorized'), { error_code: 401 });
  link.connect();
  await assert.rejects(link.first, /Unauthorized/);
  assert.equal(link.facts().state.kind, 'failed');
  adapter.events.lost('anything');
  assert.equal(adapter.starts, 1);
  await link.stop();
});
