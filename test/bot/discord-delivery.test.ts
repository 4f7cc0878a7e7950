/**
 * Discord delivery and resilience end to end: alerts posted to a channel and edited in place,
 * nonce de-duplication of retries, missing channel permissions (clear log line, /status
 * warning, plain-text fallback), a 429 waited out, a dropped gateway connection resumed,
 * /healthz, private messages to a person, and a restart that registers nothing twice.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import type { Client } from 'discord.js';
import type { DiscordAdapter } from '../../src/bot/discord/adapter.ts';
import { createLogger } from '../../src/core/logger.ts';
import type { OutMessage } from '../../src/core/outmessage.ts';
import { startFakeDiscord, type FakeDiscord } from '../fakes/discord.ts';
import type { TestApp } from '../support/app-harness.ts';
import { waitFor } from '../support/real-server.ts';
import { OWNER, OWNER_ID, startDiscordApp, TOKEN, visible } from './discord-support.ts';

let fake: FakeDiscord;
let h: TestApp;
let discord: DiscordAdapter;
let alerts: string;
const logLines: string[] = [];
const dir = mkdtempSync(join(tmpdir(), 'discord-delivery-'));

const upsAlert = (text: string): OutMessage => ({
  title: 'Power cut',
  severity: 'critical',
  blocks: [
    { kind: 'text', text },
    {
      kind: 'fields',
      fields: [
        { label: 'Battery', value: '87 %' },
        { label: 'Runtime', value: '41 min' },
      ],
    },
  ],
  footer: 'ups1',
});

before(async () => {
  fake = await startFakeDiscord({ token: TOKEN, heartbeatIntervalMs: 1000 });
  const destination = new PassThrough();
  destination.on('data', (d: Buffer) => logLines.push(...d.toString('utf8').split('\n').filter(Boolean)));
  ({ h } = await startDiscordApp({ fake, dir, log: createLogger({ level: 'info', destination }) }));
  discord = h.app.adapters.find((a) => a.platform === 'discord') as DiscordAdapter;
  alerts = fake.channelId('alerts');
});

after(async () => {
  await h?.close();
  await fake?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('Discord delivery', () => {
  test('an alert is posted with a severity colour and edited in place', async () => {
    const sent = await discord.deliver(alerts, upsAlert('The UPS is on battery.'));
    assert.ok(sent.ok, JSON.stringify(sent));
    const [m] = fake.messagesIn(alerts);
    assert.ok(m);
    assert.equal((m.embeds[0] as { color?: number }).color, 0xe74c3c);
    assert.match(visible(m), /Power cut[\s\S]*on battery[\s\S]*Battery[\s\S]*87 %/);
    const edited = await discord.deliver(alerts, upsAlert('Power is back.'), sent.ref);
    assert.ok(edited.ok);
    assert.equal(edited.ref, sent.ref);
    assert.equal(fake.messagesIn(alerts).length, 1, 'edited, not re-posted');
    assert.match(visible(fake.message(m.id)), /Power is back/);
    assert.ok(fake.message(m.id)?.edited_timestamp);
  });

  test('a retried delivery with the same dedup key does not post twice (nonce)', async () => {
    const before = fake.messagesIn(alerts).length;
    const a = await discord.deliver(alerts, upsAlert('disk sdb failing'), undefined, { dedupKey: 'raid:md0:degraded#1' });
    const b = await discord.deliver(alerts, upsAlert('disk sdb failing'), undefined, { dedupKey: 'raid:md0:degraded#1' });
    assert.ok(a.ok && b.ok);
    assert.equal(a.ref, b.ref);
    assert.equal(fake.messagesIn(alerts).length, before + 1);
  });

  test('an unknown channel is a permanent failure', async () => {
    const r = await discord.deliver('123456789012345678', upsAlert('x'));
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.permanent, true);
  });

  test('without Embed Links the alert falls back to plain text, with a warning', async () => {
    fake.denyPermissions(alerts, ['EmbedLinks']);
    try {
      await waitForPermissionCache(alerts, 'EmbedLinks', false);
      const r = await discord.deliver(alerts, upsAlert('plain please'));
      assert.ok(r.ok);
      const m = fake.messagesIn(alerts).at(-1)!;
      assert.deepEqual(m.embeds, []);
      assert.match(m.content, /\*\*🚨 Power cut\*\*[\s\S]*plain please[\s\S]*\*\*Battery\*\*: 87 %/);
      assert.match(discord.health().warnings.join(), /Embed Links/);
      const status = await fake.slashCommand('status', { user: OWNER }).waitForReply();
      assert.match(visible(status), /Discord.*alerts.*Embed Links/);
    } finally {
      fake.denyPermissions(alerts, []);
    }
    await waitForPermissionCache(alerts, 'EmbedLinks', true);
    assert.ok((await discord.deliver(alerts, upsAlert('embeds again'))).ok);
    assert.deepEqual(discord.health().warnings, []);
  });

  test('without Send Messages delivery fails retryably, logged once, until fixed', async () => {
    fake.denyPermissions(alerts, ['SendMessages']);
    try {
      await waitForPermissionCache(alerts, 'SendMessages', false);
      const r1 = await discord.deliver(alerts, upsAlert('blocked'));
      const r2 = await discord.deliver(alerts, upsAlert('blocked again'));
      assert.equal(r1.ok, false);
      assert.equal(!r1.ok && r1.permanent, undefined, 'the outbox retries it later');
      assert.match(!r2.ok ? r2.error : '', /Send Messages.*#alerts/);
      assert.equal(logLines.filter((l) => l.includes('missing permission \\"Send Messages\\" in #alerts')).length, 1);
    } finally {
      fake.denyPermissions(alerts, []);
    }
    await waitForPermissionCache(alerts, 'SendMessages', true);
    assert.ok((await discord.deliver(alerts, upsAlert('unblocked'))).ok);
    assert.ok(logLines.some((l) => l.includes('permission \\"Send Messages\\" in #alerts is back')));
  });

  test('a 429 from Discord is waited out', async () => {
    fake.failNext('POST /channels/:channel/messages', { status: 429, retryAfter: 0.3 });
    const since = fake.mark();
    const t0 = performance.now();
    assert.ok((await discord.deliver(alerts, upsAlert('after the rate limit'))).ok);
    assert.ok(performance.now() - t0 >= 290);
    const statuses = fake.calls.filter((c) => c.seq >= since && c.route === 'POST /channels/:channel/messages').map((c) => c.status);
    assert.deepEqual(statuses, [429, 200]);
  });

  test('a person is written to privately by their user id', async () => {
    await fake.slashCommand('whoami', { user: OWNER }).waitForAnswer();
    const r = await discord.deliver(OWNER_ID, { blocks: [{ kind: 'text', text: 'approve this?' }] });
    assert.ok(r.ok, JSON.stringify(r));
    const dm = [...fake.state.dms.values()].find((d) => d.recipients[0]?.id === OWNER_ID);
    assert.ok(dm);
    assert.match(visible(fake.messagesIn(dm.id)[0]), /approve this\?/);
  });
});

describe('Discord connection', () => {
  test('a dropped gateway connection is resumed and commands keep working', async () => {
    const since = fake.gateway.mark();
    assert.equal(fake.gateway.dropConnection(), 1);
    const i = fake.slashCommand('whoami', { user: OWNER });
    await fake.gateway.waitFor('resume', (e) => e.detail.known === true, 5000, since);
    assert.match(visible(await i.waitForAnswer()), /discord:300000000000000001/);
    assert.equal(fake.gateway.log.filter((e) => e.seq >= since && e.kind === 'identify').length, 0);
    await waitFor(() => discord.health().connected, { what: 'connected again' });
  });

  test('/healthz reports the Discord adapter', async () => {
    const res = await fetch(`http://127.0.0.1:${h.app.healthPort}/healthz`);
    const body = (await res.json()) as { ok: boolean; adapters: { discord: { state: string; lastOkSecondsAgo: number | null } } };
    assert.equal(res.status, 200);
    assert.equal(body.adapters.discord.state, 'connected');
    assert.notEqual(body.adapters.discord.lastOkSecondsAgo, null, 'Discord has answered an API call');
  });

  test('a restart with the same registry neither duplicates commands nor rewrites them', async () => {
    const writes = fake.commandWrites();
    const ids = fake
      .commands()
      .map((c) => `${String(c.name)}:${String(c.id)}`)
      .sort();
    const second = await startDiscordApp({ fake });
    try {
      assert.equal(fake.commandWrites(), writes, 'nothing rewritten');
      assert.deepEqual(
        fake
          .commands()
          .map((c) => `${String(c.name)}:${String(c.id)}`)
          .sort(),
        ids,
      );
    } finally {
      await second.h.close();
    }
  });
});

async function waitForPermissionCache(channelId: string, perm: 'EmbedLinks' | 'SendMessages', has: boolean): Promise<void> {
  // CHANNEL_UPDATE travels over the gateway; wait until the client's cache reflects it.
  const client = (discord as unknown as { client: Client }).client;
  await waitFor(
    () => {
      const ch = client.channels.cache.get(channelId);
      return ch && 'permissionsFor' in ch && ch.permissionsFor(client.user!)?.has(perm) === has;
    },
    { what: `${perm}=${has} in the client cache` },
  );
}
