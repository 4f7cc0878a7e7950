/**
 * Alerts through the real Telegram adapter (grammY + auto-retry) against the fake Bot API:
 * a chat outage (502 then 429) delays but never loses or reorders alerts, the Acknowledge
 * button edits the alert message in place, and a binding that cannot be delivered leaves a
 * dead letter that /alerts shows.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO_UPS_STATES } from '../../src/demo/nut.ts';
import { startUpsOnTelegram } from '../support/ups-telegram.ts';
import { waitFor } from '../support/real-server.ts';
import { assertNoEnglish } from '../support/language.ts';

const OWNER_ID = 1000;

/** Alerts to the owner's private chat, plus `extra` bindings. */
const ownerAlerts = (...extra: Record<string, unknown>[]) => ({
  alerts: { bindings: [{ chat: `telegram:${OWNER_ID}` }, ...extra], debounceSeconds: 1 },
});

/** A fake upsd and the fake Bot API, the app alerting the owner's private chat (plus `extra` bindings), polling. */
test('Telegram: outage then alerts in order, ack edits in place, an undeliverable binding is a visible dead letter', async (t) => {
  const { ups, tg, h } = await startUpsOnTelegram(t, OWNER_ID, () => ownerAlerts({ chat: 'discord:777', minSeverity: 'critical' }));
  tg.sendText(OWNER_ID, OWNER_ID, '/start');
  await tg.waitForMessage(OWNER_ID, (m) => /Send \/help/.test(m.text ?? ''));
  const alertTexts = () =>
    tg
      .messagesTo(OWNER_ID)
      .map((m) => m.text ?? '')
      .filter((x) => /UPS|Power/.test(x));

  // Outage: every call fails with 502 for a while, then two 429s with retry_after.
  tg.downFor(1500);
  tg.failNext('sendMessage', { code: 429, retryAfter: 1 }, 2);
  ups.set('ups', DEMO_UPS_STATES.powerCut);
  await waitFor(() => alertTexts().length >= 1, { timeoutMs: 30_000, what: 'power-cut alert after the outage' });
  ups.set('ups', DEMO_UPS_STATES.mains);
  await waitFor(() => alertTexts().length >= 2, { timeoutMs: 30_000, what: 'power-back message' });
  const texts = alertTexts();
  assert.match(texts[0]!, /Power cut: the UPS is on battery/);
  assert.match(texts[1]!, /Power is back/);
  const stats = tg.stats().byStatus;
  assert.ok((stats[502] ?? 0) > 0 && (stats[429] ?? 0) === 2, `the outage really happened: ${JSON.stringify(stats)}`);

  // The Acknowledge button re-runs /alert-ack through the pipeline and edits the alert in place.
  ups.set('ups', DEMO_UPS_STATES.powerCut);
  const alert = await tg.waitForMessage(
    OWNER_ID,
    (m) =>
      /Power cut/.test(m.text ?? '') && m.message_id !== tg.messagesTo(OWNER_ID).find((x) => /Power cut/.test(x.text ?? ''))?.message_id,
    15_000,
  );
  const keyboard = (alert.reply_markup as { inline_keyboard: { text: string; callback_data: string }[][] }).inline_keyboard.flat();
  const ackButton = keyboard.find((b) => b.text === 'Acknowledge');
  assert.ok(ackButton, JSON.stringify(keyboard));
  assert.ok(keyboard.some((b) => b.text === 'Shut down homelab now'));
  tg.pressButton(OWNER_ID, OWNER_ID, alert.message_id, ackButton.callback_data);
  await waitFor(() => tg.messagesTo(OWNER_ID).find((m) => m.message_id === alert.message_id && /Acknowledged by/.test(m.text ?? '')), {
    timeoutMs: 15_000,
    what: 'alert edited with who acknowledged',
  });

  // A binding to Discord while no Discord bot is configured: a permanent error, dead-lettered, shown by /alerts.
  const conv = await waitFor(
    async () => {
      const c = await h.say(`telegram:${OWNER_ID}`, '/alerts');
      return /Could not be delivered/.test(c.texts.join('\n')) ? c : undefined;
    },
    {
      timeoutMs: 15_000,
      what: `/alerts listing the dead letter: ${JSON.stringify(h.app.db.prepare('SELECT destination, status, attempts, last_error FROM alert_outbox').all())}`,
    },
  );
  assert.match(
    conv.texts.join('\n'),
    /discord:777: gave up after 1 attempt — no discord chat is configured \(add its section to the config, or remove the binding\)/,
  );
});

test('Telegram: a UPS alert to an owner who chose Spanish comes in Spanish, buttons included', async (t) => {
  const { ups, tg, h } = await startUpsOnTelegram(t, OWNER_ID, () => ownerAlerts());
  tg.sendText(OWNER_ID, OWNER_ID, '/lang es');
  await tg.waitForMessage(OWNER_ID, (m) => /español/.test(m.text ?? ''));
  ups.set('ups', DEMO_UPS_STATES.powerCut);
  const alert = await tg.waitForMessage(OWNER_ID, (m) => /SAI|batería/.test(m.text ?? ''), 30_000);
  assertNoEnglish(h.app.messages, alert.text ?? '', ['homelab']);
  const labels =
    (alert.reply_markup as { inline_keyboard: { text: string }[][] } | undefined)?.inline_keyboard.flat().map((b) => b.text) ?? [];
  assert.ok(labels.length > 0, 'the alert has its buttons');
  assertNoEnglish(h.app.messages, labels.join('\n'), ['homelab']);
});
