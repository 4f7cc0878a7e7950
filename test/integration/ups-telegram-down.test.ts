/**
 * The moment the bot exists for: a power cut while Telegram is unreachable from the start (the
 * router is back, the WAN is not). A real upsd + dummy-ups goes on battery; the alert reaches
 * Discord (fake gateway and REST) and the console at once, and Telegram gets it once its line
 * returns. The Telegram line is cut at the TCP level, not answered with 5xx.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { startApp } from '../../src/app.ts';
import { validateConfig } from '../../src/core/config.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { startFakeDiscord } from '../fakes/discord.ts';
import { startFakeTelegram } from '../fakes/telegram-api.ts';
import { startCutProxy } from '../support/cut-proxy.ts';
import { requireBinary, waitFor } from '../support/real-server.ts';
import { DUMMY_UPS_BIN, NUT_PACKAGES, startRealUpsd, UPSD_BIN } from '../support/upsd.ts';

const TG_TOKEN = '123456:TEST-TOKEN-abcdefghijklmnopqrstuv';
const DC_TOKEN = 'fake-discord-token-0123456789abcdef';
const OL = { 'ups.status': 'OL CHRG', 'battery.charge': '100', 'battery.runtime': '3300', 'ups.load': '18', 'input.voltage': '230.1' };
const OB = { ...OL, 'ups.status': 'OB DISCHRG', 'battery.charge': '91', 'battery.runtime': '2900', 'input.voltage': '0' };

test('Telegram down at start: a UPS on battery (real upsd) reaches Discord and the console, then Telegram when it returns', async (t) => {
  if (!requireBinary(t, UPSD_BIN, NUT_PACKAGES) || !requireBinary(t, DUMMY_UPS_BIN, NUT_PACKAGES)) return;
  const upsd = await startRealUpsd(OL);
  const tg = await startFakeTelegram({ token: TG_TOKEN, maxHoldMs: 300 });
  const line = await startCutProxy(tg.apiRoot, true);
  const discord = await startFakeDiscord({ token: DC_TOKEN });
  const dir = mkdtempSync(join(tmpdir(), 'homelab-ups-outage-'));
  let stopApp = async (): Promise<void> => undefined;
  t.after(async () => {
    await stopApp();
    await line.close();
    await tg.close();
    await discord.close();
    await upsd.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const alertsChannel = discord.channelId('alerts');
  const parsed = validateConfig({
    database: join(dir, 'bot.db'),
    health: { port: 0 },
    console: true,
    permissions: { owners: ['telegram:1000'] },
    telegram: { token: TG_TOKEN, apiRoot: line.url },
    discord: { token: DC_TOKEN, apiRoot: discord.api, guildId: discord.guildId },
    nut: { host: upsd.host, port: upsd.port, ups: upsd.ups, pollSeconds: 0.2 },
    alerts: {
      debounceSeconds: 0,
      bindings: [{ chat: 'telegram:1000' }, { chat: `discord:${alertsChannel}` }, { chat: 'console:main' }],
    },
  });
  assert.ok(parsed.ok, JSON.stringify(!parsed.ok && parsed.problems));
  let printed = '';
  const output = new PassThrough();
  const input = new PassThrough();
  output.on('data', (b: Buffer) => (printed += b.toString()));
  const app = await startApp({
    config: { ...parsed.config, health: { ...parsed.config.health, host: '127.0.0.1', port: 0 } },
    log: silentLogger(),
    console: { input, output },
  });
  stopApp = () => app.stop();
  const telegram = app.adapters.find((a) => a.platform === 'telegram')!;
  await waitFor(() => app.adapters.find((a) => a.platform === 'discord')?.health().connected, { what: 'Discord connected' });
  assert.equal(telegram.health().connected, false, 'Telegram is unreachable');
  // The poller has recorded the starting state (on mains, nothing raised) before the power goes.
  input.write('/status\n');
  await waitFor(() => /on mains/.test(printed), { what: '/status on the console shows the UPS on mains', timeoutMs: 15_000 });
  printed = '';

  const t0 = Date.now();
  upsd.writeDev(OB);
  const inDiscord = await discord.waitForMessage(alertsChannel, (m) => /battery/i.test(JSON.stringify(m)), 20_000);
  assert.ok(inDiscord, 'the on-battery alert reached Discord');
  await waitFor(() => /battery/i.test(printed), { what: 'the console shows the alert', timeoutMs: 10_000 });
  const took = Date.now() - t0;
  assert.ok(took < 15_000, `Discord and console had it ${took} ms after the power went`);
  assert.equal(tg.messagesTo(1000).length, 0, 'nothing reached Telegram yet');

  line.setMode('pass');
  await tg.waitForMessage(1000, (m) => /battery/i.test(m.text ?? ''), 20_000);
});
