/** /help lists exactly what the asker may run here, grouped. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { OWNER, startDemoTestApp, type TestApp } from '../support/app-harness.ts';

let h: TestApp;
before(async () => {
  h = await startDemoTestApp();
});
after(async () => {
  await h?.close();
});

const listed = (text: string) => new Set([...text.matchAll(/^• \/([a-z_-]+)/gm)].map((m) => m[1]));

test('every command /help shows works when tapped on Telegram (a command entity ends at "-"), and the old spelling still runs', async () => {
  const names = [...listed((await h.say(OWNER, '/help')).texts.join('\n'))];
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
  const owner = listed((await h.say(OWNER, '/help')).texts.join('\n'));
  const family = listed((await h.say(h.person('family'), '/help')).texts.join('\n'));
  const guest = listed((await h.say(h.person('guest'), '/help')).texts.join('\n'));
  for (const c of ['grant', 'shutdown', 'rotatewifi', 'wifi', 'unblock']) assert.ok(owner.has(c), `owner misses /${c}`);
  for (const c of ['wifi', 'unblock', 'status', 'help']) assert.ok(family.has(c), `family misses /${c}`);
  for (const c of ['grant', 'shutdown', 'rotatewifi', 'audit', 'poweroff']) assert.ok(!family.has(c), `family must not see /${c}`);
  assert.deepEqual([...guest].sort(), ['help', 'start']);
});

test('a family-limited group lowers what an admin sees there', async () => {
  const admin = h.person('admin');
  const group = { platform: 'telegram' as const, id: '-100777', kind: 'group' as const };
  h.app.permissions.management.setChatCeiling(h.app.access.resolve(OWNER)!, group, 'family');
  const here = listed((await h.say(admin, '/help', group)).texts.join('\n'));
  assert.ok(here.has('wifi'));
  assert.ok(!here.has('shutdown'));
});

test('/help follows a grant, a revoke and a role change on the very next call (it is cached per role and language)', async () => {
  const family = h.person('family');
  const owner = h.app.access.resolve(OWNER)!;
  const before = listed((await h.say(family, '/help')).texts.join('\n'));
  assert.ok(!before.has('audit'));
  const perm = h.app.registry.get('audit')!.permission;
  assert.equal(h.app.permissions.management.grant(owner, 'family', perm).ok, true);
  assert.ok(listed((await h.say(family, '/help')).texts.join('\n')).has('audit'));
  assert.equal(h.app.permissions.management.revoke(owner, 'family', perm).ok, true);
  assert.ok(!listed((await h.say(family, '/help')).texts.join('\n')).has('audit'));
  const person = h.app.access.resolve(family)!;
  assert.equal(h.app.permissions.management.setRole(owner, person.personId, 'guest').ok, true);
  assert.deepEqual([...listed((await h.say(family, '/help')).texts.join('\n'))].sort(), ['help', 'start']);
});
