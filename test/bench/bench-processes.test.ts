/**
 * The command bench runs every bot and the demo homelab in processes of their own
 * (bench/command.ts): the demo homelab prints config a bot accepts, and the bare bot sends the
 * fixed reply it is given and reports its failed updates as it stops.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { BENCH_TOKEN, householdPolling } from '../../bench/lib/app.ts';
import { spawnTsx } from '../../bench/lib/child.ts';
import { startHomelabProcess } from '../../bench/lib/homelab.ts';
import { validateConfig } from '../../src/core/config.ts';
import { startFakeTelegram } from '../fakes/telegram-api.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');

test('the demo homelab process prints config sections a bot accepts, with backends that answer', async () => {
  const homelab = await startHomelabProcess();
  try {
    const parsed = validateConfig({
      ...householdPolling(homelab.config),
      database: join(tmpdir(), 'never-opened.db'),
      telegram: { token: BENCH_TOKEN, apiRoot: 'http://127.0.0.1:9' },
    });
    assert.ok(parsed.ok, parsed.ok ? '' : JSON.stringify(parsed.problems));
    assert.ok(Object.keys(homelab.config).length >= 5, Object.keys(homelab.config).join(', '));
    // The backends live in that process: upsd answers on the port its section names.
    const nut = homelab.config.nut as { port?: number } | undefined;
    assert.ok(nut?.port, Object.keys(homelab.config).join(', '));
    const socket = connect(nut.port, '127.0.0.1');
    await new Promise<void>((ok, fail) => socket.once('connect', ok).once('error', fail));
    socket.destroy();
  } finally {
    await homelab.stop();
  }
});

test('the bare bot with --reply sends exactly that reply and reports its failed updates as it stops', async () => {
  const fake = await startFakeTelegram({ token: BENCH_TOKEN, maxHoldMs: 200 });
  const dir = mkdtempSync(join(tmpdir(), 'bench-reply-'));
  const reply = { html: '<b>Help</b> &amp; more', replyMarkup: { inline_keyboard: [[{ text: 'A', callback_data: 'tok-1' }]] } };
  writeFileSync(join(dir, 'reply.json'), JSON.stringify(reply));
  const args = ['--token', BENCH_TOKEN, '--api-root', fake.apiRoot, '--reply', join(dir, 'reply.json')];
  const bot = spawnTsx(join(ROOT, 'bench/baseline-main.ts'), args, ROOT, { inspect: false });
  try {
    await fake.waitForPoll(30_000);
    const mark = fake.mark();
    fake.sendText(42, 42, '/anything');
    const sent = await fake.waitForCall('sendMessage', (c) => Number(c.params.chat_id) === 42, 10_000, mark);
    assert.equal(sent.params.text, reply.html);
    assert.equal(sent.params.parse_mode, 'HTML');
    assert.deepEqual(sent.params.reply_markup, reply.replyMarkup);
    await bot.stop();
    assert.equal(bot.proc.exitCode, 0, bot.output());
    assert.match(bot.output(), /\{"failedUpdates":0\}/);
  } finally {
    await bot.stop();
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
