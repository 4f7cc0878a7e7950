/**
 * The bot's own delivery errors (no chat configured for a platform, a platform not connected
 * yet) are stored as codes and /alerts says them in the reader's language, with what happens next.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/core/clock.ts';
import { codedDeliveryError, parseDeliveryError } from '../../src/core/delivery.ts';
import { OWNER, startTestApp } from '../support/app-harness.ts';
import { assertNoEnglish } from '../support/language.ts';

test('delivery error codes round-trip; a platform’s own words are not a code', () => {
  assert.deepEqual(parseDeliveryError(codedDeliveryError('not-connected', 'discord')), { code: 'not-connected', platform: 'discord' });
  assert.deepEqual(parseDeliveryError(codedDeliveryError('no-chat', '?')), { code: 'no-chat', platform: '?' });
  assert.equal(parseDeliveryError('Forbidden: bot was blocked by the user'), undefined);
});

test('/alerts says "not connected yet" and "no chat configured" in the reader’s language', async (t) => {
  const clock = new ManualClock(Date.UTC(2026, 10, 30, 9, 0));
  const h = await startTestApp({ alerts: { bindings: [{ chat: OWNER }] } }, { clock });
  t.after(() => h.close());
  const insert = h.app.db.prepare(
    `INSERT INTO alert_outbox (destination, dedup_key, payload, severity, status, attempts, next_attempt_at, last_error, created_at)
     VALUES (?, ?, '{}', 'warning', ?, ?, ?, ?, ?)`,
  );
  const later = clock.now() + 3_600_000;
  insert.run('discord:777', 'k1', 'pending', 2, later, codedDeliveryError('not-connected', 'discord'), clock.now());
  insert.run('discord:778', 'k2', 'dead', 1, later, codedDeliveryError('no-chat', 'discord'), clock.now());

  const en = (await h.say(OWNER, '/alerts')).texts.join('\n');
  assert.match(en, /discord:777: .* — discord is not connected yet \(the message goes once it is\)/);
  assert.match(en, /discord:778: gave up after 1 attempt — no discord chat is configured/);

  await h.say(OWNER, '/lang es');
  const es = (await h.say(OWNER, '/alerts')).texts.join('\n');
  assert.match(es, /discord:777: .* — discord aún no está conectado \(el mensaje saldrá en cuanto lo esté\)/);
  assert.match(es, /discord:778: abandonado tras 1 intento — no hay ningún chat de discord configurado/);
  assert.doesNotMatch(es, /not-connected|no-chat/);
  assertNoEnglish(h.app.messages, es, ['discord']);
});
