/** Pushes through the real Telegram adapter: only warnings and critical alerts ring the phone. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TelegramAdapter } from '../../src/bot/telegram/adapter.ts';
import { silentLogger } from '../../src/core/logger.ts';
import type { MessageSeverity } from '../../src/core/outmessage.ts';
import type { Pipeline } from '../../src/handlers/pipeline.ts';
import { startFakeTelegram } from '../fakes/telegram-api.ts';

const TOKEN = '123456:TEST-TOKEN-abcdefghijklmnopqrstuv';

test('info and digest pushes are silent (disable_notification); warning and critical ones are not', async (t) => {
  const tg = await startFakeTelegram({ token: TOKEN });
  t.after(() => tg.close());
  const adapter = new TelegramAdapter(
    { token: TOKEN, apiRoot: tg.apiRoot, menus: { stamp: () => '', entries: () => [], onChange: () => () => undefined } },
    {} as unknown as Pipeline,
    silentLogger(),
  );
  const cases: [MessageSeverity | undefined, boolean][] = [
    [undefined, true],
    ['info', true],
    ['success', true],
    ['warning', false],
    ['critical', false],
  ];
  for (const [severity, silent] of cases) {
    const since = tg.mark();
    const out = await adapter.deliver('1000', {
      ...(severity ? { severity } : {}),
      blocks: [{ kind: 'text', text: `a ${severity} push` }],
    });
    assert.equal(out.ok, true);
    const call = await tg.waitForCall('sendMessage', () => true, 5000, since);
    assert.equal(Boolean(call.params['disable_notification']), silent, `${severity}: ${JSON.stringify(call.params)}`);
  }
  // With a picture too (the photo is the message when the text fits its caption).
  const since = tg.mark();
  await adapter.deliver('1000', {
    severity: 'info',
    blocks: [{ kind: 'text', text: 'qr' }],
    image: { pngBase64: 'iVBORw0KGgo=', filename: 'x.png' },
  });
  const photo = await tg.waitForCall('sendPhoto', () => true, 5000, since);
  assert.equal(Boolean(photo.params['disable_notification']), true);
});
