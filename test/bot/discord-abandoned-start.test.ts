/**
 * A Discord login the link supervisor abandons (its attempt timed out on a hung gateway line)
 * must let go at once: the start() settles, and the client's half-open gateway socket is closed.
 * Otherwise every failed attempt of a long Discord outage leaves one more pending start and
 * one more hung socket behind.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DiscordAdapter } from '../../src/bot/discord/adapter.ts';
import { silentLogger } from '../../src/core/logger.ts';
import type { Pipeline } from '../../src/handlers/pipeline.ts';
import { CommandRegistry } from '../../src/handlers/registry.ts';
import { startFakeDiscord } from '../fakes/discord.ts';
import { startCutProxy } from '../support/cut-proxy.ts';
import { waitFor } from '../support/real-server.ts';

const DC_TOKEN = 'fake-discord-token-0123456789abcdef';
const idle = { handle: async () => undefined } as unknown as Pipeline;

test('abandoned starts on a hung gateway: each settles and releases its socket; none accumulate', async (t) => {
  const discord = await startFakeDiscord({ token: DC_TOKEN, heartbeatIntervalMs: 1000 });
  const line = await startCutProxy(discord.url);
  discord.gateway.advertise(line.url);
  line.setMode('hang'); // REST answers (direct); the gateway connection is accepted and never answered
  const adapter = new DiscordAdapter(
    { token: DC_TOKEN, apiRoot: discord.api, guildId: discord.guildId, describe: (k) => k },
    idle,
    new CommandRegistry(),
    silentLogger(),
  );
  t.after(async () => {
    await adapter.stop();
    await line.close();
    await discord.close();
  });

  const outcomes: string[] = [];
  for (let i = 1; i <= 4; i++) {
    const attempt = new AbortController();
    const started = adapter.start(attempt.signal).then(
      () => 'connected',
      (e: unknown) => `failed: ${(e as Error).message}`,
    );
    await waitFor(() => line.hung === i && line.open === 1, { what: `attempt ${i} dialled the hung gateway` });
    attempt.abort(new Error('no answer in 20 s')); // what the link does when an attempt times out
    outcomes.push(
      await Promise.race([started, new Promise<string>((r) => setTimeout(r, 3000, 'still pending 3 s after the abort').unref())]),
    );
    await waitFor(() => line.open === 0, { what: `attempt ${i} let go of its gateway socket`, timeoutMs: 3000 });
  }
  assert.deepEqual(outcomes, Array(4).fill('failed: no answer in 20 s'));

  // The line returns: the next attempt connects with one gateway session, nothing left over.
  line.setMode('pass');
  await adapter.start(new AbortController().signal);
  assert.equal(adapter.health().connected, true);
  await waitFor(() => discord.gateway.connected === 1, { what: 'one live session' });
  assert.equal(line.open, 2, 'one piped connection (both sides), no hung ones left');
});
