/**
 * discord.js caches stay bounded (issue 18): many people running commands and alerts posted to a
 * channel do not grow the client's memory — users are capped, messages are never kept — while
 * what the bot needs stays cached: the guild, its channels and the bot's own member.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Client } from 'discord.js';
import type { DiscordAdapter } from '../../src/bot/discord/adapter.ts';
import { DISCORD_USER_CACHE } from '../../src/bot/discord/cache.ts';
import type { FakeDiscord } from '../fakes/discord.ts';
import type { TestApp } from '../support/app-harness.ts';
import { OWNER, startDiscordApp } from './discord-support.ts';

let fake: FakeDiscord;
let h: TestApp;
let client: Client;

before(async () => {
  ({ fake, h } = await startDiscordApp());
  const discord = h.app.adapters.find((a) => a.platform === 'discord') as DiscordAdapter;
  client = (discord as unknown as { client: Client }).client;
});

after(async () => {
  await h?.close();
  await fake?.close();
});

describe('Discord client caches', () => {
  test('users beyond the cap are not kept; messages are never cached; guild and channels stay', async () => {
    const people = DISCORD_USER_CACHE + 20;
    // Every interaction carries a user object discord.js caches; each person gets their answer.
    for (let i = 0; i < people; i++) {
      const user = { id: String(400000000000000000n + BigInt(i)), username: `member${i}` };
      h.app.permissions.people.enroll(`discord:${user.id}`, user.username, 'family');
      await fake.slashCommand('whoami', { user }).waitForAnswer();
    }
    await fake.slashCommand('status', { user: OWNER }).waitForAnswer();

    assert.ok(client.users.cache.size <= DISCORD_USER_CACHE + 1, `users cached: ${client.users.cache.size}`);
    assert.ok(client.users.cache.has(client.user!.id), 'the bot itself stays cached');
    const guild = client.guilds.cache.get(fake.guildId);
    assert.ok(guild, 'the guild stays cached');
    assert.ok(guild.channels.cache.size > 0, 'its channels stay cached');
    assert.ok(guild.members.cache.size <= 1, `members cached: ${guild.members.cache.size}`);
    for (const channel of guild.channels.cache.values()) {
      if ('messages' in channel) assert.equal(channel.messages.cache.size, 0, `messages cached in #${channel.name}`);
    }
  });
});
