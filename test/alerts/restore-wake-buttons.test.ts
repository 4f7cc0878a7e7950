/**
 * A wake that did not bring the node back: the restore report's red line carries "Wake again" in
 * the owner's private chat and not in a family-limited group (family may not wake anything), and
 * pressing it later runs /wake node through the pipeline. Real Telegram adapter on the fake Bot
 * API, fake upsd, Proxmox fake, RouterOS fake whose packet wakes nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { systemClock } from '../../src/core/clock.ts';
import { DEMO_UPS_STATES, startFakeUpsd } from '../../src/demo/nut.ts';
import { startProxmoxFake } from '../../src/demo/proxmox.ts';
import { FAKE_ROUTER_USERS, startRouterOsFake } from '../../src/demo/routeros.ts';
import { startFakeTelegram, type StoredMessage } from '../fakes/telegram-api.ts';
import { startTestApp } from '../support/app-harness.ts';
import { waitFor } from '../support/real-server.ts';

const TOKEN = '123456:TEST-TOKEN-abcdefghijklmnopqrstuv';
const OWNER_ID = 1000;
const FAMILY_GROUP = -100555;
const NODE_MAC = '00:00:5E:00:53:10';

const buttons = (m: StoredMessage): { text: string; callback_data?: string }[] =>
  ((m.reply_markup as { inline_keyboard?: { text: string; callback_data?: string }[][] } | undefined)?.inline_keyboard ?? []).flat();

test('a node that stays off after the wake: "Wake again" for the owner, not for the family group; pressed later it wakes again', async (t) => {
  const ups = await startFakeUpsd();
  const tg = await startFakeTelegram({ token: TOKEN, maxHoldMs: 300 });
  const pve = await startProxmoxFake({ taskDurationMs: 300, unauthDelayMs: 0 });
  const router = await startRouterOsFake(); // the packet leaves, but the node's card does not hear it
  const admin = FAKE_ROUTER_USERS[0]!;
  const h = await startTestApp(
    {
      telegram: { token: TOKEN, apiRoot: tg.apiRoot, ownerIds: [OWNER_ID] },
      nut: { host: ups.host, port: ups.port, ups: 'ups', pollSeconds: 0.2 },
      proxmox: { url: pve.url, node: pve.node, tokenId: pve.tokenId, tokenSecret: pve.tokenSecret, pollSeconds: 60 },
      router: { url: router.url, username: admin.name, password: admin.password, pollSeconds: 60 },
      permissions: { owners: [`telegram:${OWNER_ID}`], chats: [{ chat: `telegram:${FAMILY_GROUP}`, maxRole: 'family' }] },
      alerts: {
        bindings: [{ chat: `telegram:${OWNER_ID}` }, { chat: `telegram:${FAMILY_GROUP}` }],
        powerCut: {
          enabled: true,
          dryRun: false,
          runsOn: 'outside',
          shutdownOrder: [101, 100],
          restore: { onMainsMinutes: 0, wakeOnLan: { mac: NODE_MAC, afterMinutesOnMains: 0, bootTimeoutMinutes: 0.02 } },
        },
      },
    },
    { clock: systemClock },
  );
  t.after(async () => {
    await h.close();
    await tg.close();
    await router.close();
    await pve.close();
    await ups.close();
  });
  await tg.waitForPoll();
  ups.set('ups', DEMO_UPS_STATES.lowBattery);
  await waitFor(() => pve.off, { timeoutMs: 20_000, what: 'node powered off' });
  ups.set('ups', DEMO_UPS_STATES.mains);
  const isReport = (m: StoredMessage): boolean => /did not answer within/.test(m.text ?? '');
  const mine = await tg.waitForMessage(OWNER_ID, isReport, 30_000);
  const group = await tg.waitForMessage(FAMILY_GROUP, isReport, 10_000);
  assert.equal(router.wakes.length, 1, 'one packet');
  assert.match(mine.text ?? '', /Check that it has power and that Wake-on-LAN is on/);
  const wakeAgain = buttons(mine).find((b) => b.text === 'Wake again');
  assert.ok(wakeAgain?.callback_data, JSON.stringify(buttons(mine)));
  assert.ok(!buttons(group).some((b) => b.text === 'Wake again'), JSON.stringify(buttons(group)));

  tg.pressButton(OWNER_ID, OWNER_ID, mine.message_id, wakeAgain.callback_data);
  await tg.waitForMessage(OWNER_ID, (m) => /Wake-on-LAN sent through the router/.test(m.text ?? ''), 10_000);
  assert.equal(router.wakes.length, 2);
  assert.deepEqual(router.wakes[1]?.mac, NODE_MAC);
});
