/**
 * The household's journeys, outside in: the whole bot against the demo homelab, driven through
 * the fake Telegram Bot API by an owner, an admin, two family members (Lucia; Ana, who speaks
 * Spanish), a guest and a stranger, with a family supergroup whose every message all of them
 * read. Each journey asserts what the group saw as well as what the actor got.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ManualClock } from '../../src/core/clock.ts';
import { PiholeClient } from '../../src/services/pihole/client.ts';
import { RouterOsClient } from '../../src/services/routeros/client.ts';
import { startFakeTelegram, type FakeTelegram, type StoredMessage, type UserRef } from '../fakes/telegram-api.ts';
import { startDemoTestApp, type TestApp } from '../support/app-harness.ts';
import { assertNoEnglish } from '../support/language.ts';
import { buttonData, buttonLabels, seenText } from '../support/telegram-messages.ts';
import { waitFor } from '../support/real-server.ts';

const TOKEN = '123456:TEST-TOKEN-abcdefghijklmnopqrstuv';
const OWNER_ID = 1000;
const ADMIN_ID = 2001;
const LUCIA_ID = 3001;
const ANA_ID = 3002;
const GUEST_ID = 5001;
const STRANGER_ID = 6001;
const GROUP = { id: -100555, type: 'supergroup' as const, title: 'Family' };

const LUCIA: UserRef = { id: LUCIA_ID, first_name: 'Lucia', language_code: 'en' };
const ANA: UserRef = { id: ANA_ID, first_name: 'Ana', language_code: 'es' };
const ADMIN: UserRef = { id: ADMIN_ID, first_name: 'Marco', language_code: 'en' };
const OWNER: UserRef = { id: OWNER_ID, first_name: 'Olga', language_code: 'en' };
const GUEST: UserRef = { id: GUEST_ID, first_name: 'Gus', language_code: 'en' };
const STRANGER: UserRef = { id: STRANGER_ID, first_name: 'Mallory', language_code: 'en' };

let fake: FakeTelegram;
let h: TestApp & { readonly labConfig: Readonly<Record<string, unknown>> };
let pihole: PiholeClient;
const clock = new ManualClock(Date.UTC(2026, 10, 30, 17, 0, 0));

before(async () => {
  fake = await startFakeTelegram({ token: TOKEN, maxHoldMs: 300 });
  h = await startDemoTestApp({ language: 'en', telegram: { token: TOKEN, apiRoot: fake.apiRoot, ownerIds: [OWNER_ID] } }, { clock });
  const people = h.app.permissions.people;
  // The demo's family members, now on Telegram too (their devices stay theirs).
  people.attach(people.find('console:lucia')!.personId, `telegram:${LUCIA_ID}`, 'Lucia');
  people.attach(people.find('console:ana')!.personId, `telegram:${ANA_ID}`, 'Ana');
  people.enroll(`telegram:${ADMIN_ID}`, 'Marco', 'admin');
  people.enroll(`telegram:${GUEST_ID}`, 'Gus', 'guest');
  const lab = h.labConfig as { pihole: { url: string; password: string } };
  pihole = new PiholeClient({ baseUrl: lab.pihole.url, password: lab.pihole.password, timeoutMs: 3000 });
  await fake.waitForPoll();
});

after(async () => {
  await pihole?.close();
  await h?.close();
  await fake?.close();
});

const labels = buttonLabels;
const seen = seenText;
const button = buttonData;
/** Everything the group's readers have seen so far. */
const groupSaw = (from = 0): string => fake.messagesTo(GROUP.id).slice(from).map(seen).join('\n---\n');

/** The next bot message to a chat after the first `from` ones that matches. */
function next(chatId: number, from: number, re: RegExp): Promise<StoredMessage> {
  return fake.waitForMessage(chatId, (m) => fake.messagesTo(chatId).indexOf(m) >= from && re.test(seen(m)));
}

const count = (chatId: number): number => fake.messagesTo(chatId).length;

/** Waits until the bot consumed every update queued so far and is polling again (nothing more is coming from them). */
async function settled(): Promise<void> {
  await waitFor(() => fake.pendingUpdates() === 0 && fake.unansweredCallbacks().length === 0, { what: 'updates consumed' });
  await fake.waitForPoll();
}

describe('guest WiFi in the family group', () => {
  test('a family member asks in the group: the password and QR go to her privately, the group gets only a note', async () => {
    const g0 = count(GROUP.id);
    const d0 = count(LUCIA_ID);
    fake.sendText(GROUP, LUCIA, '/wifi');
    const dm = await next(LUCIA_ID, d0, /Password/);
    assert.ok(dm.photo, 'the QR code comes as a photo');
    const note = await next(GROUP.id, g0, /private message/);
    await settled();
    assert.equal(count(GROUP.id), g0 + 1, 'the note is all the group gets');
    assert.equal(fake.messagesTo(GROUP.id).filter((m) => m.photo).length, 0, 'no QR in the group');
    const password = /Password\W+(\S+)/.exec(dm.caption ?? '')?.[1];
    assert.ok(password && password.length >= 8, `a password in ${dm.caption}`);
    assert.ok(!groupSaw().includes(password), 'the password never reaches the group');
    assert.doesNotMatch(seen(note), /Password|WIFI:/i);
  });

  test('a Spanish family member asks in the group: the note and the private answer are in Spanish', async () => {
    const g0 = count(GROUP.id);
    const d0 = count(ANA_ID);
    fake.sendText(GROUP, ANA, '/wifi');
    const dm = await next(ANA_ID, d0, /Contraseña/);
    assertNoEnglish(h.app.messages, seen(dm), []);
    const note = await next(GROUP.id, g0, /mensaje privado/);
    assertNoEnglish(h.app.messages, seen(note));
    assert.equal(fake.messagesTo(GROUP.id).filter((m) => m.photo).length, 0);
  });
});

/** The Pi-hole allow entry for a domain as Pi-hole holds it now. */
async function allowEntry(domain: string) {
  const r = await pihole.domainEntry('allow', 'exact', domain);
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value;
}

describe('unblocking a site for an hour from the family group', () => {
  const SITE = 'app-measurement.com';
  let result: StoredMessage;

  test('a family member unblocks it on her own devices; the group sees the answer and buttons only she may press', async () => {
    const g0 = count(GROUP.id);
    fake.sendText(GROUP, LUCIA, `/unblock ${SITE} 1h`);
    result = await next(GROUP.id, g0, /unblocked on your devices for 1h/);
    assert.deepEqual(labels(result), ['Keep it allowed', 'Block it again now', 'Ask an admin: for everyone']);
    const entry = await allowEntry(SITE);
    assert.ok(entry, 'Pi-hole has the allow entry');
    assert.ok(!entry.groups.includes(0), 'not for everyone: only the groups of her devices');
  });

  test('someone else pressing her button in the group is refused neutrally and nothing runs, whatever their role', async () => {
    const g0 = count(GROUP.id);
    for (const who of [ADMIN, OWNER, GUEST]) fake.pressButton(GROUP, who, result.message_id, button(result, /Block it again/));
    await waitFor(
      () =>
        fake
          .messagesTo(GROUP.id)
          .slice(g0)
          .filter((m) => /belongs to someone else/.test(m.text ?? '')).length === 3,
      {
        what: 'three refusals',
      },
    );
    await settled();
    assert.equal(count(GROUP.id), g0 + 3, 'one neutral line each, nothing else');
    assert.ok(await allowEntry(SITE), 'still unblocked for her');
  });

  test('a stranger pressing it gets the one neutral line and uses nothing up', async () => {
    const g0 = count(GROUP.id);
    const o0 = count(OWNER_ID);
    fake.pressButton(GROUP, STRANGER, result.message_id, button(result, /Block it again/));
    await next(GROUP.id, g0, /^Sorry, this is a private bot\.$/);
    await next(OWNER_ID, o0, /Mallory \(telegram:6001\) wrote to the bot/);
    await settled();
    assert.equal(count(GROUP.id), g0 + 1);
    assert.doesNotMatch(groupSaw(g0), /telegram:6001/, 'the notice with the identity went to the owner only');
    assert.ok(await allowEntry(SITE));
  });

  describe('asking an admin to unblock it for everyone', () => {
    let approvalAdmin: StoredMessage;
    let approvalOwner: StoredMessage;
    let approvedOutput: StoredMessage;

    test('the approvers get, privately, exactly what will run; she is told privately, the group only gets a note', async () => {
      const g0 = count(GROUP.id);
      const a0 = count(ADMIN_ID);
      const o0 = count(OWNER_ID);
      const l0 = count(LUCIA_ID);
      fake.pressButton(GROUP, LUCIA, result.message_id, button(result, /for everyone/));
      // The answer will come privately (the approved run's output is hers), so the line does not say "here".
      const asked = await next(LUCIA_ID, l0, /I asked the admins/);
      assert.equal(asked.text, 'I asked the admins. I will tell you their answer in a private message.');
      await next(GROUP.id, g0, /^I sent you the answer in a private message\.$/);
      approvalAdmin = await next(ADMIN_ID, a0, /asks to run \/unblock-everyone/);
      approvalOwner = await next(OWNER_ID, o0, /asks to run \/unblock-everyone/);
      for (const m of [approvalAdmin, approvalOwner]) {
        assert.match(m.text ?? '', new RegExp(`site = ${SITE.replace(/\./g, '\\.')}\\n.*= 60m`));
        assert.deepEqual(labels(m), ['Approve', 'Deny']);
      }
      await settled();
      assert.doesNotMatch(groupSaw(g0), /Approve|Deny|unblock-everyone/, 'no approval button or request reaches the group');
    });

    test('an approval pressed by someone else is refused; the approver’s own press runs it once, as shown', async () => {
      const a0 = count(ADMIN_ID);
      // The owner forwards nothing: a press of the admin's button from any other account is not theirs.
      fake.pressButton(ADMIN_ID, LUCIA, approvalAdmin.message_id, button(approvalAdmin, /^Approve$/));
      fake.pressButton(ADMIN_ID, GUEST, approvalAdmin.message_id, button(approvalAdmin, /^Approve$/));
      await settled();
      assert.ok(!(await allowEntry(SITE))?.groups.includes(0), 'still not for everyone');

      const l0 = count(LUCIA_ID);
      fake.pressButton(ADMIN_ID, ADMIN, approvalAdmin.message_id, button(approvalAdmin, /^Approve$/));
      await next(ADMIN_ID, a0, /Approved\. I ran \/unblock-everyone · site = app-measurement\.com · .* = 60m for Lucia/);
      await next(LUCIA_ID, l0, /Marco approved your request/);
      const output = await next(LUCIA_ID, l0, /app-measurement\.com is unblocked for 1h\./);
      const entry = await allowEntry(SITE);
      assert.ok(entry?.groups.includes(0), 'now for everyone');
      approvedOutput = output;

      // Twice, and the other approver's copy: nothing runs again.
      const o0 = count(OWNER_ID);
      fake.pressButton(ADMIN_ID, ADMIN, approvalAdmin.message_id, button(approvalAdmin, /^Approve$/));
      fake.pressButton(OWNER_ID, OWNER, approvalOwner.message_id, button(approvalOwner, /^Approve$/));
      await next(ADMIN_ID, a0, /already used/);
      await next(OWNER_ID, o0, /already used/);
      await settled();
      const runs = h.app.db.prepare("SELECT count(*) FROM audit_log WHERE command = 'unblock-everyone' AND result = 'ok'").pluck().get();
      assert.equal(runs, 1, 'it ran exactly once');
    });

    test("her 'Block it again now' on the approved answer tells the truth: her own unblock ended, the household's holds", async () => {
      const l0 = count(LUCIA_ID);
      fake.pressButton(LUCIA_ID, LUCIA, approvedOutput.message_id, button(approvedOutput, /Block it again now/));
      const m = await next(LUCIA_ID, l0, /app-measurement\.com/);
      assert.equal(m.text, 'app-measurement.com: your unblock ended, but it stays unblocked for everyone for 1h more.');
      assert.ok((await allowEntry(SITE))?.groups.includes(0), 'still for everyone, as she was told');
    });

    test('an approval pressed after its request expired runs nothing', async () => {
      const SITE2 = 'links.newsletter.example';
      const g0 = count(GROUP.id);
      const a0 = count(ADMIN_ID);
      fake.sendText(GROUP, LUCIA, `/unblock ${SITE2} 1h`);
      const r = await next(GROUP.id, g0, /links\.newsletter\.example is unblocked on your devices/);
      fake.pressButton(GROUP, LUCIA, r.message_id, button(r, /for everyone/));
      const ask = await next(ADMIN_ID, a0, /asks to run \/unblock-everyone[\s\S]*links\.newsletter\.example/);
      clock.advance(24 * 3_600_000 + 1000);
      fake.pressButton(ADMIN_ID, ADMIN, ask.message_id, button(ask, /^Approve$/));
      await next(ADMIN_ID, a0, /expired/);
      await settled();
      assert.ok(!(await allowEntry(SITE2))?.groups.includes(0), 'never for everyone');
    });

    test('when the hours are up every unblock ends by itself and the group, where they were asked, is told', async () => {
      // The day moved on above: each hold (hers on her devices, the household's) is past its hour.
      const db = h.app.db;
      await waitFor(() => db.prepare('SELECT count(*) FROM deadlines').pluck().get() === 0, { what: 'every hold ended' });
      assert.equal(await allowEntry(SITE), undefined, 'Pi-hole blocks it again');
      assert.equal(await allowEntry('links.newsletter.example'), undefined);
      // Every notice queued for the group is delivered before the next journey counts its messages.
      await waitFor(() => db.prepare("SELECT count(*) FROM alert_outbox WHERE status <> 'sent'").pluck().get() === 0, {
        what: 'notices sent',
      });
      for (const site of [SITE, 'links.newsletter.example'])
        await next(GROUP.id, 0, new RegExp(`^${site.replace(/\./g, '\\.')} is blocked again, as planned\\.$`));
    });
  });
});

describe('the approver sees the duration that will run', () => {
  for (const [line, shown, ran] of [
    ['3d', '1440m', /unblocked for 1d\./],
    ['', '60m', /unblocked for 1h\./],
  ] as const) {
    test(`/unblock ${line || 'without a duration'}: the request shows ${shown}, and that is what runs`, async () => {
      const site = line ? 'telemetry.tv-vendor.example' : 'ads.games.example';
      const g0 = count(GROUP.id);
      const a0 = count(ADMIN_ID);
      const l0 = count(LUCIA_ID);
      fake.sendText(GROUP, LUCIA, `/unblock ${site} ${line}`.trim());
      const r = await next(GROUP.id, g0, new RegExp(`${site.replace(/\./g, '\\.')} is unblocked on your devices`));
      fake.pressButton(GROUP, LUCIA, r.message_id, button(r, /for everyone/));
      const ask = await next(ADMIN_ID, a0, new RegExp(`asks to run /unblock-everyone[\\s\\S]*${site.replace(/\./g, '\\.')}`));
      const lines = (ask.text ?? '').split('\n').filter((x) => / = /.test(x));
      assert.deepEqual(lines, [`site = ${site}`, `duration = ${shown}`]);
      fake.pressButton(ADMIN_ID, ADMIN, ask.message_id, button(ask, /^Approve$/));
      const out = await next(LUCIA_ID, l0, new RegExp(`^${site.replace(/\./g, '\\.')} is unblocked for`));
      assert.match(out.text ?? '', ran);
      assert.doesNotMatch(out.text ?? '', /longer than allowed/, 'nothing was cut short after the approval');
    });
  }
});

describe('a guest and a stranger get nothing they should not', () => {
  test('a guest in the group: /help shows only what a guest may do; /wifi, /unblock and /allow are refused plainly', async () => {
    const g0 = count(GROUP.id);
    fake.sendText(GROUP, GUEST, '/help');
    const help = await next(GROUP.id, g0, /Commands/);
    assert.doesNotMatch(seen(help), /\/wifi|\/unblock|\/status|\/guests|\/allow/);
    for (const line of ['/wifi', '/unblock app-measurement.com', '/allow example.org', '/whoami']) {
      const before = count(GROUP.id);
      fake.sendText(GROUP, GUEST, line);
      const m = await next(GROUP.id, before, /./);
      assert.equal(m.text, '⚠️ You are not allowed to do that here.', line);
      assert.deepEqual(labels(m), [], `${line}: a guest cannot ask an admin, so no button`);
    }
    await settled();
    assert.equal(fake.messagesTo(GROUP.id).filter((m) => m.photo).length, 0, 'no QR in the group');
    assert.equal(count(GUEST_ID), 0, 'nothing privately either');
  });

  test('a stranger in the group gets one neutral line, then nothing; the owner alone hears of them', async () => {
    const NEW: UserRef = { id: 6002, first_name: 'Eve', language_code: 'en' };
    const g0 = count(GROUP.id);
    const o0 = count(OWNER_ID);
    fake.sendText(GROUP, NEW, '/wifi');
    await next(GROUP.id, g0, /^Sorry, this is a private bot\.$/);
    await next(OWNER_ID, o0, /Eve \(telegram:6002\) wrote to the bot/);
    fake.sendText(GROUP, NEW, '/help');
    fake.sendText(GROUP, NEW, '/status');
    await settled();
    assert.equal(count(GROUP.id), g0 + 1, 'told once');
    assert.equal(count(6002), 0, 'nothing privately');
    assert.doesNotMatch(groupSaw(g0), /telegram:6002|Invite as family/);
  });
});

describe('buttons in the group are built for their viewer and re-checked for the presser', () => {
  let adminGuests: StoredMessage;

  test("a family member's /guests has no power buttons (every guest runs; stopping one is an admin's); an admin's has them", async () => {
    const g0 = count(GROUP.id);
    fake.sendText(GROUP, LUCIA, '/guests');
    const family = await next(GROUP.id, g0, /Guests on/);
    assert.match(seen(family), /nas \(VM 100\): running/);
    assert.deepEqual(labels(family), []);
    const g1 = count(GROUP.id);
    fake.sendText(GROUP, ADMIN, '/guests');
    adminGuests = await next(GROUP.id, g1, /Shut down/);
    assert.ok(labels(adminGuests).some((l) => /Force off/.test(l)));
  });

  test("the admin's button pressed by the family member is refused and runs nothing", async () => {
    const g0 = count(GROUP.id);
    fake.pressButton(GROUP, LUCIA, adminGuests.message_id, button(adminGuests, /Force off/));
    await next(GROUP.id, g0, /belongs to someone else/);
    await settled();
    assert.equal(count(GROUP.id), g0 + 1, 'no confirmation was asked of anyone');
  });

  test("an admin's confirmation asked in the group is his alone; his Yes runs once and the new password goes to him privately", async () => {
    const g0 = count(GROUP.id);
    const a0 = count(ADMIN_ID);
    const passphrase = async (): Promise<string | undefined> => {
      const lab = h.labConfig as { router: { url: string; username: string; password: string } };
      const rc = new RouterOsClient({ baseUrl: lab.router.url, username: lab.router.username, password: lab.router.password });
      try {
        const g = await rc.guestWifi();
        return g.ok ? g.value.passphrase : undefined;
      } finally {
        await rc.close();
      }
    };
    const before = await passphrase();
    fake.sendText(GROUP, ADMIN, '/rotatewifi');
    const question = await next(GROUP.id, g0, /Change the guest WiFi password\?/);
    assert.deepEqual(labels(question), ['Yes, do it', 'Cancel']);
    const yes = button(question, /Yes, do it/);
    const g1 = count(GROUP.id);
    for (const who of [LUCIA, GUEST]) fake.pressButton(GROUP, who, question.message_id, yes);
    fake.pressButton(GROUP, OWNER, question.message_id, button(question, /Cancel/));
    await waitFor(
      () =>
        fake
          .messagesTo(GROUP.id)
          .slice(g1)
          .filter((m) => /belongs to someone else/.test(m.text ?? '')).length === 3,
      {
        what: 'three refusals',
      },
    );
    await settled();
    assert.equal(await passphrase(), before, 'nothing changed');

    fake.pressButton(GROUP, ADMIN, question.message_id, yes);
    const dm = await next(ADMIN_ID, a0, /new password/);
    await waitFor(() => fake.messagesTo(GROUP.id).find((m) => m.message_id === question.message_id)?.text === 'Confirmed.', {
      what: 'the question closed, its buttons gone',
    });
    const after = await passphrase();
    assert.ok(after && after !== before);
    assert.ok(dm.caption?.includes(after) ?? dm.text?.includes(after), 'the new password is his, privately');
    const g2 = count(GROUP.id);
    fake.pressButton(GROUP, ADMIN, question.message_id, yes);
    await next(GROUP.id, g2, /This button was already used\./);
    await settled();
    assert.equal(await passphrase(), after, 'a second press changes nothing');
    assert.ok(!groupSaw().includes(after), 'the new password never reaches the group');
  });

  test('after the owner limits the group to family, the admin pressing his own earlier button there is refused', async () => {
    const g0 = count(GROUP.id);
    fake.sendText(GROUP, OWNER, '/ceiling family');
    await next(GROUP.id, g0, /everyone acts as family at most/);
    const g1 = count(GROUP.id);
    fake.pressButton(GROUP, ADMIN, adminGuests.message_id, button(adminGuests, /Force off/));
    const m = await next(GROUP.id, g1, /./);
    assert.doesNotMatch(seen(m), /Are you sure|Confirm/i, 'no confirmation: his role here is family now');
    assert.equal(m.text, '⚠️ You are not allowed to do that here.');
    // A new /guests from him in the group is built for family.
    const g2 = count(GROUP.id);
    fake.sendText(GROUP, ADMIN, '/guests');
    const again = await next(GROUP.id, g2, /Guests on/);
    assert.deepEqual(labels(again), []);
    const o0 = count(OWNER_ID);
    fake.sendText(OWNER_ID, OWNER, '/ceiling none telegram:-100555');
    await next(OWNER_ID, o0, /role limit of telegram:-100555 is lifted/);
  });
});

describe("invites, approvals, /audit and people's identities in the group", () => {
  test("the admin's /invite in the group is refused and no code is made or shown", async () => {
    const g0 = count(GROUP.id);
    const invites = () => h.app.db.prepare('SELECT count(*) FROM invites').pluck().get();
    const before = invites();
    fake.sendText(GROUP, ADMIN, '/invite guest');
    const m = await next(GROUP.id, g0, /only works in a private chat/);
    assert.doesNotMatch(seen(m), /start=|[A-Z0-9]{8,}/);
    assert.equal(invites(), before, 'no invite exists');
  });

  for (const [who, line, dm] of [
    [ADMIN, '/audit', /Activity/],
    [ADMIN, '/role', /People[\s\S]*telegram:3001/],
    [ADMIN, '/ignored', /Nobody is ignored|ignored/],
    [LUCIA, '/whoami', /telegram:3001/],
  ] as const) {
    test(`${line} in the group answers ${typeof who === 'number' ? who : who.first_name} privately; the group gets one note`, async () => {
      const id = typeof who === 'number' ? who : who.id;
      const g0 = count(GROUP.id);
      const d0 = count(id);
      fake.sendText(GROUP, who, line);
      await next(id, d0, dm);
      await next(GROUP.id, g0, /I sent you the answer in a private message\./);
      await settled();
      assert.equal(count(GROUP.id), g0 + 1);
      assert.doesNotMatch(groupSaw(g0), /telegram:\d/);
    });
  }

  test('a Spanish family member asks in the group to allow a site for good: in Spanish for her, privately decided, nothing more in the group', async () => {
    const SITE = 'tracker.shop.example';
    const g0 = count(GROUP.id);
    fake.sendText(GROUP, ANA, `/allow ${SITE}`);
    const denied = await next(GROUP.id, g0, /pedir a un administrador/);
    assertNoEnglish(h.app.messages, seen(denied));
    // Lucia pressing Ana's button: not hers.
    const g1 = count(GROUP.id);
    fake.pressButton(GROUP, LUCIA, denied.message_id, button(denied, /Pedir a un admin/));
    await next(GROUP.id, g1, /belongs to someone else/);

    const a0 = count(ADMIN_ID);
    const d0 = count(ANA_ID);
    fake.pressButton(GROUP, ANA, denied.message_id, button(denied, /Pedir a un admin/));
    const asked = await next(ANA_ID, d0, /Se lo he pedido/);
    assert.equal(asked.text, 'Se lo he pedido a los administradores. Te diré su respuesta por mensaje privado.');
    assertNoEnglish(h.app.messages, seen(await next(GROUP.id, g1, /mensaje privado/)));
    const ask = await next(ADMIN_ID, a0, /Ana asks to run \/allow/);
    assert.match(ask.text ?? '', new RegExp(`site = ${SITE.replace(/\./g, '\\.')}$`, 'm'));
    assert.match(ask.text ?? '', /^Asked in the group “Family”$/m);
    fake.pressButton(ADMIN_ID, ADMIN, ask.message_id, button(ask, /^Approve$/));
    const approved = await next(ANA_ID, d0, /Marco ha aprobado tu petición: \/allow · web = tracker\.shop\.example/);
    assertNoEnglish(h.app.messages, seen(approved), ['Marco', 'tracker', 'shop', 'example']);
    const output = await next(ANA_ID, d0, /tracker\.shop\.example queda permitido para siempre\./);
    assertNoEnglish(h.app.messages, seen(output), ['tracker', 'shop', 'example']);
    assert.equal((await allowEntry(SITE))?.comment, 'chat bot: allowed');
    await settled();
    assert.equal(count(GROUP.id), g1 + 2, "only the refusal of Lucia's press and the note for Ana");
  });

  test('someone the bot cannot write to privately asks in the group: told in the group how to start the bot, and after Start the answer reaches them', async () => {
    const TOM: UserRef = { id: 3003, first_name: 'Tom', language_code: 'en' };
    h.app.permissions.people.enroll('telegram:3003', 'Tom', 'family');
    fake.neverStarted(TOM.id);
    const SITE = 'ads.tv-vendor.example';
    const g0 = count(GROUP.id);
    fake.sendText(GROUP, TOM, `/allow ${SITE}`);
    const denied = await next(GROUP.id, g0, /ask an admin to approve/);
    const g1 = count(GROUP.id);
    const a0 = count(ADMIN_ID);
    fake.pressButton(GROUP, TOM, denied.message_id, button(denied, /Ask an admin/));
    // The answer will be a private message he cannot get yet: the group tells him how to open that chat.
    await next(GROUP.id, g1, /cannot write to you privately yet\. Open https:\/\/t\.me\/test_bot, press Start/);
    const ask = await next(ADMIN_ID, a0, /Tom asks to run \/allow/);
    // He opens the private chat and presses Start; then the admin decides.
    fake.sendText(TOM.id, TOM, '/start');
    await next(TOM.id, 0, /Welcome|Hello|Hi/i);
    fake.pressButton(ADMIN_ID, ADMIN, ask.message_id, button(ask, /^Deny$/));
    await next(TOM.id, 0, /Marco did not approve your request: \/allow · site = ads\.tv-vendor\.example/);
    await settled();
    assert.doesNotMatch(groupSaw(g1), /asked the admins|did not approve/);
  });

  test("a push that could not reach someone shows in the group's /alerts by their name, not their account id", async () => {
    const ZOE: UserRef = { id: 3004, first_name: 'Zoe', language_code: 'en' };
    h.app.permissions.people.enroll('telegram:3004', 'Zoe', 'family');
    fake.neverStarted(ZOE.id);
    const g0 = count(GROUP.id);
    const a0 = count(ADMIN_ID);
    fake.sendText(GROUP, ZOE, '/allow telemetry.tv-vendor.example');
    const denied = await next(GROUP.id, g0, /ask an admin to approve/);
    fake.pressButton(GROUP, ZOE, denied.message_id, button(denied, /Ask an admin/));
    const ask = await next(ADMIN_ID, a0, /Zoe asks to run \/allow/);
    // She never opens the private chat: the answer cannot be delivered.
    fake.pressButton(ADMIN_ID, ADMIN, ask.message_id, button(ask, /^Deny$/));
    await waitFor(
      () =>
        h.app.db.prepare("SELECT count(*) FROM alert_outbox WHERE destination = 'telegram:3004' AND status = 'dead'").pluck().get() === 1,
      {
        what: 'the answer given up',
      },
    );
    const g1 = count(GROUP.id);
    fake.sendText(GROUP, LUCIA, '/alerts');
    const alerts = await next(GROUP.id, g1, /Could not be delivered/);
    assert.match(alerts.text ?? '', /Zoe's private chat: gave up/);
    assert.doesNotMatch(alerts.text ?? '', /telegram:\d/);
  });

  test('across every journey the group never saw an identity, a code, a QR code or an approval button', () => {
    const all = groupSaw();
    assert.doesNotMatch(all, /telegram:\d|start=|\/link [A-Z0-9]|Approve|Aprobar|Password|Contraseña/);
    assert.equal(fake.messagesTo(GROUP.id).filter((m) => m.photo).length, 0);
  });
});

describe('a Spanish-speaking family member, pushes included', () => {
  test('her own unblock and pause, asked privately, end with pushes in Spanish', async () => {
    const SITE = 'metrics.guest-app.example';
    const d0 = count(ANA_ID);
    fake.sendText(ANA_ID, ANA, `/unblock ${SITE} 30m`);
    const done = await next(ANA_ID, d0, /está desbloqueado en tus dispositivos durante 30m/);
    assertNoEnglish(h.app.messages, seen(done), ['metrics', 'guest', 'example']);
    fake.sendText(ANA_ID, ANA, '/pausenet iPhone-de-Ana 30m');
    const paused = await next(ANA_ID, d0, /Internet en pausa para/);
    assertNoEnglish(h.app.messages, seen(paused), ['iPhone']);
    await settled();
    // Pushes answer no message: they speak the language her app sent before (she never chose one with /lang).
    clock.advance(31 * 60_000);
    const blocked = await next(ANA_ID, d0, /metrics\.guest-app\.example vuelve a estar bloqueado, como estaba previsto\./);
    assertNoEnglish(h.app.messages, seen(blocked), ['metrics', 'guest', 'example']);
    const back = await next(ANA_ID, d0, /Vuelve el internet para .*iPhone-de-Ana/);
    assertNoEnglish(h.app.messages, seen(back), ['iPhone']);
  });
});

describe('a long request reaches the approver whole', () => {
  test('a family member asks for a magnet link with many trackers (over 2,000 characters): the approver gets all of it', async () => {
    const trackers = Array.from({ length: 40 }, (_, i) => `&tr=${encodeURIComponent(`udp://tracker${i}.example.org:1337/announce`)}`).join(
      '',
    );
    const link = `magnet:?xt=urn:btih:${'c'.repeat(40)}&dn=Family+Holiday+Videos${trackers}`;
    assert.ok(link.length > 2000, `${link.length}`);
    const l0 = count(LUCIA_ID);
    const a0 = count(ADMIN_ID);
    fake.sendText(LUCIA_ID, LUCIA, `/addtorrent ${link} movies`);
    const denied = await next(LUCIA_ID, l0, /ask an admin/);
    fake.pressButton(LUCIA_ID, LUCIA, denied.message_id, button(denied, /Ask an admin/));
    await next(LUCIA_ID, l0, /I asked the admins/);
    await waitFor(
      () =>
        fake
          .messagesTo(ADMIN_ID)
          .slice(a0)
          .some((m) => labels(m).includes('Approve')),
      { what: 'the request with its buttons' },
    );
    const shown = fake
      .messagesTo(ADMIN_ID)
      .slice(a0)
      .map((m) => m.text ?? '')
      .join('');
    assert.ok(shown.includes(link), 'the whole link, untruncated');
    // Approved, the very link shown is what is added.
    const ask = fake
      .messagesTo(ADMIN_ID)
      .slice(a0)
      .find((m) => labels(m).includes('Approve'))!;
    fake.pressButton(ADMIN_ID, ADMIN, ask.message_id, button(ask, /^Approve$/));
    await next(LUCIA_ID, l0, /Download added: Family Holiday Videos → movies\./);
  });
});

describe("/blocked in the family group: which sites someone's devices looked up is theirs", () => {
  /** The domains and device names a /blocked list shows, one `domain — device, age` line each. */
  function listed(m: StoredMessage): string[] {
    const lines = (m.text ?? '').split('\n').filter((x) => x.includes(' — '));
    return lines.flatMap((x) => /^\W*(\S+) — (.+), /.exec(x)?.slice(1) ?? []);
  }

  for (const [who, own] of [
    [LUCIA, /iPad-de-Lucia|Pixel-8/],
    [ADMIN, /LG-webOS-TV/],
  ] as const) {
    test(`${who.first_name}'s /blocked in the group: the list goes to ${who.first_name} privately, the group gets only the note`, async () => {
      const g0 = count(GROUP.id);
      const d0 = count(who.id);
      fake.sendText(GROUP, who, '/blocked');
      const dm = await next(who.id, d0, /Recently blocked/);
      assert.match(dm.text ?? '', own, 'the devices it is about are named, privately');
      const names = listed(dm);
      assert.ok(names.length >= 2, `a domain and a device in ${dm.text}`);
      await next(GROUP.id, g0, /I sent you the answer in a private message\./);
      await settled();
      assert.equal(count(GROUP.id), g0 + 1, 'the note is all the group gets');
      const saw = groupSaw(g0);
      for (const name of names) assert.ok(!saw.includes(name), `${name} reached the group`);
      assert.doesNotMatch(saw, /Recently blocked|Unblock/);
    });
  }

  // Last in the file: a new admin is also asked to approve every request, which the journeys above count.
  test("an admin who never opened a private chat: the group is told how to start one, and sees none of the household's lookups", async () => {
    const IVY: UserRef = { id: 2002, first_name: 'Ivy', language_code: 'en' };
    h.app.permissions.people.enroll('telegram:2002', 'Ivy', 'admin');
    fake.neverStarted(IVY.id);
    const g0 = count(GROUP.id);
    fake.sendText(GROUP, IVY, '/blocked');
    await next(GROUP.id, g0, /cannot write to you privately yet\. Open https:\/\/t\.me\/test_bot, press Start/);
    await settled();
    assert.equal(count(GROUP.id), g0 + 1);
    assert.doesNotMatch(groupSaw(g0), /\.example|doubleclick|app-measurement|LG-webOS-TV|Pixel-8|iPad|iPhone|Recently blocked/);
  });
});
