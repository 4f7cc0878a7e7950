/** A ServiceError's cause in the reader's language: named reasons come from the catalogues, never the English detail. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { reasonedError, serviceError, SERVICE_ERROR_REASONS } from '../../src/core/errors.ts';
import { Messages } from '../../src/core/i18n.ts';
import { serviceErrorMessage, serviceErrorReason } from '../../src/handlers/replies.ts';
import { toPlainText } from '../../src/core/outmessage.ts';
import { allMessageFragments } from '../../src/wiring/messages.ts';

const messages = new Messages([...allMessageFragments], { strict: true });
const en = messages.forLanguage('en');
const es = messages.forLanguage('es');

test('every named reason has its own words in English and Spanish, and the English detail never shows', () => {
  for (const reason of SERVICE_ERROR_REASONS) {
    const e = reasonedError('proxmox', 'unreachable', reason, `ENGLISH-DETAIL ${reason}`, { seen: 'A', pinned: 'B', where: 'data' });
    const inEnglish = serviceErrorReason(en, e);
    const inSpanish = serviceErrorReason(es, e);
    assert.notEqual(inEnglish, inSpanish, reason);
    for (const t of [en, es]) assert.doesNotMatch(toPlainText(serviceErrorMessage(t, e, 'Hypervisor')), /ENGLISH-DETAIL/, reason);
  }
});

test('a Spanish reader of a refused connection reads Spanish; a backend rejection without a reason keeps the backend words', () => {
  const refused = reasonedError('pihole', 'unreachable', 'connection-refused', 'connection refused');
  const text = toPlainText(serviceErrorMessage(es, refused, 'Pi-hole'));
  assert.match(text, /la conexión ha sido rechazada/);
  assert.doesNotMatch(text, /connection refused/);
  const rejected = serviceError('pihole', 'rejected', 'domain already listed', 400);
  assert.match(toPlainText(serviceErrorMessage(es, rejected, 'Pi-hole')), /domain already listed/);
});
