/**
 * Child process for the intent-before-action crash tests: the whole bot on a database file,
 * with a hand-set clock, runs one command as the owner and prints "replied" when it answered.
 * The parent SIGKILLs it at a chosen step.
 * Usage: node --import tsx test/handlers/intent-child.ts <dir> <configJson> <nowMs> <command line>
 */
import { ManualClock } from '../../src/core/clock.ts';
import { OWNER, startTestApp } from '../support/app-harness.ts';
import { waitFor } from '../support/real-server.ts';

const [dir, configJson, nowMs, line] = process.argv.slice(2) as [string, string, string, string];
const config = JSON.parse(configJson) as Record<string, unknown>;
const h = await startTestApp(config, { dir, clock: new ManualClock(Number(nowMs)) });
// A router command names devices: wait until the first lease table read recorded them.
if (config.router) {
  const known = () => (h.app.db.prepare('SELECT count(*) AS n FROM devices').get() as { n: number }).n;
  await waitFor(() => known() > 0, { what: 'devices recorded' });
}
const conv = await h.say(OWNER, line);
process.stdout.write(`replied ${JSON.stringify(conv.texts)}\n`);
// Stay alive: the parent kills this process (a clean stop would hide what a crash leaves).
setInterval(() => undefined, 1000);
