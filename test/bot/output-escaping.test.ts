/**
 * Backend strings shown on each platform cannot turn into markup or terminal control: Discord
 * embed field names and values are markdown-escaped (a masked link stays text), the console
 * strips escape sequences and control characters.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { stripControl } from '../../src/bot/console/adapter.ts';
import { renderDiscord } from '../../src/bot/discord/render.ts';

describe('escaping backend strings', () => {
  test('Discord embed fields: a masked link in a router identity renders as text', () => {
    const [page] = renderDiscord({
      blocks: [{ kind: 'fields', fields: [{ label: '[x](https://evil.example)', value: 'id [click](https://evil.example) **bold**' }] }],
    });
    const field = page?.embeds?.flatMap((e) => e.fields ?? [])[0];
    assert.ok(field);
    assert.equal(field.name, '\\[x\\](https://evil.example)');
    assert.equal(field.value, 'id \\[click\\](https://evil.example) \\*\\*bold\\*\\*');
  });

  test('console: CSI, OSC and bare control characters are removed; newlines and tabs stay', () => {
    const name = 'Movie\u001b[2J\u001b[31mRed\u001b]0;pwned\u0007 end\u0008\u009b\tcol\nnext';
    assert.equal(stripControl(name), 'MovieRed end\tcol\nnext');
    assert.doesNotMatch(stripControl(name), /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
  });
});
