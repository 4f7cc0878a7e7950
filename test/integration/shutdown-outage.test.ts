/**
 * SIGTERM in the middle of an outage, with the bot as a real process: Discord's line hung (REST
 * and gateway: connections accepted, nothing answered) while an on-battery alert is being sent,
 * and a Transmission poll hung mid-request. The process still exits cleanly within 10 s (a
 * container runtime's SIGKILL grace), the alert is still pending in the SQLite outbox, and the
 * next start delivers it to Discord, once.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { DEMO_UPS_STATES, startFakeUpsd } from '../../src/demo/nut.ts';
import { startTransmissionFake } from '../../src/demo/transmission.ts';
import { startFakeDiscord } from '../fakes/discord.ts';
import { startCutProxy } from '../support/cut-proxy.ts';
import { waitFor } from '../support/real-server.ts';
import { startStepProxy } from '../support/step-proxy.ts';

const TOKEN = 'fake-discord-token-0123456789abcdef';

/** The bot as a child process; `out` is everything it logged. */
function startBot(config: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  const bot = { child, out: '', exited: new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code))) };
  child.stdout.on('data', (d) => (bot.out += d));
  child.stderr.on('data', (d) => (bot.out += d));
  return bot;
}

interface OutboxRow {
  status: string;
  attempts: number;
  destination: string;
}

test('SIGTERM with Discord hung mid-send and a backend hung mid-request: exits within 10 s, the alert stays queued and goes out on the next start', async (t) => {
  const ups = await startFakeUpsd();
  const transmission = await startTransmissionFake();
  const backendLine = await startStepProxy(transmission.url.replace(/\/transmission\/rpc$/, ''));
  const discord = await startFakeDiscord({ token: TOKEN, heartbeatIntervalMs: 1000 });
  const discordLine = await startCutProxy(discord.url);
  discord.gateway.advertise(discordLine.url);
  const dir = mkdtempSync(join(tmpdir(), 'shutdown-outage-'));
  const bots: ReturnType<typeof startBot>[] = [];
  t.after(async () => {
    for (const b of bots) if (b.child.exitCode === null) b.child.kill('SIGKILL');
    await discordLine.close();
    await discord.close();
    await backendLine.close();
    await transmission.close();
    await ups.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const alerts = discord.channelId('alerts');
  const database = join(dir, 'bot.db');
  const config = join(dir, 'config.yaml');
  writeFileSync(
    config,
    [
      `database: ${database}`,
      'health: { host: 127.0.0.1, port: 0 }',
      'log: { level: info, pretty: false }',
      'permissions: { owners: ["console:main"] }',
      `discord: { token: "${TOKEN}", apiRoot: "${discordLine.url}/api", guildId: "${discord.guildId}" }`,
      `nut: { host: ${ups.host}, port: ${ups.port}, ups: ups, pollSeconds: 0.2 }`,
      `transmission: { url: "${backendLine.url}/transmission/rpc", pollSeconds: 1 }`,
      `alerts: { debounceSeconds: 0, bindings: [{ chat: "discord:${alerts}" }] }`,
      '',
    ].join('\n'),
  );
  const outbox = (): OutboxRow[] => {
    const db = new Database(database, { readonly: true, fileMustExist: true });
    try {
      const rows = db.prepare('SELECT status, attempts, destination, payload FROM alert_outbox').all() as (OutboxRow & {
        payload: string;
      })[];
      return rows.filter((r) => r.payload.includes(':on_battery'));
    } finally {
      db.close();
    }
  };

  const first = startBot(config);
  bots.push(first);
  await waitFor(() => first.out.includes('bot started') && first.out.includes('"discord connected"'), {
    timeoutMs: 90_000,
    what: `bot started with Discord connected: ${first.out.slice(-1500)}`,
  });
  // The UPS poller has recorded its starting state (on mains) before the power goes.
  const polled = ups.connections();
  await waitFor(() => ups.commands.filter((c) => /^LIST VAR/.test(c)).length >= 2 && ups.connections() >= polled, {
    what: 'UPS polled',
  });

  // The WAN hangs for Discord; the next Transmission poll is held before it reaches the daemon.
  discordLine.setMode('hang');
  const backendHeld = backendLine.hold(() => true, 'request');
  ups.set('ups', DEMO_UPS_STATES.powerCut);
  await backendHeld;
  // The alert is queued and its send is in flight (the attempt is counted before sending).
  await waitFor(() => outbox().some((r) => r.status === 'pending' && r.attempts >= 1), {
    what: 'the on-battery alert being sent into the hung line',
    timeoutMs: 15_000,
  });

  const t0 = Date.now();
  first.child.kill('SIGTERM');
  const code = await first.exited;
  const took = Date.now() - t0;
  assert.ok(took < 10_000, `exited ${took} ms after SIGTERM`);
  assert.equal(code, 0, first.out.slice(-2000));
  assert.match(first.out, /shutting down/);
  assert.equal(discord.messagesIn(alerts).length, 0, 'nothing reached Discord');
  const queued = outbox();
  assert.equal(queued.length, 1, JSON.stringify(queued));
  assert.equal(queued[0]!.status, 'pending', 'the alert is still queued in the outbox on disk');

  // Next start with the line back: the queued alert goes out, once (it used to be dead-lettered as
  // "no discord chat is configured": the worker starts before the Discord adapter is built).
  discordLine.setMode('pass');
  const second = startBot(config);
  bots.push(second);
  await discord.waitForMessage(alerts, (m) => /battery/i.test(JSON.stringify(m)), 90_000);
  await waitFor(() => outbox()[0]?.status === 'sent', { what: 'the row marked sent' });
  assert.equal(discord.messagesIn(alerts).filter((m) => /battery/i.test(JSON.stringify(m))).length, 1, 'delivered once');
  second.child.kill('SIGTERM');
  assert.equal(await second.exited, 0, second.out.slice(-2000));
});
