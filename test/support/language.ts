/**
 * Checks that a text meant for a Spanish reader has no English in it: every word of four letters
 * or more that the English catalogue uses and the Spanish one never does counts as a leak.
 */
import assert from 'node:assert/strict';
import type { Messages } from '../../src/core/i18n.ts';

const WORD = /\p{L}{4,}/gu;

/** Catalogue text without its placeholders and plural syntax: only words a reader sees. */
function visibleWords(text: string): string[] {
  const bare = text
    .replace(/\{\w+,\s*plural,/g, ' ')
    .replace(/(=\d+|\b(?:one|other|few|many|zero|two))\s*\{/g, ' ')
    .replace(/\{\w+\}/g, ' ');
  return (bare.match(WORD) ?? []).map((w) => w.toLowerCase());
}

const cache = new WeakMap<Messages, Set<string>>();

/** Words only the English catalogue uses. */
function englishOnly(messages: Messages): Set<string> {
  let set = cache.get(messages);
  if (set) return set;
  const es = new Set(messages.keys().flatMap((k) => visibleWords(messages.t('es', k))));
  set = new Set(
    messages
      .keys()
      .flatMap((k) => visibleWords(messages.t('en', k)))
      .filter((w) => !es.has(w)),
  );
  cache.set(messages, set);
  return set;
}

/** English catalogue words found in a text (names the test chose are allowed with `allow`). */
export function englishLeaks(messages: Messages, text: string, allow: readonly string[] = []): string[] {
  const only = englishOnly(messages);
  const allowed = new Set(allow.map((w) => w.toLowerCase()));
  return [...new Set((text.match(WORD) ?? []).map((w) => w.toLowerCase()))].filter((w) => only.has(w) && !allowed.has(w));
}

/** Asserts a Spanish text holds no English catalogue words. */
export function assertNoEnglish(messages: Messages, text: string, allow: readonly string[] = []): void {
  assert.deepEqual(englishLeaks(messages, text, allow), [], `English words in a Spanish message:\n${text}`);
}
