/**
 * Undoing an Ignore: the Undo button on the Ignore confirmation, and /ignored with a Stop
 * ignoring button per stranger. The whole bot through its pipeline, on a real SQLite file and a
 * manual clock: buttons only for the person they were made for, once, until they expire,
 * authorised again when pressed, every press audited, names and platform ids never in a group.
 */
import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { ManualClock } from '../../src/core/clock.ts';
import { toPlainText, type OutMessage } from '../../src/core/outmessage.ts';
import { typedInput, type ReplySink } from '../../src/handlers/pipeline.ts';
import type { ChatRef } from '../../src/permissions/access.ts';
import { STRANGER_NOTICE_WINDOW_MS } from '../../src/permissions/stranger-notice-fold.ts';
import { buttonToken, OWNER, startTestApp, type TestApp } from '../support/app-harness.ts';

const MINUTE = 60_000;
const DAY = 24 * 3_600_000;

async function app(t: TestContext): Promise<{ h: TestApp; clock: ManualClock }> {
  const clock = new ManualClock(Date.parse('2026-11-25T10:00:00Z'));
  const h = await startTestApp({ timezone: 'UTC' }, { clock });
  t.after(() => h.close());
  return { h, clock };
}

/** The owner's notice about a stranger (the outbox holds what is delivered). */
function notice(h: TestApp, identity: string): OutMessage {
  const payload = h.app.db
    .prepare('SELECT payload FROM alert_outbox WHERE destination = ? AND payload LIKE ? ORDER BY id DESC')
    .pluck()
    .get(OWNER, `%(${identity}) wrote to the bot%`) as string | undefined;
  assert.ok(payload, `a notice about ${identity}`);
  return (JSON.parse(payload) as { message: OutMessage }).message;
}

/** A stranger writes once and the owner presses Ignore on the notice; returns the confirmation. */
async function ignored(h: TestApp, clock: ManualClock, identity: string): Promise<OutMessage> {
  clock.advance(MINUTE);
  await h.say(identity, 'hello?');
  const conv = await h.press(OWNER, buttonToken(notice(h, identity), /^Ignore$/));
  const reply = conv.replies[0]?.message;
  assert.ok(reply, conv.texts.join('\n'));
  return reply;
}

const isIgnored = (h: TestApp, identity: string): boolean => h.app.permissions.people.strangerIgnored(identity);
const lastAudit = (h: TestApp, command: string) =>
  h.app.db.prepare('SELECT identity, args, result FROM audit_log WHERE command = ? ORDER BY id DESC').get(command) as
    { identity: string; args: string; result: string } | undefined;

describe('Undo on the Ignore confirmation', () => {
  test('undoes the Ignore, is audited, and offers the notice’s choice again; the stranger is counted again, still unanswered', async (t) => {
    const { h, clock } = await app(t);
    const stranger = 'telegram:7001';
    const confirmation = await ignored(h, clock, stranger);
    assert.match(toPlainText(confirmation), /Ignoring user 7001/);
    const undo = await h.press(OWNER, buttonToken(confirmation, /^Undo$/));
    assert.match(undo.texts[0] ?? '', /user 7001 is no longer ignored/);
    assert.equal(isIgnored(h, stranger), false);
    const row = lastAudit(h, 'stranger-unignore');
    assert.deepEqual(row && { ...row, args: JSON.parse(row.args) }, { identity: OWNER, args: { identity: stranger }, result: 'ok' });

    clock.advance(MINUTE);
    const attempts = () => h.app.db.prepare('SELECT attempts FROM unknown_users WHERE identity = ?').pluck().get(stranger) as number;
    const before = attempts();
    assert.deepEqual((await h.say(stranger, 'hello again')).texts, [], 'a stranger gets one neutral reply, not one per message');
    assert.equal(attempts(), before + 1, 'counted again');

    const admit = await h.press(OWNER, buttonToken(undo.replies[0]?.message, /Invite as family/));
    assert.match(admit.texts[0] ?? '', /is now family/);
    assert.equal(h.app.access.resolve(stranger)?.role, 'family');
  });

  test('“Ignore” on the undo’s answer ignores them again, with an Undo of its own', async (t) => {
    const { h, clock } = await app(t);
    const stranger = 'telegram:7006';
    const undo = await h.press(OWNER, buttonToken(await ignored(h, clock, stranger), /^Undo$/));
    const again = await h.press(OWNER, buttonToken(undo.replies[0]?.message, /^Ignore$/));
    assert.match(again.texts[0] ?? '', /Ignoring user 7006/);
    assert.equal(isIgnored(h, stranger), true);
    assert.deepEqual(h.app.db.prepare("SELECT command, result FROM audit_log WHERE command LIKE 'stranger-%' ORDER BY id").all(), [
      { command: 'stranger-ignore', result: 'ok' },
      { command: 'stranger-unignore', result: 'ok' },
      { command: 'stranger-ignore', result: 'ok' },
    ]);
    assert.match((await h.press(OWNER, buttonToken(again.replies[0]?.message, /^Undo$/))).texts[0] ?? '', /no longer ignored/);
  });

  test('only for the person it was made for, once, within a day; a second Undo is “already used”', async (t) => {
    const { h, clock } = await app(t);
    const stranger = 'telegram:7002';
    const token = buttonToken(await ignored(h, clock, stranger), /^Undo$/);
    const admin = h.person('admin');
    assert.match((await h.press(admin, token)).texts.join('\n'), /This button belongs to someone else\./);
    assert.equal(isIgnored(h, stranger), true);
    assert.match((await h.press(OWNER, token)).texts[0] ?? '', /no longer ignored/);
    assert.match((await h.press(OWNER, token)).texts.join('\n'), /already used/);

    const late = buttonToken(await ignored(h, clock, 'telegram:7003'), /^Undo$/);
    clock.advance(DAY + MINUTE);
    assert.match((await h.press(OWNER, late)).texts.join('\n'), /expired/);
    assert.equal(isIgnored(h, 'telegram:7003'), true);
  });

  test('authorised again when pressed: someone who lost the permission meanwhile is refused, and that is audited', async (t) => {
    const { h, clock } = await app(t);
    const admin = h.person('admin');
    const stranger = 'telegram:7004';
    clock.advance(MINUTE);
    await h.say(stranger, 'hi');
    h.app.permissions.people.ignoreStranger(stranger, OWNER);
    const list = await h.say(admin, '/ignored');
    const token = buttonToken(list.replies[0]?.message, /Stop ignoring user 7004/);
    const person = h.app.permissions.people.resolve(admin);
    assert.ok(person);
    h.app.permissions.people.setRole(person.personId, 'family');
    assert.match((await h.press(admin, token)).texts.join('\n'), /You are not allowed to do that here\./);
    assert.equal(isIgnored(h, stranger), true);
    assert.equal(lastAudit(h, 'stranger-unignore')?.result, 'denied');
  });

  test('a stranger forgotten meanwhile: the button says so and changes nothing', async (t) => {
    const { h, clock } = await app(t);
    const stranger = 'telegram:7005';
    const token = buttonToken(await ignored(h, clock, stranger), /^Undo$/);
    h.app.db.prepare('DELETE FROM unknown_users WHERE identity = ?').run(stranger);
    assert.match((await h.press(OWNER, token)).texts.join('\n'), /no message from that person, or no longer remember it/);
  });
});

describe('/ignored', () => {
  test('lists the ignored, newest first, with a Stop ignoring button each; pressing one closes the other Undo', async (t) => {
    const { h, clock } = await app(t);
    assert.deepEqual((await h.say(OWNER, '/ignored')).texts, ['Nobody is ignored.']);
    const first = await ignored(h, clock, 'telegram:7101');
    await ignored(h, clock, 'telegram:7102');
    const list = (await h.say(OWNER, '/ignored')).replies[0]?.message;
    assert.ok(list);
    assert.equal(list.title, '2 people ignored');
    assert.equal(list.ephemeral, true);
    const text = toPlainText(list);
    assert.ok(text.indexOf('telegram:7102') < text.indexOf('telegram:7101'), 'newest first');
    assert.match(text, /• user 7101 \(telegram:7101\) · ignored 10:01 by user 1000/, 'who pressed Ignore, by name');
    assert.deepEqual(
      list.actions?.map((row) => row.map((a) => a.label)),
      [['Stop ignoring user 7102'], ['Stop ignoring user 7101']],
    );
    assert.match((await h.press(OWNER, buttonToken(list, /user 7101/))).texts[0] ?? '', /no longer ignored/);
    assert.match((await h.press(OWNER, buttonToken(first, /^Undo$/))).texts.join('\n'), /already used/);
    assert.equal((await h.say(OWNER, '/ignored')).replies[0]?.message.title, '1 person ignored');
  });

  test('in Spanish, with correct plurals, and more than fit are counted', async (t) => {
    const { h, clock } = await app(t);
    for (let i = 0; i < 12; i++) {
      // Each in a window of its own: a dozen new strangers at once would fold into one notice with no buttons.
      clock.advance(STRANGER_NOTICE_WINDOW_MS);
      await ignored(h, clock, `telegram:72${String(i).padStart(2, '0')}`);
    }
    h.app.permissions.people.setLanguage(OWNER, 'es');
    const list = (await h.say(OWNER, '/ignored')).replies[0]?.message;
    assert.ok(list);
    assert.equal(list.title, '12 personas ignoradas');
    assert.match(toPlainText(list), /No se muestran 2 más, ignoradas antes\./);
    assert.equal(list.actions?.length, 10);
    assert.match(list.actions?.[0]?.[0]?.label ?? '', /^Dejar de ignorar a user 7211$/);
    assert.match((await h.press(OWNER, buttonToken(list, /user 7211$/))).texts[0] ?? '', /user 7211 ya no está ignorado/);
    assert.match(
      toPlainText((await h.say(OWNER, '/ignored')).replies[0]?.message ?? { blocks: [] }),
      /No se muestra 1 más, ignorada antes\./,
    );
  });

  test('family may not list them; in a group the list goes privately and the group only gets a note', async (t) => {
    const { h, clock } = await app(t);
    await ignored(h, clock, 'telegram:7301');
    const family = h.person('family');
    assert.doesNotMatch((await h.say(family, '/ignored')).texts.join('\n'), /7301/);
    const group: OutMessage[] = [];
    const direct: OutMessage[] = [];
    const nothing = { edit: async () => undefined };
    const sink: ReplySink = {
      send: async (m) => (group.push(m), nothing),
      sendPrivately: async (m: OutMessage) => (direct.push(m), { ok: true as const, handle: nothing }),
    };
    const chat: ChatRef = { platform: 'telegram', id: '-100777', kind: 'group' };
    await h.app.pipeline.handle({ chat, user: { identity: OWNER, displayName: 'Owner' }, input: typedInput('/ignored') }, sink);
    assert.doesNotMatch(group.map(toPlainText).join('\n'), /7301/);
    assert.match(group.map(toPlainText).join('\n'), /private/i);
    assert.match(direct.map(toPlainText).join('\n'), /telegram:7301/);
  });
});
