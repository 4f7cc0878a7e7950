/**
 * Discord's line cut or hung after start, with the fake Discord's REST and gateway both behind
 * a cut/hang proxy (the fake advertises the proxy in GET /gateway/bot, as Discord advertises
 * wss://gateway.discord.gg). Cut: sockets destroyed. Hung: connections accepted and nothing
 * answered, so heartbeats go unacknowledged. The adapter reports it, Telegram keeps delivering,
 * the alert queued meanwhile reaches Discord once, and a gateway that stays down is rebuilt.
 */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { pino } from 'pino';
import { DiscordAdapter } from '../../src/bot/discord/adapter.ts';
import { AdapterLink } from '../../src/bot/link.ts';
import { systemClock } from '../../src/core/clock.ts';
import { DEMO_UPS_STATES, startFakeUpsd } from '../../src/demo/nut.ts';
import type { Pipeline } from '../../src/handlers/pipeline.ts';
import { CommandRegistry } from '../../src/handlers/registry.ts';
import { startFakeDiscord, type FakeDiscord } from '../fakes/discord.ts';
import { startFakeTelegram } from '../fakes/telegram-api.ts';
import { startTestApp } from '../support/app-harness.ts';
import { startCutProxy, type LineMode } from '../support/cut-proxy.ts';
import { waitFor } from '../support/real-server.ts';

const DC_TOKEN = 'fake-discord-token-0123456789abcdef';
const TG_TOKEN = '123456:TEST-TOKEN-abcdefghijklmnopqrstuv';
const OWNER_ID = 1000;

const onBattery = (text: string): boolean => /battery/i.test(text);
const batteryPosts = (fake: FakeDiscord, channel: string) => fake.messagesIn(channel).filter((m) => onBattery(JSON.stringify(m)));

/** The whole bot with Telegram direct and Discord (REST and gateway) behind a proxy the test cuts or hangs. */
async function outageApp(t: { after(f: () => unknown): void }) {
  const ups = await startFakeUpsd();
  const tg = await startFakeTelegram({ token: TG_TOKEN, maxHoldMs: 300 });
  const discord = await startFakeDiscord({ token: DC_TOKEN, heartbeatIntervalMs: 1000 });
  const line = await startCutProxy(discord.url);
  discord.gateway.advertise(line.url);
  const alerts = discord.channelId('alerts');
  const h = await startTestApp(
    {
      telegram: { token: TG_TOKEN, apiRoot: tg.apiRoot, ownerIds: [OWNER_ID] },
      discord: { token: DC_TOKEN, apiRoot: `${line.url}/api`, guildId: discord.guildId },
      nut: { host: ups.host, port: ups.port, ups: 'ups', pollSeconds: 0.2 },
      alerts: { debounceSeconds: 0, bindings: [{ chat: `telegram:${OWNER_ID}` }, { chat: `discord:${alerts}` }] },
    },
    { clock: systemClock },
  );
  t.after(async () => {
    await h.close();
    await line.close();
    await discord.close();
    await tg.close();
    await ups.close();
  });
  const healthz = async (): Promise<{ state: string; reason?: string }> => {
    const body = (await (await fetch(`http://127.0.0.1:${h.app.healthPort}/healthz`)).json()) as {
      adapters: Record<string, { state: string; reason?: string }>;
    };
    return body.adapters.discord!;
  };
  await waitFor(async () => (await healthz()).state === 'connected', { what: 'Discord connected through the proxy', timeoutMs: 15_000 });
  assert.ok(
    discord.gateway.log.some((e) => e.kind === 'connect'),
    'the gateway socket went through the proxy (the fake advertised it)',
  );
  // The poller has recorded the starting state (on mains) before the power goes.
  await waitFor(async () => /on mains/.test((await h.say(`telegram:${OWNER_ID}`, '/status')).texts.join('\n')), {
    what: 'UPS on mains',
  });
  return { ups, tg, discord, line, alerts, healthz };
}

for (const mode of ['cut', 'hang'] as const satisfies readonly LineMode[]) {
  test(`Discord line ${mode === 'cut' ? 'cut' : 'hung'}: reconnecting, Telegram still delivers, and the queued alert reaches Discord once when the line returns`, async (t) => {
    const { ups, tg, discord, line, alerts, healthz } = await outageApp(t);

    line.setMode(mode);
    // Cut: the gateway socket is destroyed at once. Hung: the next heartbeat goes unacknowledged.
    const down = await waitFor(
      async () => {
        const s = await healthz();
        return s.state === 'reconnecting' ? s : undefined;
      },
      { what: 'Discord reported reconnecting', timeoutMs: 8000 },
    );
    assert.match(down.reason ?? '', mode === 'cut' ? /gateway|reconnecting/ : /heartbeats/);

    ups.set('ups', DEMO_UPS_STATES.powerCut);
    await tg.waitForMessage(OWNER_ID, (m) => onBattery(m.text ?? ''), 15_000);
    assert.equal(batteryPosts(discord, alerts).length, 0, 'nothing reached Discord while its line is down');

    line.setMode('pass');
    await discord.waitForMessage(alerts, (m) => onBattery(JSON.stringify(m)), 45_000);
    await waitFor(async () => (await healthz()).state === 'connected', { what: 'Discord connected again', timeoutMs: 45_000 });
    // The power returns: its message comes after the battery one, so any duplicate would be in by now.
    ups.set('ups', DEMO_UPS_STATES.mains);
    await discord.waitForMessage(alerts, (m) => /power is back/i.test(JSON.stringify(m)), 15_000);
    assert.equal(batteryPosts(discord, alerts).length, 1, 'the queued alert was delivered once');
    assert.equal(tg.messagesTo(OWNER_ID).filter((m) => onBattery(m.text ?? '')).length, 1);
  });
}

/** A pipeline that does nothing: this test is about the connection, not commands. */
const idle = { handle: async () => undefined } as unknown as Pipeline;

test('a hung gateway (heartbeats unacknowledged): reported within two heartbeats, rebuilt with a fresh session after the threshold', async (t) => {
  const discord = await startFakeDiscord({ token: DC_TOKEN, heartbeatIntervalMs: 1000 });
  const line = await startCutProxy(discord.url);
  discord.gateway.advertise(line.url);
  const lines: string[] = [];
  const logStream = new PassThrough();
  logStream.on('data', (b: Buffer) => lines.push(...b.toString().split('\n').filter(Boolean)));
  const log = pino({ level: 'info' }, logStream);
  const uncaught: string[] = [];
  const onUncaught = (e: Error): void => void uncaught.push(String(e));
  process.on('uncaughtException', onUncaught);
  t.after(() => void process.off('uncaughtException', onUncaught));
  // The 60 s threshold injected small; REST goes direct, so only the gateway is hung.
  const adapter = new DiscordAdapter(
    { token: DC_TOKEN, apiRoot: discord.api, guildId: discord.guildId, describe: (k) => k, gatewayLostAfterMs: 1500 },
    idle,
    new CommandRegistry(),
    log,
  );
  const link = new AdapterLink(adapter, log);
  t.after(async () => {
    await link.stop();
    await line.close();
    await discord.close();
  });
  link.connect();
  await link.first;
  await waitFor(() => link.facts().state.kind === 'connected', { what: 'connected' });
  const firstSession = [...discord.gateway.log].find((e) => e.kind === 'dispatch' && e.detail.t === 'READY');
  assert.ok(firstSession);

  const restMark = discord.mark();
  line.setMode('hang');
  const hungAt = Date.now();
  await waitFor(() => link.facts().state.kind === 'reconnecting', { what: 'the unacknowledged heartbeat noticed', timeoutMs: 5000 });
  const noticed = Date.now() - hungAt;
  // Two heartbeat intervals at most (the one sent into the void, the next finds it unanswered), not ws's 30 s close wait.
  assert.ok(noticed < 3500, `noticed ${noticed} ms after the line hung`);
  const state = link.facts().state;
  assert.ok(state.kind === 'reconnecting' && /heartbeats/.test(state.reason), JSON.stringify(state));

  // The rebuilt client logs in again: its first step is REST (direct), GET /gateway/bot.
  await discord.waitForCall('GET /gateway/bot', () => true, 5000, restMark);
  const since = discord.gateway.mark();
  // Hung sockets stay hung after the line returns (a black-holed route): cutting clears them.
  line.setMode('cut');
  line.setMode('pass');
  const identify = await discord.gateway.waitFor('identify', () => true, 30_000, since);
  assert.ok(identify, 'the rebuilt client started a fresh session (IDENTIFY, not RESUME)');
  await waitFor(() => link.facts().state.kind === 'connected', { what: 'connected again', timeoutMs: 30_000 });
  await waitFor(() => discord.gateway.connected === 1, { what: 'one live session' });
  // Three heartbeats of the live session: a replaced client still dialling (it would every 500 ms) shows up meanwhile.
  const quiet = discord.gateway.mark();
  await waitFor(() => discord.gateway.log.filter((e) => e.seq >= quiet && e.kind === 'heartbeat').length >= 3, {
    what: 'three heartbeats',
  });
  const ghosts = discord.gateway.log.filter((e) => e.seq >= quiet && e.kind === 'connect');
  assert.equal(ghosts.length, 0, `no replaced client reconnects: ${JSON.stringify(ghosts)}`);
  assert.equal(discord.gateway.connected, 1, 'exactly one live session: the replaced clients are gone');
  assert.equal(lines.filter((l) => l.includes('chat platform not answering')).length, 1, 'one warn line for the outage');

  // The replaced clients' sockets, some still handshaking on the hung line, are reset now: their
  // late errors must not be uncaught exceptions (they would kill the bot).
  await line.close();
  await waitFor(() => discord.gateway.connected === 0, { what: 'the live session dropped with the line' });
  await new Promise<void>((resolve) => setImmediate(resolve));
  assert.deepEqual(uncaught, [], 'no uncaught exception from a destroyed client');
});
