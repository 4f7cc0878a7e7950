/** What the bundle gives discord.js and @discordjs/rest for `undici` (scripts/build.mjs): the bot's own undici 7, never Node's globals. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as undici from 'undici';
import * as forDiscord from '../../src/bot/discord/undici-for-discord.ts';

test('every name discord.js and @discordjs/rest import from undici is the bot’s undici 7', () => {
  // Node's globals of these names would load Node's internal undici (10–16 MB) on first read.
  for (const name of ['fetch', 'FormData', 'Headers', 'request', 'Response'] as const) {
    assert.equal(forDiscord[name], undici[name], name);
    assert.notEqual(forDiscord[name], (globalThis as Record<string, unknown>)[name], `${name} is Node's global`);
  }
  // What discord.js and @discordjs/rest import (their CommonJS `require("undici")` and destructuring).
  assert.deepEqual(Object.keys(forDiscord).sort(), ['FormData', 'Headers', 'Response', 'fetch', 'request']);
});
