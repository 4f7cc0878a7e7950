/**
 * /healthz through the whole bot, on a manual clock: Telegram connected (200), its line cut
 * (reconnecting with the reason, still 200 within the threshold, 503 past it), the line back
 * (connected, 200); and an alert stuck in the outbox past its age threshold (503).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Outbox } from '../../src/alerts/outbox.ts';
import { ManualClock } from '../../src/core/clock.ts';
import { startFakeTelegram } from '../fakes/telegram-api.ts';
import { startTestApp } from '../support/app-harness.ts';
import { startCutProxy } from '../support/cut-proxy.ts';
import { waitFor } from '../support/real-server.ts';

const TOKEN = '123456:TEST-TOKEN-abcdefghijklmnopqrstuv';

interface Body {
  ok: boolean;
  problems: string[];
  adapters: Record<string, { state: string; reason?: string; sinceSeconds: number; lastOkSecondsAgo: number | null }>;
  outbox: { pending: number; oldestPendingSeconds: number | null };
}

test('healthz follows Telegram: connected → reconnecting (503 past the threshold) → connected; a stale alert is 503', async (t) => {
  const tg = await startFakeTelegram({ token: TOKEN, maxHoldMs: 300 });
  const line = await startCutProxy(tg.apiRoot);
  const clock = new ManualClock(Date.now());
  const h = await startTestApp(
    {
      telegram: { token: TOKEN, apiRoot: line.url },
      health: { port: 0, adapterDownSeconds: 120, oldestPendingSeconds: 600 },
      alerts: { bindings: [{ chat: 'telegram:1000' }] },
    },
    { clock },
  );
  t.after(async () => {
    await h.close();
    await line.close();
    await tg.close();
  });
  const get = async (): Promise<{ status: number; body: Body }> => {
    const res = await fetch(`http://127.0.0.1:${h.app.healthPort}/healthz`);
    return { status: res.status, body: (await res.json()) as Body };
  };
  await waitFor(async () => (await get()).body.adapters['telegram']?.state === 'connected', { what: 'connected' });
  let r = await get();
  assert.equal(r.status, 200);
  assert.deepEqual(r.body.outbox, { pending: 0, oldestPendingSeconds: null });
  assert.equal(r.body.adapters['telegram']?.lastOkSecondsAgo, 0);

  line.setMode('cut');
  await waitFor(async () => (await get()).body.adapters['telegram']?.state === 'reconnecting', { what: 'reconnecting' });
  clock.advance(119_000);
  r = await get();
  assert.equal(r.status, 200, 'within the threshold');
  assert.match(r.body.adapters['telegram']?.reason ?? '', /network error/);
  assert.equal(r.body.adapters['telegram']?.sinceSeconds, 119);
  clock.advance(2000);
  r = await get();
  assert.equal(r.status, 503);
  assert.deepEqual(r.body.problems, ['telegram down for 121 s']);

  // A message queued during the outage waits; past its own threshold it is a problem too.
  new Outbox(h.app.db).enqueue(
    {
      destination: 'telegram:1000',
      dedupKey: 'test:stale',
      payload: { type: 'message', message: { blocks: [{ kind: 'text', text: 'queued while offline' }] } },
      severity: 'warning',
    },
    clock.now(),
  );
  clock.advance(601_000);
  r = await get();
  assert.equal(r.status, 503);
  assert.deepEqual(r.body.outbox, { pending: 1, oldestPendingSeconds: 601 });
  assert.ok(r.body.problems.includes('oldest pending alert waiting 601 s'), JSON.stringify(r.body.problems));

  line.setMode('pass');
  await waitFor(async () => (await get()).body.adapters['telegram']?.state === 'connected', { what: 'connected again' });
  // The worker's retry is due on the bot's clock; once delivered, nothing is stale any more.
  clock.advance(5000);
  await tg.waitForMessage(1000, (m) => /queued while offline/.test(m.text ?? ''), 10_000);
  await waitFor(async () => (await get()).status === 200, { what: 'healthy again' });
  assert.deepEqual((await get()).body.outbox, { pending: 0, oldestPendingSeconds: null });
});
