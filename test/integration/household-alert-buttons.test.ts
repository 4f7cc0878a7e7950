/**
 * An alert posted to the family group (no role limit there) carries buttons anyone in the group
 * may press: each press runs with the presser's own role in that chat. Family and a guest are
 * refused, a stranger gets the one neutral line, an admin's press works. Real Telegram adapter,
 * fake Bot API, fake upsd on 127.0.0.1.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEMO_UPS_STATES } from '../../src/demo/nut.ts';
import type { StoredMessage, UserRef } from '../fakes/telegram-api.ts';
import { buttonData, buttonLabels, seenText } from '../support/telegram-messages.ts';
import { startUpsOnTelegram } from '../support/ups-telegram.ts';
import { waitFor } from '../support/real-server.ts';

const OWNER_ID = 1000;
const GROUP = { id: -100556, type: 'supergroup' as const, title: 'Family' };
const ADMIN: UserRef = { id: 2001, first_name: 'Marco', language_code: 'en' };
const LUCIA: UserRef = { id: 3001, first_name: 'Lucia', language_code: 'en' };
const GUEST: UserRef = { id: 5001, first_name: 'Gus', language_code: 'en' };
const STRANGER: UserRef = { id: 6001, first_name: 'Mallory', language_code: 'en' };

test('alert buttons in the family group run with the role of whoever presses them', async (t) => {
  const { ups, tg, h } = await startUpsOnTelegram(t, OWNER_ID, () => ({
    alerts: { bindings: [{ chat: `telegram:${GROUP.id}` }], debounceSeconds: 1 },
  }));
  h.app.permissions.people.enroll(`telegram:${ADMIN.id}`, 'Marco', 'admin');
  h.app.permissions.people.enroll(`telegram:${LUCIA.id}`, 'Lucia', 'family');
  h.app.permissions.people.enroll(`telegram:${GUEST.id}`, 'Gus', 'guest');
  const count = (): number => tg.messagesTo(GROUP.id).length;
  const next = (from: number, re: RegExp): Promise<StoredMessage> =>
    tg.waitForMessage(GROUP.id, (m) => tg.messagesTo(GROUP.id).indexOf(m) >= from && re.test(seenText(m)), 15_000);
  const settled = async (): Promise<void> => {
    await waitFor(() => tg.pendingUpdates() === 0 && tg.unansweredCallbacks().length === 0, { what: 'updates consumed' });
    await tg.waitForPoll();
  };

  ups.set('ups', DEMO_UPS_STATES.powerCut);
  const alert = await next(0, /Power cut/);
  // No role limit in the group: the buttons are those of its strongest reader; each press is checked again.
  assert.ok(buttonLabels(alert).includes('Acknowledge'), JSON.stringify(buttonLabels(alert)));
  assert.ok(buttonLabels(alert).includes('Shut down homelab now'));
  const ack = buttonData(alert, /^Acknowledge$/);
  const shutdown = buttonData(alert, /^Shut down homelab now$/);

  // Family and a guest: refused with their own role, nothing acknowledged, no question asked.
  for (const [who, data] of [
    [LUCIA, ack],
    [LUCIA, shutdown],
    [GUEST, ack],
    [GUEST, shutdown],
  ] as const) {
    const g0 = count();
    tg.pressButton(GROUP, who, alert.message_id, data);
    const m = await next(g0, /./);
    assert.equal(m.text, '⚠️ You are not allowed to do that here.');
    assert.deepEqual(buttonLabels(m), []);
  }
  // A stranger: the one neutral line.
  const g0 = count();
  tg.pressButton(GROUP, STRANGER, alert.message_id, ack);
  await next(g0, /^Sorry, this is a private bot\.$/);
  await settled();
  assert.doesNotMatch(tg.messagesTo(GROUP.id).find((m) => m.message_id === alert.message_id)?.text ?? '', /Acknowledged by/);
  const shutdowns = (): unknown =>
    h.app.db.prepare("SELECT count(*) FROM audit_log WHERE command = 'powercut' AND result IN ('started', 'ok')").pluck().get();
  assert.equal(shutdowns(), 0);

  // The admin's press of the shared button passes the check as him: the command itself answers (no plan configured here).
  const g1 = count();
  tg.pressButton(GROUP, ADMIN, alert.message_id, shutdown);
  await next(g1, /Power-cut shutdown is not enabled in the config/);
  assert.equal(shutdowns(), 0);
  tg.pressButton(GROUP, ADMIN, alert.message_id, ack);
  await waitFor(() => /Acknowledged by Marco/.test(tg.messagesTo(GROUP.id).find((m) => m.message_id === alert.message_id)?.text ?? ''), {
    what: 'the alert edited with who acknowledged',
  });
});
