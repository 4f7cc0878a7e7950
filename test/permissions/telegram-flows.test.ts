/**
 * Invites, approvals and the stranger notice end to end: the real Telegram adapter against the
 * fake Bot API on 127.0.0.1, with the whole bot started by the composition root.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { defineCommand } from '../../src/handlers/command.ts';
import { arg } from '../../src/handlers/args.ts';
import type { FeatureModule } from '../../src/wiring/module.ts';
import { startFakeTelegram, type FakeTelegram, type StoredMessage } from '../fakes/telegram-api.ts';
import { startTestApp, type TestApp } from '../support/app-harness.ts';
import { waitFor } from '../support/real-server.ts';

const TOKEN = '123456:TEST-TOKEN-abcdefghijklmnopqrstuv';
const OWNER_ID = 1000;
const ADMIN_ID = 2001;
const ADMIN2_ID = 2002;
const KID_ID = 3001;

/** A requestable admin command standing in for "permanent Pi-hole allow"; it records who ran it. */
const runs: string[] = [];
const probe: FeatureModule = {
  name: 'probe',
  commands: [
    defineCommand({
      name: 'pallow',
      group: 'bot',
      summaryKey: 'builtin.help.summary',
      args: { domain: arg.string({ descriptionKey: 'builtin.help.summary', pattern: /^[a-z0-9.-]+$/ }) },
      permission: 'pihole.domain.allow',
      requestable: true,
      mutates: true,
      async run(ctx, { domain }) {
        runs.push(`${domain} as ${ctx.principal.identity} approved by ${ctx.approvedBy?.identity ?? '-'}`);
        return { blocks: [{ kind: 'text', text: `allowed ${domain}` }], severity: 'success' };
      },
    }),
  ],
};

/** The callback data of a button whose label matches. */
function button(m: StoredMessage, label: RegExp): string {
  const rows = (m.reply_markup as { inline_keyboard?: { text: string; callback_data?: string }[][] } | undefined)?.inline_keyboard ?? [];
  const b = rows.flat().find((x) => label.test(x.text));
  if (!b?.callback_data) throw new Error(`no button ${label} in ${JSON.stringify(rows)}`);
  return b.callback_data;
}

const has = (re: RegExp) => (m: StoredMessage) => re.test(m.text ?? '');

/** Waits for a bot message in a chat sent after the first `seen` ones (earlier tests leave look-alikes). */
async function next(chatId: number, seen: number, re: RegExp): Promise<StoredMessage> {
  return fake.waitForMessage(chatId, (m) => fake.messagesTo(chatId).indexOf(m) >= seen && re.test(m.text ?? ''));
}

let fake: FakeTelegram;
let h: TestApp;

before(async () => {
  fake = await startFakeTelegram({ token: TOKEN, maxHoldMs: 300 });
  h = await startTestApp({ telegram: { token: TOKEN, apiRoot: fake.apiRoot, ownerIds: [OWNER_ID] } }, { extraModules: [probe] });
  h.person('admin', `telegram:${ADMIN_ID}`);
  h.person('admin', `telegram:${ADMIN2_ID}`);
  h.person('family', `telegram:${KID_ID}`);
  await fake.waitForPoll();
});

after(async () => {
  await h?.close();
  await fake?.close();
});

/** The kid runs /pallow, is refused, presses "Ask an admin"; returns each approver's request message. */
async function kidAsks(domain: string): Promise<{ admin: StoredMessage; admin2: StoredMessage }> {
  const kidSeen = fake.messagesTo(KID_ID).length;
  fake.sendText(KID_ID, KID_ID, `/pallow ${domain}`);
  const denied = await next(KID_ID, kidSeen, /ask an admin to approve/);
  fake.pressButton(KID_ID, KID_ID, denied.message_id, button(denied, /Ask an admin/));
  await next(KID_ID, kidSeen, /asked the admins/);
  const ask = new RegExp(`asks to run /pallow [\\s\\S]*site = ${domain.replace(/\./g, '\\.')}`);
  const admin = await fake.waitForMessage(ADMIN_ID, has(ask));
  const admin2 = await fake.waitForMessage(ADMIN2_ID, has(ask));
  await fake.waitForMessage(OWNER_ID, has(ask));
  assert.equal(fake.messagesTo(KID_ID).filter(has(ask)).length, 0, 'the requester is not asked to approve');
  return { admin, admin2 };
}

describe('approvals through Telegram', () => {
  test("approve: runs once as the requester with the approver recorded; other admins' buttons close", async () => {
    const { admin, admin2 } = await kidAsks('a.example.org');
    fake.pressButton(ADMIN_ID, ADMIN_ID, admin.message_id, button(admin, /^Approve$/));
    await fake.waitForMessage(ADMIN_ID, has(/Approved\. I ran \/pallow · site = a\.example\.org/));
    await fake.waitForMessage(KID_ID, has(/approved your request: \/pallow · site = a\.example\.org/));
    await fake.waitForMessage(KID_ID, has(/allowed a\.example\.org/));
    assert.deepEqual(runs, ['a.example.org as telegram:3001 approved by telegram:2001']);

    fake.pressButton(ADMIN2_ID, ADMIN2_ID, admin2.message_id, button(admin2, /^Approve$/));
    await fake.waitForMessage(ADMIN2_ID, has(/already used/));
    assert.equal(runs.length, 1, 'a second approval never runs it again');

    const audit = h.app.db.prepare("SELECT identity, command, result, detail FROM audit_log WHERE command = 'pallow' ORDER BY id").all();
    assert.deepEqual(
      audit.map((r) => (r as { result: string }).result),
      ['denied', 'approved', 'ok'],
    );
    assert.match(String((audit[1] as { detail: string }).detail), /approved by telegram:2001/);
    assert.equal((audit[2] as { identity: string }).identity, 'telegram:3001', 'the run is audited as the requester');
    assert.match(String((audit[2] as { detail: string }).detail), /approved by telegram:2001/, 'and names the approver');
  });

  test('deny: nothing runs and the requester is told', async () => {
    const before = runs.length;
    const { admin } = await kidAsks('b.example.org');
    fake.pressButton(ADMIN_ID, ADMIN_ID, admin.message_id, button(admin, /^Deny$/));
    await fake.waitForMessage(ADMIN_ID, has(/Denied\. I told/));
    await fake.waitForMessage(KID_ID, has(/did not approve your request: \/pallow · site = b\.example\.org/));
    assert.equal(runs.length, before);
  });

  test('the internal approval command cannot be typed, with or without hidden argument keys', async () => {
    const before = fake.messagesTo(ADMIN_ID).length;
    const kidSeen = fake.messagesTo(KID_ID).length;
    const forged = JSON.stringify({ domain: 'youtube.com', '  1': 'x' });
    for (const line of [`/approval-request pallow ${forged}`, `/approval_request pallow ${forged}`, `/approval-decide 1 approve`]) {
      fake.sendText(KID_ID, KID_ID, line);
    }
    await waitFor(
      () =>
        fake
          .messagesTo(KID_ID)
          .slice(kidSeen)
          .filter(has(/I do not know \/approval-/)).length === 3,
      {
        what: 'three unknown-command replies',
      },
    );
    assert.equal(fake.messagesTo(ADMIN_ID).length, before, 'no admin was asked');
  });

  test('the approver sees every argument as name = value, untruncated, with the summary and the requester', async () => {
    const long = `${'a'.repeat(186)}.example.org`; // 198 characters: the old prompt cut the line at 200
    const { admin } = await kidAsks(long);
    assert.match(admin.text ?? '', /family \d+ asks to run \/pallow \(What you can do\)/);
    assert.ok((admin.text ?? '').includes(`site = ${long}`), 'the whole value is shown');
    fake.pressButton(ADMIN_ID, ADMIN_ID, admin.message_id, button(admin, /^Deny$/));
    await fake.waitForMessage(ADMIN_ID, has(/Denied\. I told/));
  });

  test('an admin who lost the permission cannot approve', async () => {
    const before = runs.length;
    const { admin } = await kidAsks('c.example.org');
    const owner = h.app.access.resolve(`telegram:${OWNER_ID}`)!;
    assert.ok(h.app.permissions.management.revoke(owner, 'admin', 'pihole.domain.allow').ok);
    try {
      fake.pressButton(ADMIN_ID, ADMIN_ID, admin.message_id, button(admin, /^Approve$/));
      await fake.waitForMessage(ADMIN_ID, has(/cannot decide this request/));
      assert.equal(runs.length, before);
    } finally {
      h.app.permissions.management.grant(owner, 'admin', 'pihole.domain.allow');
    }
  });
});

describe('strangers and invites through Telegram', () => {
  test('the owner is told once about a stranger and can let them in with one button', async () => {
    const STRANGER = 4242;
    fake.sendText(STRANGER, { id: STRANGER, first_name: 'Grandma' }, '/status');
    await fake.waitForMessage(STRANGER, has(/private bot/));
    fake.sendText(STRANGER, { id: STRANGER, first_name: 'Grandma' }, '/help');
    const notice = await fake.waitForMessage(OWNER_ID, has(/Grandma \(telegram:4242\) wrote to the bot/));
    // The second message has been handled once the stranger record counts it.
    await waitFor(() => h.app.db.prepare("SELECT attempts FROM unknown_users WHERE identity = 'telegram:4242'").pluck().get() === 2);
    await fake.waitForPoll();
    assert.equal(fake.messagesTo(OWNER_ID).filter(has(/telegram:4242/)).length, 1, 'told once');
    fake.pressButton(OWNER_ID, OWNER_ID, notice.message_id, button(notice, /Invite as family/));
    await fake.waitForMessage(OWNER_ID, has(/Grandma is now family/));
    await fake.waitForMessage(STRANGER, has(/You were added as family/));
    assert.equal(h.app.access.resolve('telegram:4242')?.role, 'family');
  });

  test('/invite gives a t.me deep link that works once', async () => {
    fake.sendText(OWNER_ID, OWNER_ID, '/invite guest');
    const m = await fake.waitForMessage(OWNER_ID, has(/https:\/\/t\.me\/test_bot\?start=/));
    const code = /start=([0-9A-Z]+)/.exec(m.text ?? '')?.[1];
    assert.ok(code);
    fake.sendText(5151, 5151, `/start ${code}`);
    await fake.waitForMessage(5151, has(/You joined as guest/));
    fake.sendText(5252, 5252, `/start ${code}`);
    await fake.waitForMessage(5252, has(/already used/));
    assert.equal(h.app.access.resolve('telegram:5252'), undefined);
  });
});
