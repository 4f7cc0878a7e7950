/**
 * The fake Discord, driven by a real discord.js Client over HTTP and WebSocket: login through
 * GET /gateway/bot and the gateway handshake, command registration, slash commands, deferred
 * and ephemeral replies, buttons, autocomplete, Discord's validation and permission errors,
 * a 429 waited out and a dropped gateway connection resumed.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  Client,
  DiscordAPIError,
  Events,
  GatewayIntentBits,
  MessageFlags,
  type Interaction,
  type TextChannel,
} from 'discord.js';
import { WebSocket } from 'ws';
import { startCutProxy } from '../support/cut-proxy.ts';
import { waitFor } from '../support/real-server.ts';
import { startFakeDiscord, type FakeDiscord } from './discord.ts';

/** A tiny bot: the interaction shapes our adapter uses. */
function onInteraction(i: Interaction): Promise<unknown> | undefined {
  if (i.isAutocomplete()) {
    const typed = String(i.options.getFocused());
    return i.respond(['nas', 'docker', 'nextcloud'].filter((g) => g.startsWith(typed)).map((g) => ({ name: g, value: g })));
  }
  if (i.isButton()) return i.update({ content: `pressed ${i.customId}`, components: [] });
  if (!i.isChatInputCommand()) return undefined;
  switch (i.commandName) {
    case 'ping':
      return i.reply(`pong ${i.options.getInteger('count') ?? 0} ${i.options.getString('guest') ?? '-'}`);
    case 'slow':
      return i.deferReply().then(() => i.editReply({ embeds: [{ title: 'Status', description: 'all good', color: 0x2ecc71 }] }));
    case 'twice':
      return i.reply('one');
    case 'secret':
      return i.reply({ content: 'password: hunter2', flags: MessageFlags.Ephemeral });
    default:
      return i.reply(`unknown ${i.commandName}`);
  }
}

async function connect(fake: FakeDiscord, errors: unknown[] = []): Promise<Client> {
  const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: fake.api } });
  client.on(Events.InteractionCreate, (i) => {
    void onInteraction(i)?.catch((e: unknown) => errors.push(e));
  });
  const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
  await client.login(fake.token);
  await ready;
  return client;
}

const COMMANDS = [
  {
    name: 'ping',
    description: 'Ping',
    options: [
      { type: 4, name: 'count', description: 'How many', required: true, min_value: 1 },
      { type: 3, name: 'guest', description: 'Guest', autocomplete: true },
    ],
  },
  { name: 'slow', description: 'Deferred' },
  { name: 'secret', description: 'Ephemeral' },
  { name: 'twice', description: 'Double ack' },
];

describe('fake Discord with a real discord.js client', () => {
  let fake: FakeDiscord;
  let client: Client;
  const errors: unknown[] = [];
  before(async () => {
    fake = await startFakeDiscord({ heartbeatIntervalMs: 250 });
    client = await connect(fake, errors);
  });
  after(async () => {
    await client.destroy();
    await fake.close();
    assert.deepEqual(errors, [], 'interaction handlers raised no errors');
  });

  test('logs in through /gateway/bot, IDENTIFY, READY and GUILD_CREATE', async () => {
    assert.equal(fake.calls[0]?.route, 'GET /gateway/bot');
    assert.equal(fake.calls[0]?.auth, `Bot ${fake.token}`);
    assert.equal(fake.gateway.log.filter((e) => e.kind === 'identify').length, 1);
    const guild = client.guilds.cache.get(fake.guildId);
    assert.ok(guild, 'guild cached from GUILD_CREATE');
    assert.ok(guild.channels.cache.has(fake.channelId('alerts')));
    assert.equal(client.user?.id, fake.bot.id);
  });

  test('heartbeats are acknowledged without reconnecting', async () => {
    const since = fake.gateway.mark();
    await fake.gateway.waitFor('heartbeat', () => true, 3000, since);
    await fake.gateway.waitFor('heartbeat', () => true, 3000, since + 1);
    assert.equal(fake.gateway.log.filter((e) => e.seq >= since && e.kind === 'connect').length, 0);
  });

  test('guild commands are registered with ids and re-registering creates no duplicates', async () => {
    await client.application?.commands.set(COMMANDS, fake.guildId);
    const first = fake.commands().map((c) => `${String(c.name)}=${String(c.id)}`);
    await client.application?.commands.set(COMMANDS, fake.guildId);
    assert.deepEqual(
      fake.commands().map((c) => `${String(c.name)}=${String(c.id)}`),
      first,
    );
    assert.equal(fake.commands().length, 4);
    assert.equal(fake.commandWrites(), 2);
    await assert.rejects(
      client.application!.commands.set([...COMMANDS, { name: 'ping', description: 'again' }], fake.guildId),
      (e: unknown) => e instanceof DiscordAPIError && e.code === 50035,
    );
  });

  test('a slash command with options gets a reply', async () => {
    const h = fake.slashCommand('ping', { options: { count: 3, guest: 'nas' } });
    const reply = await h.waitForReply();
    assert.equal(reply.content, 'pong 3 nas');
    assert.equal((await h.waitForCallback()).type, 4);
    assert.equal(reply.type, 20);
    const cb = await fake.waitForCall('POST /interactions/:interaction/:token/callback', (c) => c.params.interaction === h.id);
    assert.equal(cb.auth, undefined, 'interaction callbacks carry no Authorization');
    assert.equal(cb.status, 204);
  });

  test('a deferred reply is edited with an embed', async () => {
    const h = fake.slashCommand('slow');
    assert.equal((await h.waitForCallback()).type, 5);
    const reply = await h.waitForReply((m) => m.embeds.length > 0);
    assert.equal(reply.embeds[0]?.title, 'Status');
    assert.ok(fake.calls.some((c) => c.route === 'PATCH /webhooks/:webhook/:token/messages/:message' && c.params.message === '@original'));
  });

  test('an ephemeral reply is flagged and not visible in the channel', async () => {
    const h = fake.slashCommand('secret', { channelId: fake.channelId('general') });
    const reply = await h.waitForReply();
    assert.equal(reply.flags & 64, 64);
    assert.ok(!fake.messagesIn(fake.channelId('general')).some((m) => m.id === reply.id));
  });

  test('a second acknowledgement is refused with 40060', async () => {
    const h = fake.slashCommand('twice');
    await h.waitForReply();
    const res = await fetch(`${fake.api}/v10/interactions/${h.id}/${h.token}/callback`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 4, data: { content: 'two' } }),
    });
    assert.equal(res.status, 400);
    assert.deepEqual(await res.json(), { message: 'Interaction has already been acknowledged.', code: 40060 });
  });

  test('autocomplete returns choices', async () => {
    const h = fake.autocomplete('ping', { options: { count: 1, guest: 'n' }, focused: 'guest' });
    assert.deepEqual(await h.waitForChoices(), [
      { name: 'nas', value: 'nas' },
      { name: 'nextcloud', value: 'nextcloud' },
    ]);
  });

  test('a button press updates the message in place', async () => {
    const channel = client.channels.cache.get(fake.channelId('general')) as TextChannel;
    const row = new ActionRowBuilder<ButtonBuilder>().addComponents(
      new ButtonBuilder().setCustomId('tok:abc').setLabel('Go').setStyle(ButtonStyle.Primary),
    );
    const sent = await channel.send({ content: 'confirm?', components: [row] });
    const h = fake.pressButton('tok:abc', { messageId: sent.id });
    assert.equal((await h.waitForCallback()).type, 7);
    const m = fake.message(sent.id);
    assert.equal(m?.content, 'pressed tok:abc');
    assert.deepEqual(m?.components, []);
  });

  test('channel messages are validated and files uploaded as multipart', async () => {
    const channel = client.channels.cache.get(fake.channelId('alerts')) as TextChannel;
    await assert.rejects(
      channel.send('x'.repeat(2001)),
      (e: unknown) => e instanceof DiscordAPIError && e.code === 50035 && /2000/.test(JSON.stringify(e.rawError)),
    );
    await assert.rejects(
      channel.send({ embeds: [{ title: 't', fields: [{ name: 'n', value: 'v'.repeat(1025) }] }] }),
      (e: unknown) => e instanceof DiscordAPIError && e.code === 50035,
    );
    const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
    const sent = await channel.send({ content: 'qr', files: [{ attachment: png, name: 'qr.png' }] });
    const att = fake.message(sent.id)?.attachments[0];
    assert.equal(att?.filename, 'qr.png');
    assert.deepEqual(fake.attachmentBytes(att?.id ?? ''), png);
  });

  test('every answer carries rate-limit headers', async () => {
    const res = await fetch(`${fake.api}/v10/users/@me`, { headers: { authorization: `Bot ${fake.token}` } });
    for (const h of ['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset', 'x-ratelimit-reset-after', 'x-ratelimit-bucket']) {
      assert.ok(res.headers.get(h), h);
    }
    const denied = await fetch(`${fake.api}/v10/users/@me`, { headers: { authorization: 'Bot wrong' } });
    assert.equal(denied.status, 401);
  });

  test('a missing channel permission gives 403 Missing Permissions', async () => {
    const id = fake.channelId('alerts');
    fake.denyPermissions(id, ['EmbedLinks']);
    const channel = client.channels.cache.get(id) as TextChannel;
    await waitFor(() => channel.permissionsFor(client.user!)?.has('EmbedLinks') === false, { what: 'CHANNEL_UPDATE in the cache' });
    await assert.rejects(channel.send({ embeds: [{ title: 'x' }] }), (e: unknown) => e instanceof DiscordAPIError && e.code === 50013);
    await channel.send('plain text still works');
    fake.denyPermissions(id, ['SendMessages']);
    await assert.rejects(channel.send('no'), (e: unknown) => e instanceof DiscordAPIError && e.code === 50013 && e.status === 403);
    fake.denyPermissions(id, []);
  });

  test('a 429 is waited out by discord.js', async () => {
    const channel = client.channels.cache.get(fake.channelId('general')) as TextChannel;
    fake.failNext('POST /channels/:channel/messages', { status: 429, retryAfter: 0.4 });
    const since = fake.mark();
    const t0 = performance.now();
    const sent = await channel.send('after the wait');
    assert.ok(performance.now() - t0 >= 390, 'waited at least retry_after');
    assert.equal(sent.content, 'after the wait');
    const statuses = fake.calls.filter((c) => c.seq >= since && c.route === 'POST /channels/:channel/messages').map((c) => c.status);
    assert.deepEqual(statuses, [429, 200]);
    const limited = fake.calls.find((c) => c.seq >= since && c.status === 429);
    assert.deepEqual(limited?.response, { message: 'You are being rate limited.', retry_after: 0.4, global: false });
  });

  test('a dropped connection is resumed and missed events are replayed', async () => {
    const since = fake.gateway.mark();
    assert.equal(fake.gateway.dropConnection(), 1);
    // Dispatched while the socket is down: kept in the session and replayed on RESUME.
    const h = fake.slashCommand('ping', { options: { count: 7 } });
    const resume = await fake.gateway.waitFor('resume', () => true, 5000, since);
    assert.equal(resume.detail.known, true);
    assert.equal((await h.waitForReply()).content, 'pong 7 -');
    assert.equal(fake.gateway.log.filter((e) => e.seq >= since && e.kind === 'identify').length, 0, 'resumed, not re-identified');
  });

  test('an unanswered heartbeat makes the client resume (zombie connection)', async () => {
    const since = fake.gateway.mark();
    fake.gateway.setHeartbeatAck(false);
    try {
      await fake.gateway.waitFor('resume', () => true, 5000, since);
    } finally {
      fake.gateway.setHeartbeatAck(true);
    }
    const h = fake.slashCommand('ping', { options: { count: 1 } });
    assert.equal((await h.waitForReply()).content, 'pong 1 -');
  });
});

describe('fake Discord edge cases', () => {
  test('the gateway is strict: another API version is closed with 4012, IDENTIFY without intents with 4013', async () => {
    const fake = await startFakeDiscord({ token: 'right' });
    const closeCode = (query: string, send?: unknown): Promise<number> =>
      new Promise((resolve, reject) => {
        const ws = new WebSocket(`${fake.gatewayUrl}/?${query}`);
        ws.on('error', reject);
        ws.on('message', (raw) => {
          const op = (JSON.parse(String(raw)) as { op: number }).op;
          if (op === 10 && send) ws.send(JSON.stringify(send));
        });
        ws.on('close', (code) => resolve(code));
      });
    try {
      assert.equal(await closeCode('v=9&encoding=json'), 4012);
      assert.equal(await closeCode('v=10&encoding=json', { op: 2, d: { token: 'right', properties: {} } }), 4013);
    } finally {
      await fake.close();
    }
  });

  test('the gateway can be advertised through a proxy, which then carries the socket', async () => {
    const fake = await startFakeDiscord();
    const line = await startCutProxy(fake.url);
    fake.gateway.advertise(line.url);
    const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: fake.api } });
    try {
      const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
      await client.login(fake.token);
      await ready;
      const gateway = fake.calls.find((c) => c.route === 'GET /gateway/bot');
      assert.equal((gateway?.response as { url?: string }).url, line.url.replace('http', 'ws'));
      const since = fake.gateway.mark();
      line.setCut(true);
      await fake.gateway.waitFor('close', () => true, 5000, since);
      assert.equal(fake.gateway.connected, 0, 'cutting the proxy drops the gateway socket');
      line.setCut(false);
      await fake.gateway.waitFor('resume', () => true, 10_000, since);
    } finally {
      await client.destroy();
      await line.close();
      await fake.close();
    }
  });

  test('a wrong token fails login with TokenInvalid', async () => {
    const fake = await startFakeDiscord({ token: 'right' });
    const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: fake.api } });
    try {
      await assert.rejects(client.login('wrong'), (e: unknown) => (e as { code?: string }).code === 'TokenInvalid');
    } finally {
      await client.destroy();
      await fake.close();
    }
  });

  test('a reply after the 3-second deadline is refused with Unknown interaction', async () => {
    const fake = await startFakeDiscord({ interactionDeadlineMs: 100 });
    try {
      const h = fake.slashCommand('late');
      // Simulates a bot that forgot to defer: time passing is the point here, not a synchronisation.
      await new Promise((r) => setTimeout(r, 150));
      const res = await fetch(`${fake.api}/v10/interactions/${h.id}/${h.token}/callback`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ type: 4, data: { content: 'too late' } }),
      });
      assert.equal(res.status, 404);
      assert.deepEqual(await res.json(), { message: 'Unknown interaction', code: 10062 });
    } finally {
      await fake.close();
    }
  });
});
