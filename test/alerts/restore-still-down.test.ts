/**
 * A guest that does not come back after a power cut: the restore report's red line names it
 * ("nas (VM 100)") and carries "Start nas (VM 100)" in the owner's private chat, none in a
 * family-limited group (family may not start guests); pressed later, /poweron runs through the
 * pipeline and the Proxmox fake gets the start. Whole bot on a manual clock, fake upsd and
 * Proxmox, real Telegram adapter on the fake Bot API.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clockedPowerCut, cutPowerGuestsOnly } from '../support/clocked-powercut.ts';
import { startFakeTelegram, type StoredMessage } from '../fakes/telegram-api.ts';
import { waitFor } from '../support/real-server.ts';

const TOKEN = '123456:TEST-TOKEN-abcdefghijklmnopqrstuv';
const OWNER_ID = 1000;
const FAMILY_GROUP = -100555;

const buttons = (m: StoredMessage): { text: string; callback_data?: string }[] =>
  ((m.reply_markup as { inline_keyboard?: { text: string; callback_data?: string }[][] } | undefined)?.inline_keyboard ?? []).flat();

/** The report's light lines (🔴/🟢/🟠 …) that name the NAS. */
const nasLines = (text: string): string[] =>
  text
    .split('\n')
    .filter((l) => /^\P{L}*[🔴🟢🟠🔵⚪]/u.test(l) && l.includes('nas (VM 100)'))
    .map((l) => l.replace(/^[^🔴🟢🟠🔵⚪]*/u, ''));

test('a guest still down after the restore: a red line with its name, Start for the owner, none for the family group; pressed later it starts', async (t) => {
  const tg = await startFakeTelegram({ token: TOKEN, maxHoldMs: 300 });
  t.after(() => tg.close());
  const lab = await clockedPowerCut(t, {
    powerCut: { shutdownNode: false },
    bindings: [{ chat: 'console:main' }, { chat: `telegram:${OWNER_ID}` }, { chat: `telegram:${FAMILY_GROUP}` }],
    extra: {
      telegram: { token: TOKEN, apiRoot: tg.apiRoot, ownerIds: [OWNER_ID] },
      permissions: { owners: [`telegram:${OWNER_ID}`], chats: [{ chat: `telegram:${FAMILY_GROUP}`, maxRole: 'family' }] },
    },
  });
  const { pve, ups } = lab;
  await tg.waitForPoll();
  await cutPowerGuestsOnly(lab);

  // Mains returns, but Proxmox refuses to start the NAS: it stays down.
  pve.failRoute(/\/startall$/, 500, 'start failed');
  ups.set('ups', { 'ups.status': 'OL CHRG', 'battery.charge': '60', 'battery.runtime': '1800', 'input.voltage': '230.1' });
  await lab.poll();
  await lab.poll();
  await waitFor(() => lab.rendered().some((r) => r.kind === 'restore'), { what: 'the restore report', timeoutMs: 10_000 });
  pve.failRoute(undefined);
  const report = lab.rendered().find((r) => r.kind === 'restore')!;
  // The NAS was both folded into the power cut and refused a start: one line, the start error.
  assert.deepEqual(nasLines(report.text), ['🔴 nas (VM 100) could not be started: start failed'], report.text);
  const labels = (report.message.actions ?? []).flat().map((a) => a.label);
  assert.equal(labels.filter((l) => l === 'Start nas (VM 100)').length, 1, JSON.stringify(labels));
  const es = lab.rendered('console:main', 'es').find((r) => r.kind === 'restore')!;
  assert.deepEqual(nasLines(es.text), ['🔴 No se pudo arrancar nas (VM 100): start failed'], es.text);
  assert.ok(
    (es.message.actions ?? []).flat().some((a) => a.label === 'Arrancar nas (VM 100)'),
    JSON.stringify(es.message.actions),
  );

  // Delivered: the owner's private chat has the button, the family group has none.
  const isReport = (m: StoredMessage): boolean => /nas \(VM 100\) could not be started/.test(m.text ?? '');
  const mine = await tg.waitForMessage(OWNER_ID, isReport, 10_000);
  const group = await tg.waitForMessage(FAMILY_GROUP, isReport, 10_000);
  const start = buttons(mine).find((b) => b.text === 'Start nas (VM 100)');
  assert.ok(start?.callback_data, JSON.stringify(buttons(mine)));
  assert.deepEqual(
    buttons(group).filter((b) => b.text.startsWith('Start')),
    [],
    JSON.stringify(buttons(group)),
  );

  // Pressed later by the owner: authorised then, and the NAS starts.
  assert.equal(pve.guest(100)?.status, 'stopped');
  lab.clock.advance(10 * 60_000);
  tg.pressButton(OWNER_ID, OWNER_ID, mine.message_id, start.callback_data);
  await waitFor(() => pve.guest(100)?.status === 'running', { what: 'the fake started the NAS', timeoutMs: 10_000 });
  assert.ok(pve.tasks().some((x) => x.type === 'qmstart' && x.id === '100'));
});
