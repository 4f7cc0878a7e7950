/**
 * Discord never delays Telegram's first poll (issue 18): discord.js is loaded and logs in only
 * once Telegram polls, so a Telegram + Discord bot starts answering Telegram as soon as a
 * Telegram-only one would.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startApp } from '../../src/app.ts';
import { validateConfig } from '../../src/core/config.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { startFakeDiscord } from '../fakes/discord.ts';
import { startFakeTelegram } from '../fakes/telegram-api.ts';

const TOKEN = '123456:TEST-TOKEN-abcdefghijklmnopqrstuv';
const DISCORD_TOKEN = 'fake-discord-token-0123456789abcdef';

test("Telegram's first getUpdates is sent before Discord is asked anything", async (t) => {
  const telegram = await startFakeTelegram({ token: TOKEN });
  const discord = await startFakeDiscord({ token: DISCORD_TOKEN, heartbeatIntervalMs: 1000 });
  const dir = mkdtempSync(join(tmpdir(), 'homelab-startup-order-'));
  t.after(async () => {
    await telegram.close();
    await discord.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const parsed = validateConfig({
    database: join(dir, 'bot.db'),
    health: { port: 0 },
    permissions: { owners: ['telegram:1000'] },
    telegram: { token: TOKEN, apiRoot: telegram.apiRoot },
    discord: { token: DISCORD_TOKEN, apiRoot: discord.api, guildId: discord.guildId },
  });
  assert.ok(parsed.ok);
  const app = await startApp({ config: parsed.config, log: silentLogger() });
  t.after(() => app.stop());

  const firstPoll = await telegram.waitForCall('getUpdates', () => true, 10_000);
  assert.ok(discord.calls.length > 0, 'Discord connected during start-up');
  const firstDiscordCall = Math.min(...discord.calls.map((c) => c.at));
  assert.ok(
    firstPoll.at < firstDiscordCall,
    `first getUpdates at ${firstPoll.at.toFixed(0)} ms, first Discord request at ${firstDiscordCall.toFixed(0)} ms`,
  );
});
