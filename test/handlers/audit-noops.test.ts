/**
 * What /audit records: a look (a mutating command's read-only form) is not recorded at all; an
 * attempt that changed nothing is recorded as "no change", never as "done"; a change as done.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { OWNER, startTestApp, type TestApp } from '../support/app-harness.ts';

describe('/audit: looks and no-ops are not changes', () => {
  let h: TestApp;
  const rows = (): [string, string][] =>
    (h.app.db.prepare('SELECT command, result FROM audit_log ORDER BY id').all() as { command: string; result: string }[]).map((r) => [
      r.command,
      r.result,
    ]);

  before(async () => {
    h = await startTestApp();
  });
  after(async () => {
    await h.close();
  });

  test('listing forms leave no row; a repeated grant and an empty unmute are "unchanged"; a real grant is "ok"', async () => {
    const before = rows().length;
    await h.say(OWNER, '/grant');
    await h.say(OWNER, '/grant family');
    await h.say(OWNER, '/revoke family');
    await h.say(OWNER, '/ceiling');
    await h.say(OWNER, '/role');
    assert.deepEqual(rows().slice(before), [], 'read-only forms of mutating commands are not audited');

    const granted = await h.say(OWNER, '/grant family alerts.mute.set');
    assert.match(granted.texts.join('\n'), /alerts\.mute\.set/);
    await h.say(OWNER, '/grant family alerts.mute.set');
    await h.say(OWNER, '/unmute ups');
    const mine = rows()
      .slice(before)
      .filter(([c]) => c === 'grant' || c === 'unmute');
    assert.deepEqual(mine, [
      ['grant', 'ok'],
      ['grant', 'unchanged'],
      ['unmute', 'unchanged'],
    ]);
  });

  test('/audit shows a no-op as "no change", in English and in Spanish', async () => {
    const en = await h.say(OWNER, '/audit');
    const text = en.texts.join('\n');
    assert.match(text, /\/unmute source=ups → no change \(already so\)/);
    assert.match(text, /\/grant role=family permission=alerts\.mute\.set → done/);
    assert.doesNotMatch(text, /\/grant → /, 'the bare /grant listing is not in the log');
    await h.say(OWNER, '/lang es');
    const es = await h.say(OWNER, '/audit');
    assert.match(es.texts.join('\n'), /\/unmute source=ups → sin cambios \(ya estaba así\)/);
  });
});
