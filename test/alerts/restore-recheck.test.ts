/**
 * A backend still down in the restore report carries [Check again], built per chat role: the
 * owner's chat and a family group get it, a guest-limited group does not. Pressed, it reads the
 * backend again and answers in the presser's language (still down, then back); a guest pressing
 * the family group's button, or anyone after the button expired, gets the neutral refusal. Whole
 * bot on a manual clock, fake upsd and Proxmox, real Telegram adapter on the fake Bot API.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clockedPowerCut, cutPowerGuestsOnly } from '../support/clocked-powercut.ts';
import { startFakeTelegram, type StoredMessage } from '../fakes/telegram-api.ts';
import { waitFor } from '../support/real-server.ts';
import { assertNoEnglish } from '../support/language.ts';

const TOKEN = '123456:TEST-TOKEN-abcdefghijklmnopqrstuv';
const OWNER_ID = 1000;
const LUCIA = 3002;
const GUEST_ID = 5005;
const FAMILY_GROUP = -100555;
const GUEST_GROUP = -100777;

const buttons = (m: StoredMessage): { text: string; callback_data?: string }[] =>
  ((m.reply_markup as { inline_keyboard?: { text: string; callback_data?: string }[][] } | undefined)?.inline_keyboard ?? []).flat();

test('a backend still down after a power cut: [Check again] per chat role, answered in the presser’s language, refused to a guest and once expired', async (t) => {
  const tg = await startFakeTelegram({ token: TOKEN, maxHoldMs: 300 });
  t.after(() => tg.close());
  const lab = await clockedPowerCut(t, {
    powerCut: { shutdownNode: false },
    bindings: [
      { chat: 'console:main' },
      { chat: `telegram:${OWNER_ID}` },
      { chat: `telegram:${FAMILY_GROUP}` },
      { chat: `telegram:${GUEST_GROUP}` },
    ],
    extra: {
      telegram: { token: TOKEN, apiRoot: tg.apiRoot, ownerIds: [OWNER_ID] },
      permissions: {
        owners: [`telegram:${OWNER_ID}`],
        chats: [
          { chat: `telegram:${FAMILY_GROUP}`, maxRole: 'family' },
          { chat: `telegram:${GUEST_GROUP}`, maxRole: 'guest' },
        ],
      },
    },
  });
  const { pve, ups } = lab;
  lab.h.app.permissions.people.enroll(`telegram:${LUCIA}`, 'Lucía', 'family');
  lab.h.app.permissions.people.enroll(`telegram:${GUEST_ID}`, 'Pepe', 'guest');
  await tg.waitForPoll();
  await cutPowerGuestsOnly(lab);

  // Proxmox stops answering while the power is out, and is still down when mains returns.
  pve.failRoute(/./, 500, 'internal error');
  await lab.poll();
  await lab.poll();
  ups.set('ups', { 'ups.status': 'OL CHRG', 'battery.charge': '60', 'battery.runtime': '1800', 'input.voltage': '230.1' });
  await lab.poll();
  await lab.poll();
  await waitFor(() => lab.rendered().some((r) => r.kind === 'restore'), { what: 'the restore report', timeoutMs: 10_000 });
  const report = lab.rendered().find((r) => r.kind === 'restore')!;
  assert.match(report.text, /🔴 The hypervisor \(Proxmox\) is still down/);
  const labels = (report.message.actions ?? []).flat().map((a) => a.label);
  assert.equal(labels.filter((l) => l === 'Check again: The hypervisor (Proxmox)').length, 1, JSON.stringify(labels));
  const es = lab.rendered('console:main', 'es').find((r) => r.kind === 'restore')!;
  assert.ok(
    (es.message.actions ?? []).flat().some((a) => a.label === 'Comprobar otra vez: El hipervisor (Proxmox)'),
    JSON.stringify(es.message.actions),
  );

  // Delivered: the owner and the family group have the button, the guest-limited group none.
  const isReport = (m: StoredMessage): boolean => /The hypervisor \(Proxmox\) is still down/.test(m.text ?? '');
  const mine = await tg.waitForMessage(OWNER_ID, isReport, 10_000);
  const family = await tg.waitForMessage(FAMILY_GROUP, isReport, 10_000);
  const guests = await tg.waitForMessage(GUEST_GROUP, isReport, 10_000);
  const recheck = (m: StoredMessage): string => {
    const b = buttons(m).find((x) => x.text === 'Check again: The hypervisor (Proxmox)');
    assert.ok(b?.callback_data, JSON.stringify(buttons(m)));
    return b.callback_data;
  };
  assert.deepEqual(
    buttons(guests).filter((b) => b.text.startsWith('Check again')),
    [],
    JSON.stringify(buttons(guests)),
  );

  // Lucía (app in Spanish) presses in the family group while Proxmox is still down: a fresh read, in Spanish.
  let refreshes = 0;
  lab.h.app.modules
    .flatMap((m) => m.alertFeeds ?? [])
    .find((f) => f.backend === 'proxmox')!
    .poller.onRefresh(() => void refreshes++);
  const reads = (): number => refreshes;
  const before = reads();
  const seen = tg.messagesTo(FAMILY_GROUP).length;
  tg.pressButton(FAMILY_GROUP, { id: LUCIA, first_name: 'Lucía', language_code: 'es' }, family.message_id, recheck(family));
  const down = await tg.waitForMessage(FAMILY_GROUP, (m) => tg.messagesTo(FAMILY_GROUP).indexOf(m) >= seen, 10_000);
  assert.match(down.text ?? '', /El hipervisor \(Proxmox\) sigue sin responder: internal error$/);
  assertNoEnglish(lab.h.app.messages, down.text ?? '', ['internal', 'error']);
  assert.ok(reads() > before, 'Proxmox was read again');

  // A guest in the family group presses the same button: refused, and Proxmox is not asked.
  const beforeGuest = reads();
  const seenGuest = tg.messagesTo(FAMILY_GROUP).length;
  tg.pressButton(FAMILY_GROUP, GUEST_ID, family.message_id, recheck(family));
  const refused = await tg.waitForMessage(FAMILY_GROUP, (m) => tg.messagesTo(FAMILY_GROUP).indexOf(m) >= seenGuest, 10_000);
  assert.match(refused.text ?? '', /You are not allowed to do that here\.$/);
  assert.equal(reads(), beforeGuest);

  // Proxmox is back: the owner's press says so, and the button still works (pressed again later).
  pve.failRoute(undefined);
  const seenMine = tg.messagesTo(OWNER_ID).length;
  tg.pressButton(OWNER_ID, OWNER_ID, mine.message_id, recheck(mine));
  const up = await tg.waitForMessage(OWNER_ID, (m) => tg.messagesTo(OWNER_ID).indexOf(m) >= seenMine, 10_000);
  assert.match(up.text ?? '', /The hypervisor \(Proxmox\) answers again\.$/);

  // Over a week later (alert buttons live seven days) it has expired: the neutral refusal, no read.
  lab.clock.advance(8 * 86_400_000);
  const beforeLate = reads();
  const seenLate = tg.messagesTo(OWNER_ID).length;
  tg.pressButton(OWNER_ID, OWNER_ID, mine.message_id, recheck(mine));
  const late = await tg.waitForMessage(OWNER_ID, (m) => tg.messagesTo(OWNER_ID).indexOf(m) >= seenLate, 10_000);
  assert.match(late.text ?? '', /This button has expired\. Run the command again\.$/);
  assert.equal(reads(), beforeLate);
});
