/**
 * The Discord adapter end to end: the whole bot (composition root, pipeline, SQLite) with a
 * real discord.js client against the fake Discord on 127.0.0.1 — slash commands generated
 * from the registry, options, autocomplete, deferral, ephemeral replies, images, buttons with
 * confirmation, long replies, languages and strangers.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PNG } from 'pngjs';
import jsQRModule from 'jsqr';
import type { FakeDiscord } from '../fakes/discord.ts';
import type { TestApp } from '../support/app-harness.ts';
import { waitFor } from '../support/real-server.ts';
import { gate, OWNER, startDiscordApp, STRANGER, visible } from './discord-support.ts';

// jsqr is CommonJS with an `export default` typing: at runtime the default import is the function.
const jsQR = jsQRModule as unknown as typeof jsQRModule.default;

let fake: FakeDiscord;
let h: TestApp;
const slow = gate();

before(async () => {
  ({ fake, h } = await startDiscordApp({ slow }));
});

after(async () => {
  slow.open();
  await h?.close();
  await fake?.close();
  // Nothing the adapter sent during the whole suite was refused by the (strict) fake.
  assert.deepEqual(
    (fake?.calls ?? []).filter((c) => c.status >= 400).map((c) => `${c.route} → ${JSON.stringify(c.response)}`),
    [],
  );
});

type Option = {
  name: string;
  type: number;
  required?: boolean;
  autocomplete?: boolean;
  choices?: unknown[];
  min_value?: number;
  max_value?: number;
};

describe('Discord slash commands from the registry', () => {
  test('registers every listed command in the guild with typed options', () => {
    const cmds = fake.commands();
    const names = cmds.map((c) => c.name);
    for (const n of ['help', 'status', 'whoami', 'probe-args']) assert.ok(names.includes(n), `${n} registered`);
    const probe = cmds.find((c) => c.name === 'probe-args')!;
    const opts = probe.options as Option[];
    assert.deepEqual(
      opts.map((o) => [o.name, o.type, Boolean(o.required)]),
      [
        ['count', 4, true],
        ['guest', 3, true],
        ['mode', 3, false],
        ['for', 3, false],
      ],
    );
    assert.equal(opts[0]?.min_value, 1);
    assert.equal(opts[0]?.max_value, 10);
    assert.equal(opts[1]?.autocomplete, true);
    assert.deepEqual(opts[2]?.choices, [
      { name: 'fast', value: 'fast' },
      { name: 'slow', value: 'slow' },
    ]);
    assert.equal(opts[3]?.autocomplete, true, 'durations get suggestions');
    const help = cmds.find((c) => c.name === 'help')!;
    assert.ok((help.description_localizations as Record<string, string>)['es-ES'], 'Spanish description');
  });

  test('a slash command with options is deferred, then answered with an embed', async () => {
    const i = fake.slashCommand('probe-args', { user: OWNER, options: { count: 3, guest: 'nas', mode: 'fast', for: '2h' } });
    assert.equal((await i.waitForCallback()).type, 5);
    const reply = await i.waitForReply();
    assert.match(visible(reply), /count=3 guest=nas mode=fast for=7200000/);
    assert.equal((reply.embeds[0] as { color?: number }).color, 0x2ecc71);
  });

  test('bad option values get the usage reply, not a crash', async () => {
    const reply = await fake.slashCommand('probe-args', { user: OWNER, options: { count: 3, guest: 'nas', for: 'soon' } }).waitForReply();
    assert.match(visible(reply), /for/);
    assert.match(visible(reply), /probe-args/);
  });

  test('a slow command shows "thinking" first and the reply replaces it', async () => {
    const i = fake.slashCommand('probe-slow', { user: OWNER });
    const cb = await i.waitForCallback();
    assert.equal(cb.type, 5);
    slow.open();
    assert.equal(visible(await i.waitForReply()), 'slow done');
  });

  test('/help follows the user locale (Spanish)', async () => {
    const reply = await fake.slashCommand('help', { user: OWNER, locale: 'es-ES' }).waitForReply();
    assert.match(visible(reply), /Comandos/);
  });

  test('secret content is ephemeral and never visible in the channel', async () => {
    const i = fake.slashCommand('probe-secret', { user: OWNER });
    const cb = await i.waitForCallback();
    assert.equal(Number((cb.data as { flags?: number } | undefined)?.flags ?? 0) & 64, 64);
    const reply = await i.waitForReply();
    assert.equal(reply.flags & 64, 64);
    assert.match(visible(reply), /hunter2/);
    assert.ok(!fake.messagesIn(fake.channels[0]!.id).some((m) => visible(m).includes('hunter2')));
  });

  test('an image goes as an attachment shown in the embed', async () => {
    const reply = await fake.slashCommand('probe-qr', { user: OWNER }).waitForReply();
    assert.equal(reply.attachments[0]?.filename, 'wifi.png');
    assert.deepEqual((reply.embeds[0] as { image?: { url: string } }).image, { url: 'attachment://wifi.png' });
    const img = PNG.sync.read(fake.attachmentBytes(reply.attachments[0]!.id)!);
    assert.equal(jsQR(new Uint8ClampedArray(img.data), img.width, img.height)?.data, 'WIFI:T:WPA;S:guest;P:hunter2;;');
  });

  test('a destructive command asks first; the Confirm button runs it and closes the question', async () => {
    const question = await fake.slashCommand('probe-danger', { user: OWNER }).waitForReply();
    const buttons = (question.components[0] as { components: { custom_id: string; style: number }[] }).components;
    const confirm = buttons.find((b) => b.style === 4)!;
    assert.match(confirm.custom_id, /^a:/);
    const press = fake.pressButton(confirm.custom_id, { messageId: question.id, user: OWNER });
    assert.equal((await press.waitForCallback()).type, 6);
    const done = await press.waitForFollowup();
    assert.match(visible(done), /danger done/);
    const closed = fake.message(question.id)!;
    assert.match(visible(closed), /Confirmed/);
    assert.deepEqual(closed.components, [], 'buttons removed from the question');
    // The token was one-shot: pressing again is refused politely.
    const again = fake.pressButton(confirm.custom_id, { messageId: question.id, user: OWNER });
    assert.doesNotMatch(visible(await again.waitForFollowup()), /danger done/);
  });

  test('asked in a guild channel, the approver reads where by guild and channel name, not by channel id', async () => {
    const kid = { id: '300000000000000077', username: 'kid' };
    h.person('family', `discord:${kid.id}`);
    const denied = await fake.slashCommand('probe-ask', { user: kid, options: { domain: 'ads.example.org' } }).waitForReply();
    const buttons = (denied.components[0] as { components: { custom_id: string; label?: string }[] }).components;
    const askButton = buttons.find((b) => /Ask an admin/.test(b.label ?? ''));
    assert.ok(askButton, JSON.stringify(buttons));
    const press = fake.pressButton(askButton.custom_id, { messageId: denied.id, user: kid });
    await press.waitForCallback();
    const dm = await waitFor(() => [...fake.state.dms.values()].find((d) => d.recipients[0]?.id === OWNER.id), { what: "the owner's DM" });
    const request = await fake.waitForMessage(dm.id, (m) => /asks to run \/probe-ask/.test(visible(m)));
    assert.match(visible(request), /Asked in the group “Home #general”/);
    assert.ok(!visible(request).includes(fake.channels[0]!.id), 'the channel is named, not numbered');
  });

  test('someone else cannot press my button', async () => {
    const question = await fake.slashCommand('probe-danger', { user: OWNER }).waitForReply();
    const id = (question.components[0] as { components: { custom_id: string }[] }).components[0]!.custom_id;
    const press = fake.pressButton(id, { messageId: question.id, user: { id: '399999999999999901', username: 'intruder' } });
    await press.waitForCallback();
    assert.ok(!visible(fake.message(question.id)).includes('Confirmed'));
  });

  test('autocomplete offers cached values that match what is typed, to allowed users only', async () => {
    const owner = fake.autocomplete('probe-args', { user: OWNER, options: { count: 1, guest: 'n' }, focused: 'guest' });
    assert.deepEqual(await owner.waitForChoices(), [
      { name: 'nas', value: 'nas' },
      { name: 'nextcloud', value: 'nextcloud' },
    ]);
    const durations = fake.autocomplete('probe-args', { user: OWNER, options: { count: 1, guest: 'nas', for: '1' }, focused: 'for' });
    const values = (await durations.waitForChoices()).map((c) => c.value);
    assert.ok(values.includes('1h') && values.includes('1d') && !values.includes('7d'), values.join());
    const stranger = fake.autocomplete('probe-args', { user: STRANGER, options: { count: 1, guest: '' }, focused: 'guest' });
    assert.deepEqual(await stranger.waitForChoices(), []);
  });

  test('a long reply is split within Discord limits (the fake rejects anything over)', async () => {
    const since = fake.mark();
    const i = fake.slashCommand('probe-long', { user: OWNER });
    const first = await i.waitForReply();
    const more = await i.waitForFollowup();
    const all = visible(first) + visible(more);
    assert.match(all, /line 0 with \\\*stars\\\*/, 'markdown escaped');
    assert.match(visible(first), /Long/);
    const rejected = fake.calls.filter((c) => c.seq >= since && c.status >= 400);
    assert.deepEqual(
      rejected.map((c) => `${c.route} ${JSON.stringify(c.response)}`),
      [],
      'no request was rejected',
    );
  });

  test('a stranger gets one neutral reply; a command with no reply leaves no "thinking" behind', async () => {
    const first = await fake.slashCommand('help', { user: STRANGER }).waitForReply();
    assert.match(visible(first), /private bot/);
    const quiet = fake.slashCommand('probe-quiet', { user: OWNER });
    await fake.waitForCall('DELETE /webhooks/:webhook/:token/messages/:message', (c) => c.params.token === quiet.token);
  });
});
