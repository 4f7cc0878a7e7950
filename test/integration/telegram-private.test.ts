/**
 * Private by construction, end to end through the fake Bot API: in a supergroup, replies
 * meant for one person (identity, audit, Wi-Fi password + QR) go to their private chat with a
 * note in the group, one-time-code commands are refused, and someone who never started the
 * bot is told how to start it instead of the answer being posted to everyone.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startFakeTelegram, type FakeTelegram, type StoredMessage } from '../fakes/telegram-api.ts';
import { startDemoTestApp, type TestApp } from '../support/app-harness.ts';

const TOKEN = '123456:TEST-TOKEN-abcdefghijklmnopqrstuv';
const OWNER_ID = 1000;
const FAMILY_ID = 3001;
const GROUP = { id: -100777, type: 'supergroup' as const, title: 'Family' };

let fake: FakeTelegram;
let h: TestApp;

before(async () => {
  fake = await startFakeTelegram({ token: TOKEN, maxHoldMs: 300 });
  h = await startDemoTestApp({ telegram: { token: TOKEN, apiRoot: fake.apiRoot, ownerIds: [OWNER_ID] } });
  h.app.permissions.people.enroll(`telegram:${FAMILY_ID}`, 'Kid', 'family');
  await fake.waitForPoll();
});

after(async () => {
  await h?.close();
  await fake?.close();
});

const all = (chatId: number): string => fake.messagesTo(chatId).map(visible).join('\n');
const visible = (m: StoredMessage): string => `${m.text ?? ''}${m.caption ?? ''}`;

describe('Telegram group: one person’s things never reach the group', () => {
  test('/invite in a group is refused and no code is made or shown', async () => {
    const before = fake.messagesTo(OWNER_ID).length;
    const peopleBefore = h.app.permissions.people.all().length;
    fake.sendText(GROUP, OWNER_ID, '/invite family');
    const m = await fake.waitForMessage(GROUP.id, (x) => /one-time code/.test(x.text ?? ''));
    assert.match(m.text ?? '', /only works in a private chat/);
    assert.doesNotMatch(all(GROUP.id), /start=|Code:|[A-Z0-9]{8,}/);
    assert.equal(fake.messagesTo(OWNER_ID).length, before, 'nothing was sent privately either');
    assert.equal(h.app.permissions.people.all().length, peopleBefore, 'no invite was redeemed or created behind the scenes');
  });

  test('/link in a group is refused and shows no code', async () => {
    fake.sendText(GROUP, OWNER_ID, '/link');
    await fake.waitForMessage(GROUP.id, (x) => /\/link makes a one-time code/.test(x.text ?? ''));
    assert.doesNotMatch(all(GROUP.id), /\/link [A-Z0-9]{6,}/);
  });

  test('/whoami in a group answers privately with a note in the group', async () => {
    fake.sendText(GROUP, OWNER_ID, '/whoami');
    const note = await fake.waitForMessage(GROUP.id, (x) => /private message/.test(x.text ?? ''));
    assert.ok(note);
    const dm = await fake.waitForMessage(OWNER_ID, (x) => /telegram:1000/.test(x.text ?? ''));
    assert.match(dm.text ?? '', /Who am I|Identity/i);
    assert.doesNotMatch(all(GROUP.id), /telegram:1000/);
  });

  test('/wifi in a group sends the password and QR privately', async () => {
    const groupBefore = fake.messagesTo(GROUP.id).length;
    fake.sendText(GROUP, OWNER_ID, '/wifi');
    const photo = await fake.waitForMessage(OWNER_ID, (x) => Boolean(x.photo));
    assert.match(photo.caption ?? '', /Password/i);
    const note = await fake.waitForMessage(GROUP.id, (x) => fake.messagesTo(GROUP.id).indexOf(x) >= groupBefore);
    assert.match(note.text ?? '', /private message/);
    assert.equal(fake.messagesTo(GROUP.id).filter((x) => x.photo).length, 0, 'no QR in the group');
    assert.doesNotMatch(all(GROUP.id), /Password/i);
  });

  test('/audit in a group goes to the owner privately', async () => {
    const groupBefore = fake.messagesTo(GROUP.id).length;
    const dmBefore = fake.messagesTo(OWNER_ID).length;
    fake.sendText(GROUP, OWNER_ID, '/audit');
    const dm = await fake.waitForMessage(OWNER_ID, (x) => fake.messagesTo(OWNER_ID).indexOf(x) >= dmBefore);
    assert.match(dm.text ?? '', /Audit|Nothing recorded/i);
    const note = await fake.waitForMessage(GROUP.id, (x) => fake.messagesTo(GROUP.id).indexOf(x) >= groupBefore);
    assert.match(note.text ?? '', /private message/);
    assert.equal(fake.messagesTo(GROUP.id).length, groupBefore + 1, 'only the note reaches the group');
  });

  test('someone who never started the bot is told how to, and the answer is not posted', async () => {
    fake.neverStarted(FAMILY_ID);
    fake.sendText(GROUP, FAMILY_ID, '/whoami');
    const m = await fake.waitForMessage(GROUP.id, (x) => /cannot write to you privately/.test(x.text ?? ''));
    assert.match(m.text ?? '', /https:\/\/t\.me\/test_bot/);
    assert.doesNotMatch(all(GROUP.id), /telegram:3001/);
    assert.equal(fake.messagesTo(FAMILY_ID).length, 0);
  });

  test('a /link code pasted into the group is cancelled: nobody who read it can link with it', async () => {
    const before = fake.messagesTo(OWNER_ID).length;
    fake.sendText(OWNER_ID, OWNER_ID, '/link');
    const made = await fake.waitForMessage(
      OWNER_ID,
      (x) => fake.messagesTo(OWNER_ID).indexOf(x) >= before && /\/link [A-Z0-9]{6,}/.test(x.text ?? ''),
    );
    const code = /\/link ([A-Z0-9]{6,})/.exec(made.text ?? '')?.[1];
    assert.ok(code);
    fake.sendText(GROUP, OWNER_ID, `/link ${code}`);
    await fake.waitForMessage(GROUP.id, (x) => /Everyone here saw that code, so it no longer works/.test(x.text ?? ''));
    const other = await h.say('discord:9191', `/link ${code}`);
    assert.doesNotMatch(other.texts.join('\n'), /Linked/);
    assert.equal(h.app.access.resolve('discord:9191'), undefined, 'the reader did not become the owner on Discord');
  });
});
