/**
 * The baseline bot as a program (`--token T --api-root URL [--reply FILE]`), the child the memory,
 * start-up and command figures measure: bundled by scripts/build.mjs like the bot, so no top-level
 * await (the bundle is CommonJS, run through the code-cache loader). With `--reply`, a JSON
 * FixedReply, it answers every message with that reply (the bare bot sending our payload).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startEchoBot, type FixedReply } from './baseline-bot.ts';

const { values } = parseArgs({ options: { token: { type: 'string' }, 'api-root': { type: 'string' }, reply: { type: 'string' } } });
if (!values.token || !values['api-root']) {
  process.stderr.write('usage: baseline-main.ts --token T --api-root URL [--reply FILE]\n');
  process.exit(2);
}
const fixed = values.reply ? (JSON.parse(readFileSync(values.reply, 'utf8')) as FixedReply) : undefined;
void startEchoBot(values.token, values['api-root'], fixed).then((bot) => {
  process.once(
    'SIGTERM',
    () =>
      void bot.stop().then(() => {
        // The bench counts failed updates from this line (a bare bot has no retry: each is a lost answer).
        const line = JSON.stringify({ failedUpdates: bot.errors(), firstError: bot.firstError() });
        process.stdout.write(`${line}\n`, () => process.exit(0));
      }),
  );
});
