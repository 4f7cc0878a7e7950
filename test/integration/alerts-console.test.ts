/**
 * The whole bot (composition root, pipeline, console adapter, outbox worker) with the fake upsd:
 * /simulate answers after the alert reached the console, the buttons act through the pipeline,
 * /alerts and /mute work, and texts come out in Spanish for a Spanish console.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { startApp } from '../../src/app.ts';
import { validateConfig } from '../../src/core/config.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { DEMO_UPS_STATES, startFakeUpsd } from '../../src/demo/nut.ts';
import { waitFor } from '../support/real-server.ts';

async function startConsoleApp(language?: 'en' | 'es', extraAlerts: Record<string, unknown> = {}) {
  const fake = await startFakeUpsd();
  const dir = mkdtempSync(join(tmpdir(), 'alerts-app-'));
  const parsed = validateConfig({
    database: join(dir, 'bot.db'),
    health: { port: 0 },
    nut: { host: fake.host, port: fake.port, ups: 'ups', pollSeconds: 0.2 },
    alerts: {
      bindings: [{ chat: 'console:main', ...(language ? { language } : {}) }],
      debounceSeconds: 1,
      powerCut: { enabled: true, dryRun: true, onBatteryMinutes: 5, shutdownOrder: [101, 100] },
      ...extraAlerts,
    },
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  const input = new PassThrough();
  const output = new PassThrough();
  let out = '';
  output.on('data', (d: Buffer) => (out += d.toString()));
  const app = await startApp({
    config: parsed.config,
    log: silentLogger(),
    demo: true,
    strictMessages: true,
    console: { input, output, ...(language ? { languageCode: language } : {}) },
    simulate: (s) => {
      if (s === 'power-cut') fake.set('ups', DEMO_UPS_STATES.powerCut);
      else if (s === 'power-back') fake.set('ups', DEMO_UPS_STATES.mains);
      else return false;
      return true;
    },
  });
  /** Types a line and resolves with everything printed until the reply containing `until` appears. */
  const type = async (line: string, until: RegExp, timeoutMs = 20_000): Promise<string> => {
    const start = out.length;
    input.write(`${line}\n`);
    await waitFor(() => until.test(out.slice(start)), { timeoutMs, what: `${until} after ${line}:\n${out.slice(start)}` });
    return out.slice(start);
  };
  return {
    type,
    output: () => out,
    app,
    async close() {
      await app.stop();
      await fake.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

test('demo console: /simulate shows the alert before its answer; buttons, /alerts, /mute', async (t) => {
  const c = await startConsoleApp();
  t.after(() => c.close());

  const cut = await c.type('/simulate power-cut', /Simulated power-cut/);
  const alertAt = cut.indexOf('Power cut: the UPS is on battery');
  assert.ok(alertAt > 0 && alertAt < cut.indexOf('Simulated power-cut'), cut);
  assert.match(cut, /Battery: 96 %/);
  assert.match(cut, /Runtime left: 52m/);
  assert.match(cut, /shuts down unless power returns by /);
  assert.match(cut, /Dry run/);
  assert.doesNotMatch(cut, /Already present when monitoring started/);
  const ack = /\[(\d+)\] Acknowledge/.exec(cut)?.[1];
  assert.ok(ack, cut);
  assert.match(cut, /\[\d+\] Shut down homelab now/);

  const list = await c.type('/alerts', /Alerts\n/);
  assert.match(list, /Active \(1\)/);
  assert.match(list, /🔴 Power cut: the UPS is on battery — since/);
  assert.match(list, /Power-cut shutdown: counting down/);

  const pressed = await c.type(ack, /Acknowledged\. No more reminders/);
  void pressed;
  const edited = await waitFor(() => /\(update\)[^]*Acknowledged by \S+ \(/.exec(c.output()), {
    what: `the alert edited to show who acknowledged:\n${c.output()}`,
  });
  assert.ok(edited);
  const again = await c.type(ack, /Someone already acknowledged it/);
  assert.ok(again);

  const back = await c.type('/simulate power-back', /Simulated power-back/);
  assert.ok(back.indexOf('Power is back: the UPS is on mains again') < back.indexOf('Simulated power-back'), back);
  assert.match(back, /shutdown is cancelled/);

  const muted = await c.type('/mute ups 2h', /Muted ups alerts until/);
  assert.ok(muted);
  const unknown = await c.type('/mute kettle 2h', /I do not know "kettle"/);
  assert.match(unknown, /Use one of: ups, raid, backup, .*\bnut\b/);
  const list2 = await c.type('/alerts', /Alerts\n/);
  assert.match(list2, /No active alerts/);
  assert.match(list2, /ups until .* \(by .+\)/);

  const none = await c.type('/simulate disk-fail', /cannot do "disk-fail" yet/);
  assert.ok(none);
});

test('a chat bound with language es gets its alerts in Spanish', async (t) => {
  const c = await startConsoleApp('es');
  t.after(() => c.close());
  const cut = await c.type('/simulate power-cut', /Simulado: power-cut/);
  assert.match(cut, /Corte de luz: el SAI funciona con batería/);
  assert.match(cut, /Batería: 96 %/);
  assert.match(cut, /\[\d+\] Visto +\[\d+\] Aplazar 1 h/);
  assert.match(cut, /el homelab se apagará si la luz no vuelve antes de/);
});

test('after /lang es on the console, its alerts come in Spanish (the console chat speaks its owner’s language)', async (t) => {
  const c = await startConsoleApp();
  t.after(() => c.close());
  await c.type('/lang es', /te hablaré en español/);
  const cut = await c.type('/simulate power-cut', /Simulado: power-cut/);
  assert.match(cut, /Corte de luz: el SAI funciona con batería/);
  assert.doesNotMatch(cut, /Power cut/);
});

test('the daily digest is sent on its cron to its chats, with the UPS part', async (t) => {
  const c = await startConsoleApp(undefined, { digest: { cron: '* * * * * *', chats: ['console:main'] } });
  t.after(() => c.close());
  await waitFor(() => /Good morning: homelab report\n(All good\.\n)?• 🟢 UPS: battery 100 %, 55m runtime/.test(c.output()), {
    timeoutMs: 10_000,
    what: `digest in the console:\n${c.output()}`,
  });
});

test('/powercut: the question names the dry run and the order; "no" does nothing; "yes" does not ask again', async (t) => {
  const c = await startConsoleApp();
  t.after(() => c.close());
  const ask = await c.type('/powercut', /Yes, do it/);
  // No hypervisor is configured here: the guests can only be named by number.
  assert.match(ask, /Shut down the homelab now, as in a power cut\? Order: Guest 101 → Guest 100 → the server\./);
  assert.match(ask, /Dry run \(alerts\.powerCut\.dryRun\)/);
  const no = await c.type('/powercut no', /Cancelled/);
  assert.doesNotMatch(no, /must be one of/);
  const yes = await c.type('/powercut yes', /Shutdown started|already running/);
  assert.doesNotMatch(yes, /Yes, do it/);
});
