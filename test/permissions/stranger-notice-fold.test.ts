/**
 * A flood of new strangers (a bot farm, a spam wave in a public group) folds the owners' notices:
 * the first few one by one with their buttons, the rest as one folded notice per window with the
 * right count, in each owner's language, with no buttons and no tokens minted for them; a quiet
 * window later, notices are single again. An owner with two identities has one window. The whole bot through its pipeline, on a real SQLite
 * file and a manual clock; nothing reaches a group.
 */
import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { ManualClock } from '../../src/core/clock.ts';
import { toPlainText, type OutMessage } from '../../src/core/outmessage.ts';
import { STRANGER_NOTICE_WINDOW_MS, STRANGER_NOTICES_PER_WINDOW } from '../../src/permissions/stranger-notice-fold.ts';
import { buttonToken, OWNER, startTestApp, type TestApp } from '../support/app-harness.ts';

const T0 = Date.parse('2026-11-25T22:00:00Z');
const OWNER_ES = 'telegram:1001';
const GROUP = { platform: 'telegram' as const, id: '-100777', kind: 'group' as const };

async function app(t: TestContext, clock: ManualClock, dir?: string): Promise<TestApp> {
  const h = await startTestApp({ permissions: { owners: [OWNER, OWNER_ES] } }, { clock, ...(dir ? { dir } : {}) });
  t.after(() => h.close());
  h.app.permissions.people.setLanguage(OWNER_ES, 'es');
  return h;
}

/** Everything queued for `destination`, in order. */
const sent = (h: TestApp, destination: string): OutMessage[] =>
  (h.app.db.prepare('SELECT payload FROM alert_outbox WHERE destination = ? ORDER BY id').pluck().all(destination) as string[]).map(
    (p) => (JSON.parse(p) as { message: OutMessage }).message,
  );
const titles = (h: TestApp, destination: string): (string | undefined)[] => sent(h, destination).map((m) => m.title);
/** Tokens minted for the notices' buttons, per owner. */
const noticeTokens = (h: TestApp, owner: string): number =>
  h.app.db
    .prepare("SELECT count(*) FROM action_tokens WHERE command IN ('admit', 'stranger-ignore') AND allowed_identity = ?")
    .pluck()
    .get(owner) as number;

/** `n` new strangers write within the same minute, every other one in a public group. */
async function flood(h: TestApp, from: number, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const who = `telegram:${from + i}`;
    await h.say(who, 'buy followers', i % 2 ? GROUP : undefined);
  }
}

const BURST = STRANGER_NOTICES_PER_WINDOW;

describe('a flood of new strangers', () => {
  test('50 at once: each owner gets the first few notices, then one folded notice at the window’s end, in their language', async (t) => {
    const clock = new ManualClock(T0);
    const h = await app(t, clock);
    await flood(h, 5000, 50);
    assert.deepEqual(titles(h, OWNER), Array(BURST).fill('Someone new'));
    assert.deepEqual(titles(h, OWNER_ES), Array(BURST).fill('Alguien nuevo'));
    for (const m of [...sent(h, OWNER), ...sent(h, OWNER_ES)]) assert.equal(m.actions?.flat().length, 2, 'Invite and Ignore each');
    assert.match(toPlainText(sent(h, OWNER)[0] ?? { blocks: [] }), /user 5000 \(telegram:5000\) wrote to the bot/);
    assert.equal(noticeTokens(h, OWNER), 2 * BURST);
    assert.equal(noticeTokens(h, OWNER_ES), 2 * BURST);

    clock.advance(STRANGER_NOTICE_WINDOW_MS - 1);
    assert.equal(sent(h, OWNER).length, BURST, 'nothing more until the window ends');
    clock.advance(1);
    const folded = sent(h, OWNER).slice(BURST);
    const foldedEs = sent(h, OWNER_ES).slice(BURST);
    assert.equal(folded.length, 1);
    assert.equal(foldedEs.length, 1);
    assert.equal(folded[0]?.title, 'More new people');
    assert.equal(
      toPlainText(folded[0] ?? { blocks: [] }),
      'More new people\n47 more people wrote to the bot in the last 10 minutes and got the neutral reply. ' +
        'Too many to tell one by one: /audit strangers shows the latest of them, and /invite lets someone in.',
    );
    assert.match(
      toPlainText(foldedEs[0] ?? { blocks: [] }),
      /^Más personas nuevas\n47 personas más han escrito al bot en los últimos 10 minutos y han recibido la respuesta neutra\./,
    );
    assert.equal(folded[0]?.actions, undefined, 'no buttons on the folded notice');
    assert.equal(noticeTokens(h, OWNER), 2 * BURST, 'no tokens for the folded strangers');
    assert.equal(noticeTokens(h, OWNER_ES), 2 * BURST);

    // Nothing about them reached the group (the strangers there got only the neutral reply, as always).
    const destinations = h.app.db.prepare('SELECT DISTINCT destination FROM alert_outbox ORDER BY destination').pluck().all();
    assert.deepEqual(destinations, [OWNER, OWNER_ES]);
    // The folded notice points at a command that does show them.
    const strangers = (await h.say(OWNER, '/audit strangers')).texts.join('\n');
    assert.match(strangers, /telegram:5049 · \/message attempts=1 → from someone unknown/);
    assert.doesNotMatch(strangers, /→ (?!from someone unknown)/, 'nothing but strangers’ attempts');
  });

  test('the flood going on folds the next window from its first stranger (one: singular); a quiet window later, notices are single again', async (t) => {
    const clock = new ManualClock(T0);
    const h = await app(t, clock);
    await flood(h, 6000, BURST + 2);
    clock.advance(STRANGER_NOTICE_WINDOW_MS);
    assert.equal(sent(h, OWNER).length, BURST + 1);
    assert.match(toPlainText(sent(h, OWNER).at(-1) ?? { blocks: [] }), /^More new people\n2 more people wrote/);

    clock.advance(60_000);
    await flood(h, 6100, 1);
    assert.equal(sent(h, OWNER).length, BURST + 1, 'still folded while the flood goes on');
    clock.advance(STRANGER_NOTICE_WINDOW_MS);
    assert.match(toPlainText(sent(h, OWNER).at(-1) ?? { blocks: [] }), /^More new people\n1 more person wrote to the bot/);
    assert.match(
      toPlainText(sent(h, OWNER_ES).at(-1) ?? { blocks: [] }),
      /^Más personas nuevas\n1 persona más ha escrito al bot en los últimos 10 minutos y ha recibido la respuesta neutra\./,
    );
    const before = sent(h, OWNER).length;

    // A window with nobody new: the next stranger is told one by one again, with working buttons.
    clock.advance(STRANGER_NOTICE_WINDOW_MS);
    await flood(h, 6200, 1);
    const single = sent(h, OWNER).slice(before);
    assert.deepEqual(
      single.map((m) => m.title),
      ['Someone new'],
    );
    assert.match(toPlainText(single[0] ?? { blocks: [] }), /\(telegram:6200\) wrote to the bot/);
    assert.match((await h.press(OWNER, buttonToken(single[0], /^Ignore$/))).texts.join('\n'), /Ignoring user 6200/);
    clock.advance(2 * STRANGER_NOTICE_WINDOW_MS);
    assert.equal(sent(h, OWNER).length, before + 1, 'no folded notice for a window that folded nobody');
  });

  test('an owner on Telegram and Discord has one window: the first few singles in all, then one folded notice, where the flood last reached them', async (t) => {
    const clock = new ManualClock(T0);
    const h = await app(t, clock);
    const ownerOnDiscord = 'discord:1000';
    const owner = h.app.access.resolve(OWNER);
    assert.ok(owner);
    h.app.permissions.people.attach(owner.personId, ownerOnDiscord, 'Owner');
    // Ten new strangers, Telegram and Discord taking turns: each notice goes to the owner's identity on the stranger's platform.
    for (let i = 0; i < 10; i++) await h.say(`${i % 2 ? 'discord' : 'telegram'}:${8000 + i}`, 'hi');
    const both = () => [...sent(h, OWNER), ...sent(h, ownerOnDiscord)];
    assert.deepEqual(
      both().map((m) => m.title),
      Array(BURST).fill('Someone new'),
      'three singles for the person, not three per platform',
    );
    assert.equal(sent(h, OWNER).length, 2, 'the Telegram strangers 8000 and 8002 on Telegram');
    assert.match(toPlainText(sent(h, ownerOnDiscord)[0] ?? { blocks: [] }), /\(discord:8001\) wrote to the bot/);
    assert.equal(noticeTokens(h, OWNER) + noticeTokens(h, ownerOnDiscord), 2 * BURST);

    clock.advance(STRANGER_NOTICE_WINDOW_MS);
    assert.equal(sent(h, OWNER).length, 2, 'no folded notice on Telegram');
    const folded = sent(h, ownerOnDiscord).slice(1);
    assert.deepEqual(
      folded.map((m) => toPlainText(m).split('\n')[1]?.split(' wrote')[0]),
      [`${10 - BURST} more people`],
      'one folded notice for the rest, on Discord, where the last of them wrote',
    );
    // The other owner, on Telegram only, is told the same on their own window.
    assert.deepEqual(titles(h, OWNER_ES), [...Array<string>(BURST).fill('Alguien nuevo'), 'Más personas nuevas']);
  });

  test('a stop tells what was counted so far; nothing counted is lost', async (t) => {
    const clock = new ManualClock(T0);
    const first = await app(t, clock);
    await flood(first, 7000, BURST + 4);
    await first.app.stop();
    const h = await app(t, clock, first.dir);
    assert.deepEqual(titles(h, OWNER), [...Array<string>(BURST).fill('Someone new'), 'More new people']);
    assert.match(toPlainText(sent(h, OWNER).at(-1) ?? { blocks: [] }), /^More new people\n4 more people wrote/);
  });
});
