/**
 * Telegram forum topics through the real adapter and the fake Bot API: an alert binding that
 * names a topic (`telegram:<chatId>/<threadId>`) sends with message_thread_id, its buttons and
 * edits stay in that topic, and a command asked inside a topic is answered in that topic.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO_UPS_STATES } from '../../src/demo/nut.ts';
import { startUpsOnTelegram } from '../support/ups-telegram.ts';
import { waitFor } from '../support/real-server.ts';

const OWNER_ID = 1000;
const FAMILY = { id: -100555, type: 'supergroup' as const, title: 'Family', isForum: true };

test('Telegram forum topics: a topic binding, buttons pressed in the topic, and commands asked in a topic', async (t) => {
  let power = 0;
  let network = 0;
  const { ups, tg } = await startUpsOnTelegram(t, OWNER_ID, (fake) => {
    power = fake.createTopic(FAMILY, 'Power');
    network = fake.createTopic(FAMILY, 'Network');
    return { alerts: { bindings: [{ chat: `telegram:${FAMILY.id}/${power}`, sources: ['ups'] }], debounceSeconds: 1 } };
  });

  // The binding names the Power topic: the alert is sent with message_thread_id and lands there.
  ups.set('ups', DEMO_UPS_STATES.powerCut);
  const alert = await tg.waitForMessage(FAMILY.id, (m) => /Power cut/.test(m.text ?? ''), 15_000);
  assert.equal(alert.message_thread_id, power);
  const sent = tg.calls.find((c) => c.method.toLowerCase() === 'sendmessage' && /Power cut/.test(String(c.params.text)));
  assert.equal(Number(sent?.params.message_thread_id), power, 'the Bot API call carries message_thread_id');

  // A button pressed in the topic: the reply to it goes to the same topic.
  const since = tg.mark();
  tg.pressButton(FAMILY.id, OWNER_ID, alert.message_id, 'a:no-such-token');
  const expired = await tg.waitForMessage(FAMILY.id, (m) => /button is no longer valid/.test(m.text ?? ''));
  assert.equal(expired.message_thread_id, power);
  const replyCall = await tg.waitForCall('sendMessage', (c) => /button is no longer valid/.test(String(c.params.text)), 5000, since);
  assert.equal(Number(replyCall.params.message_thread_id), power);

  // Acknowledge edits the alert in place, in its topic.
  const keyboard = (alert.reply_markup as { inline_keyboard: { text: string; callback_data: string }[][] }).inline_keyboard.flat();
  const ack = keyboard.find((b) => b.text === 'Acknowledge');
  assert.ok(ack, JSON.stringify(keyboard));
  tg.pressButton(FAMILY.id, OWNER_ID, alert.message_id, ack.callback_data);
  const acked = await waitFor(
    () => tg.messagesTo(FAMILY.id).find((m) => m.message_id === alert.message_id && /Acknowledged by/.test(m.text ?? '')),
    { timeoutMs: 15_000, what: 'alert edited with who acknowledged' },
  );
  assert.equal(acked.message_thread_id, power);

  // A command asked inside the Network topic is answered there; one in General has no topic.
  tg.sendText(FAMILY, OWNER_ID, '/help', { threadId: network });
  const help = await tg.waitForMessage(FAMILY.id, (m) => m.message_thread_id === network && m.from.id === tg.bot.id);
  assert.match(help.text ?? '', /\/status/);
  tg.sendText(FAMILY, OWNER_ID, '/help');
  await waitFor(() => tg.messagesTo(FAMILY.id).filter((m) => /\/status/.test(m.text ?? '')).length >= 2, { what: 'help in General' });
  const general = tg
    .messagesTo(FAMILY.id)
    .filter((m) => /\/status/.test(m.text ?? ''))
    .at(-1)!;
  assert.equal(general.message_thread_id, undefined);
  assert.ok(
    tg.messagesTo(FAMILY.id).every((m) => m.message_thread_id !== undefined || m.message_id === general.message_id),
    'nothing else leaked into General',
  );
});
