/**
 * Alert buttons are built for the readers of each chat: the same power-cut alert carries
 * "Shut down homelab now" in the owner's private chat and not in a family-limited group, where
 * every button shown is one a family member may press. Real Telegram adapter, fake Bot API,
 * fake upsd on 127.0.0.1.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO_UPS_STATES } from '../../src/demo/nut.ts';
import { type StoredMessage } from '../fakes/telegram-api.ts';
import { startUpsOnTelegram } from '../support/ups-telegram.ts';

const OWNER_ID = 1000;
const FAMILY_GROUP = -100555;

const labels = (m: StoredMessage): string[] =>
  ((m.reply_markup as { inline_keyboard?: { text: string }[][] } | undefined)?.inline_keyboard ?? []).flat().map((b) => b.text);

test('a power-cut alert: power buttons in the owner’s chat, none in a family group', async (t) => {
  const { ups, tg, h } = await startUpsOnTelegram(t, OWNER_ID, () => ({
    permissions: { owners: [`telegram:${OWNER_ID}`], chats: [{ chat: `telegram:${FAMILY_GROUP}`, maxRole: 'family' }] },
    alerts: { bindings: [{ chat: `telegram:${OWNER_ID}` }, { chat: `telegram:${FAMILY_GROUP}` }], debounceSeconds: 1 },
  }));
  ups.set('ups', DEMO_UPS_STATES.powerCut);
  const isCut = (m: StoredMessage): boolean => /Power cut/.test(m.text ?? '');
  const mine = await tg.waitForMessage(OWNER_ID, isCut, 20_000);
  const group = await tg.waitForMessage(FAMILY_GROUP, isCut, 20_000);
  assert.ok(labels(mine).includes('Shut down homelab now'), JSON.stringify(labels(mine)));
  assert.ok(!labels(group).includes('Shut down homelab now'), JSON.stringify(labels(group)));
  // Whatever the group shows, family may press.
  const family = (p: string): boolean => h.app.access.roleHolds('family', p);
  const shownFor: Record<string, string> = {
    Acknowledge: 'alerts.alert.ack',
    'Snooze 1 h': 'alerts.alert.snooze',
    'Snooze 1 day': 'alerts.alert.snooze',
  };
  for (const label of labels(group)) {
    const permission = shownFor[label];
    assert.ok(permission && family(permission), `the family group shows "${label}"`);
  }
  assert.equal(labels(group).includes('Acknowledge'), family('alerts.alert.ack'));
});
