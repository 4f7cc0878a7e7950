/**
 * One reading of a typed command line: the console and Telegram adapters and the test harness
 * read `/name args…` with parseCommandLine and the pipeline splits the text with `tokenize`;
 * Discord's options arrive split already and lose the quotes a user typed around one value. The
 * same quoted arguments give the same raw arguments on every platform.
 */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, test } from 'node:test';
import { ConsoleAdapter } from '../../src/bot/console/adapter.ts';
import { optionsToRaw } from '../../src/bot/discord/commands.ts';
import { TelegramAdapter } from '../../src/bot/telegram/adapter.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { arg, parseCommandLine, splitPositional, unquoteValue, type ArgDefs } from '../../src/handlers/args.ts';
import type { Input, Invocation, Pipeline } from '../../src/handlers/pipeline.ts';
import { startFakeTelegram } from '../fakes/telegram-api.ts';
import { OWNER, startTestApp } from '../support/app-harness.ts';
import { waitFor } from '../support/real-server.ts';
import { testKey } from '../support/test-keys.ts';

const TOKEN = '123456:TEST-TOKEN-abcdefghijklmnopqrstuv';
const DEFS: ArgDefs = {
  device: arg.string({ descriptionKey: testKey('x') }),
  owner: arg.string({ descriptionKey: testKey('x') }),
  note: arg.string({ descriptionKey: testKey('x'), rest: true, required: false }),
};
const LINE = `/Rename_Device "Ana's phone" 'Ana Lopez' back in  five`;
const EXPECTED = { device: "Ana's phone", owner: 'Ana Lopez', note: 'back in five' };

/** A pipeline that only records what the adapter made of each message. */
function recorder(): { pipeline: Pipeline; inputs: Input[] } {
  const inputs: Input[] = [];
  const pipeline = { handle: async (inv: Invocation) => void inputs.push(inv.input) } as unknown as Pipeline;
  return { pipeline, inputs };
}

/** The raw arguments the pipeline parses from a command input (typed text or Discord options). */
function rawArgs(input: Input | undefined): Record<string, string> {
  if (input?.kind === 'options') return { ...input.options };
  assert.equal(input?.kind, 'command', JSON.stringify(input));
  assert.equal(input.name, 'rename-device');
  const split = splitPositional(DEFS, input.text);
  assert.ok(split.ok, JSON.stringify(split));
  return split.value;
}

describe('one command-line reading on every platform', () => {
  test('parseCommandLine: name lower-cased with `_` read as `-`, the @bot addressee apart; plain text is no command', () => {
    assert.deepEqual(parseCommandLine('  /Help_Me@Home_Bot  router '), { name: 'help-me', text: 'router', addressee: 'Home_Bot' });
    assert.deepEqual(parseCommandLine('/start'), { name: 'start', text: '' });
    assert.equal(parseCommandLine('hello /help'), undefined);
    assert.equal(parseCommandLine('/'), undefined);
  });

  test('console: quoted arguments', async () => {
    const { pipeline, inputs } = recorder();
    const input = new PassThrough();
    const adapter = new ConsoleAdapter({ input, output: new PassThrough() }, pipeline);
    await adapter.start();
    input.write(`${LINE}\n`);
    await waitFor(() => inputs.length === 1, { what: 'the console line reaches the pipeline' });
    await adapter.stop();
    assert.deepEqual(rawArgs(inputs[0]), EXPECTED);
  });

  test('Telegram: quoted arguments; `/cmd@thisbot` is ours, `/cmd@otherbot` in a group is not', async (t) => {
    const tg = await startFakeTelegram({ token: TOKEN });
    t.after(() => tg.close());
    const { pipeline, inputs } = recorder();
    const menus = { stamp: () => '', entries: () => [], onChange: () => () => undefined };
    const adapter = new TelegramAdapter({ token: TOKEN, apiRoot: tg.apiRoot, menus }, pipeline, silentLogger());
    await adapter.start();
    t.after(() => adapter.stop());
    tg.sendText(1000, 1000, LINE);
    const group = { id: -500, type: 'group' as const, title: 'Home' };
    tg.sendText(group, 1000, LINE.replace('/Rename_Device', '/rename_device@other_bot'));
    tg.sendText(group, 1000, LINE.replace('/Rename_Device', '/rename_device@test_bot'));
    await waitFor(() => inputs.length === 2, { what: 'two commands reach the pipeline' });
    assert.deepEqual(rawArgs(inputs[0]), EXPECTED);
    assert.deepEqual(rawArgs(inputs[1]), EXPECTED, 'the one addressed to this bot (the other bot’s was dropped)');
  });

  test('Discord: option values typed in quotes lose them like typed arguments; inner quotes stay', () => {
    const raw = optionsToRaw([
      { name: 'device', value: `"Ana's phone"` },
      { name: 'owner', value: `'Ana Lopez'` },
      { name: 'note', value: 'back in five' },
    ]);
    assert.deepEqual(raw, EXPECTED);
    assert.equal(unquoteValue(`"a" "b"`), `"a" "b"`, 'two quoted words are not one value in quotes');
    assert.equal(unquoteValue(`say "hi"`), `say "hi"`);
    assert.equal(unquoteValue('42'), '42');
  });

  test('test harness: `say` reads the line as the adapters do (quotes, `_` as `-`)', async () => {
    const h = await startTestApp({});
    try {
      const plain = (await h.say(OWNER, '/help permissions')).texts.join('\n');
      assert.match(plain, /\/role/);
      assert.equal((await h.say(OWNER, '/Help "permissions"')).texts.join('\n'), plain);
      assert.equal((await h.say(OWNER, `/help 'permissions'`)).texts.join('\n'), plain);
    } finally {
      await h.close();
    }
  });
});
