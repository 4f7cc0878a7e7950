/** /help lists exactly what the asker may run here, grouped, and every reply fits one message. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { renderDiscord } from '../../src/bot/discord/render.ts';
import { renderTelegramHtml, TELEGRAM_TEXT_LIMIT } from '../../src/bot/telegram/render.ts';
import { LANGUAGES } from '../../src/core/i18n.ts';
import { toPlainText, type OutMessage } from '../../src/core/outmessage.ts';
import type { ChatRef } from '../../src/permissions/access.ts';
import { ROLES } from '../../src/permissions/roles.ts';
import { ManualClock } from '../../src/core/clock.ts';
import { OWNER, startDemoTestApp, type TestApp } from '../support/app-harness.ts';

let h: TestApp;
const clock = new ManualClock();
before(async () => {
  h = await startDemoTestApp({}, { clock });
});
after(async () => {
  await h?.close();
});

const listed = (text: string) => new Set([...text.matchAll(/^• \/([a-z_-]+)/gm)].map((m) => m[1]));

/** Every message /help gives this person: the first reply and each area it offers (by button). */
async function helpMessages(identity: string, chat?: ChatRef): Promise<OutMessage[]> {
  const first = (await h.say(identity, '/help', chat)).replies.map((r) => r.message);
  const out = [...first];
  for (const a of first.flatMap((m) => m.actions?.flat() ?? []))
    out.push(...(await h.press(identity, a.token, chat)).replies.map((r) => r.message));
  return out;
}

/** The commands /help shows this person, over all its pages. */
async function allListed(identity: string, chat?: ChatRef): Promise<Set<string | undefined>> {
  return listed((await helpMessages(identity, chat)).map(toPlainText).join('\n'));
}

test('every /help reply fits one Telegram message and one Discord message, for every role and language, and none loses a command', async () => {
  const people = Object.fromEntries(ROLES.map((r) => [r, r === 'owner' ? OWNER : h.person(r)]));
  for (const lang of LANGUAGES) {
    for (const role of ROLES) {
      const who = people[role]!;
      h.app.permissions.people.setLanguage(who, lang);
      const messages = await helpMessages(who);
      for (const m of messages) {
        const pages = renderTelegramHtml(m);
        assert.equal(pages.length, 1, `${role}/${lang}: a /help reply needs ${pages.length} Telegram messages`);
        const visible = (pages[0] ?? '').replace(/<[^>]+>/g, '').replace(/&lt;|&gt;|&amp;/g, '.');
        assert.ok([...visible].length <= TELEGRAM_TEXT_LIMIT, `${role}/${lang}: ${[...visible].length} characters`);
        assert.equal(renderDiscord(m).length, 1, `${role}/${lang}: a /help reply needs several Discord messages`);
      }
      // Paging hides nothing: the pages together list every visible command the role holds.
      const shown = listed(
        messages.map((m) => m.blocks.flatMap((b) => (b.kind === 'list' ? b.items.map((i) => `• ${i}`) : [])).join('\n')).join('\n'),
      );
      const held = new Set(h.app.access.permissionsOf(role));
      const expected = h.app.registry
        .all()
        .filter((c) => !c.hidden && (role === 'owner' || held.has(c.permission)))
        .map((c) => c.name);
      assert.deepEqual([...shown].sort(), expected.sort(), `${role}/${lang}`);
    }
  }
  for (const who of Object.values(people)) h.app.permissions.people.setLanguage(who!, 'en');
});

test("the owner's Spanish /help is an overview by area, with a button per area and /help <area> typed", async () => {
  await h.say(OWNER, '/lang es');
  try {
    const first = (await h.say(OWNER, '/help')).replies[0]!.message;
    const labels = first.actions?.flat().map((a) => a.label) ?? [];
    assert.ok(labels.includes('Hipervisor') && labels.includes('Bloqueador de anuncios'), labels.join(', '));
    const typed = await h.say(OWNER, '/help proxmox');
    assert.match(typed.texts[0] ?? '', /^Comandos: Hipervisor/);
    // Arguments are named in the reader's language.
    assert.match(typed.texts[0] ?? '', /\/shutdown <máquina>/);
    const unknown = await h.say(OWNER, '/help marte');
    assert.match(unknown.texts[0] ?? '', /No hay ningún área «marte».*proxmox/s);
  } finally {
    await h.say(OWNER, '/lang en');
  }
});

test('a short help (a guest) is shown whole, with no buttons', async () => {
  const reply = (await h.say(h.person('guest'), '/help')).replies;
  assert.equal(reply.length, 1);
  assert.equal(reply[0]!.message.actions, undefined);
  assert.deepEqual([...listed(reply[0]!.text)].sort(), ['help', 'start']);
});

test('every command /help shows works when tapped on Telegram (a command entity ends at "-"), and the old spelling still runs', async () => {
  const names = [...(await allListed(OWNER))];
  assert.ok(names.includes('pihole_pause') && names.includes('cloud_maintenance'), names.join(' '));
  assert.deepEqual(
    names.filter((n) => n?.includes('-')),
    [],
  );
  for (const c of h.app.registry.all().filter((x) => !x.hidden)) assert.doesNotMatch(c.name, /-/, `/${c.name} breaks when tapped`);
  const old = await h.say(OWNER, '/pihole-resume');
  assert.doesNotMatch(old.texts[0] ?? '', /do not know/);
});

test('each role sees only the commands its grants allow', async () => {
  const owner = await allListed(OWNER);
  const family = await allListed(h.person('family'));
  const guest = await allListed(h.person('guest'));
  for (const c of ['grant', 'shutdown', 'rotatewifi', 'wifi', 'unblock']) assert.ok(owner.has(c), `owner misses /${c}`);
  for (const c of ['wifi', 'unblock', 'status', 'help']) assert.ok(family.has(c), `family misses /${c}`);
  for (const c of ['grant', 'shutdown', 'rotatewifi', 'audit', 'poweroff']) assert.ok(!family.has(c), `family must not see /${c}`);
  assert.deepEqual([...guest].sort(), ['help', 'start']);
});

test('a family-limited group lowers what an admin sees there, and the area buttons work in the group', async () => {
  const admin = h.person('admin');
  const group = { platform: 'telegram' as const, id: '-100777', kind: 'group' as const };
  h.app.permissions.management.setChatCeiling(h.app.access.resolve(OWNER)!, group, 'family');
  const here = await allListed(admin, group);
  assert.ok(here.has('wifi'));
  assert.ok(!here.has('shutdown'));
});

test('an area button belongs to whoever asked', async () => {
  const first = (await h.say(OWNER, '/help')).replies[0]!.message;
  const token = first.actions?.flat()[0]?.token;
  assert.ok(token, 'the owner help has area buttons');
  const other = await h.press(h.person('family'), token);
  assert.match(other.texts[0] ?? '', /belongs to someone else/);
});

test('/help follows a grant, a revoke and a role change on the very next call (it is cached per role and language)', async () => {
  const family = h.person('family');
  const owner = h.app.access.resolve(OWNER)!;
  const before = await allListed(family);
  assert.ok(!before.has('audit'));
  const perm = h.app.registry.get('audit')!.permission;
  assert.equal(h.app.permissions.management.grant(owner, 'family', perm).ok, true);
  assert.ok((await allListed(family)).has('audit'));
  assert.equal(h.app.permissions.management.revoke(owner, 'family', perm).ok, true);
  assert.ok(!(await allListed(family)).has('audit'));
  const person = h.app.access.resolve(family)!;
  assert.equal(h.app.permissions.management.setRole(owner, person.personId, 'guest').ok, true);
  assert.deepEqual([...(await allListed(family))].sort(), ['help', 'start']);
});

test("argument errors name the argument in the reader's language", async () => {
  await h.say(OWNER, '/lang es');
  try {
    const r = await h.say(OWNER, '/shutdown');
    assert.match(r.texts[0] ?? '', /Falta el argumento: máquina\.\nUso: \/shutdown <máquina>/);
    const bad = await h.say(OWNER, '/lang fr');
    assert.match(bad.texts[0] ?? '', /^idioma debe ser uno de: en, es\./);
  } finally {
    await h.say(OWNER, '/lang en');
  }
  const en = await h.say(OWNER, '/shutdown');
  assert.match(en.texts[0] ?? '', /Missing argument: guest\.\nUsage: \/shutdown <guest>/);
});

test('every kind of argument error says what to do: the usage line, in the reader’s language', async () => {
  // Too many, too few, a bad value, an unknown choice: each reply ends with the command's usage line.
  const cases = [
    {
      line: '/lang en es',
      en: /^Too many arguments\.\nUsage: \/lang <en\|es>$/,
      es: /^Demasiados argumentos\.\nUso: \/lang <en\|es>$/,
    },
    {
      line: '/shutdown',
      en: /^Missing argument: guest\.\nUsage: \/shutdown <guest>$/,
      es: /^Falta el argumento: máquina\.\nUso: \/shutdown <máquina>$/,
    },
    {
      line: '/torrents abc',
      en: /^page must be a whole number, not "abc"\.\nUsage: \/torrents \[page\]$/,
      es: /^página debe ser un número entero, no «abc»\.\nUso: \/torrents \[página\]$/,
    },
    {
      line: '/lang fr',
      en: /^language must be one of: en, es\.\nUsage: \/lang <en\|es>$/,
      es: /^idioma debe ser uno de: en, es\.\nUso: \/lang <en\|es>$/,
    },
  ];
  for (const c of cases) assert.match((await h.say(OWNER, c.line)).texts[0] ?? '', c.en, c.line);
  await h.say(OWNER, '/lang es');
  try {
    for (const c of cases) assert.match((await h.say(OWNER, c.line)).texts[0] ?? '', c.es, c.line);
  } finally {
    await h.say(OWNER, '/lang en');
  }
});

test('every argument of every command has a name in each language', () => {
  const missing = h.app.registry
    .all()
    .flatMap((c) => Object.keys(c.args).map((a) => `arg.${a}`))
    .filter((k) => !h.app.messages.has(k));
  assert.deepEqual([...new Set(missing)], []);
});

test("the overview's area buttons are the reader's own, shown again while 6 h of their day are left, and each still works until it expires", async () => {
  const tokens = async (identity: string, chat?: ChatRef): Promise<string[]> =>
    (await h.say(identity, '/help', chat)).replies[0]!.message.actions?.flat().map((a) => a.token) ?? [];
  const admin = h.person('admin');
  const group = { platform: 'telegram' as const, id: '-100778', kind: 'group' as const };
  const first = await tokens(OWNER);
  assert.ok(first.length > 1, 'the owner help has area buttons');
  assert.deepEqual(await tokens(OWNER), first, 'the same reader in the same chat sees the same buttons');
  const others = [...(await tokens(admin)), ...(await tokens(OWNER, group))];
  assert.ok(others.length > 0, 'the admin and the owner in a group get area buttons too');
  for (const t of others) assert.ok(!first.includes(t), 'another reader, or another chat, never gets these tokens');
  assert.match((await h.press(admin, first[0]!)).texts[0] ?? '', /belongs to someone else/);

  // A reader's set is remembered for 6 h, and ActionTokens hands back a token while 12 h are left:
  // the same buttons at 6 h and 12 h, fresh ones by 18 h (every token shown has 6 h left at least).
  const h0 = clock.now();
  const at = async (ms: number): Promise<string[]> => (clock.set(h0 + ms), tokens(OWNER));
  assert.deepEqual(await at(6 * 3_600_000 - 1), first);
  assert.deepEqual(await at(12 * 3_600_000 - 1), first);
  clock.set(h0 + 18 * 3_600_000);
  const later = await tokens(OWNER);
  assert.equal(later.length, first.length);
  for (const t of later) assert.ok(!first.includes(t), 'after 18 h the reader gets buttons with a fresh lifetime');
  assert.match((await h.press(OWNER, first[0]!)).texts[0] ?? '', /^Commands: /, 'an older button works until it expires');
  clock.set(h0 + 24 * 3_600_000);
  assert.match((await h.press(OWNER, first[0]!)).texts[0] ?? '', /has expired/);
  assert.match((await h.press(OWNER, later[0]!)).texts[0] ?? '', /^Commands: /);
});
