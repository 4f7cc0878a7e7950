/**
 * The baseline bot as a program (`--token T --api-root URL`), the child the memory and start-up
 * figures measure: bundled by scripts/build.mjs like the bot, so no top-level await (the bundle
 * is CommonJS, run through the code-cache loader).
 */
import { parseArgs } from 'node:util';
import { startEchoBot } from './baseline-bot.ts';

const { values } = parseArgs({ options: { token: { type: 'string' }, 'api-root': { type: 'string' } } });
if (!values.token || !values['api-root']) {
  process.stderr.write('usage: baseline-main.ts --token T --api-root URL\n');
  process.exit(2);
}
void startEchoBot(values.token, values['api-root']).then((bot) => {
  process.once('SIGTERM', () => void bot.stop().then(() => process.exit(0)));
});
