/**
 * The demo homelab as a program: starts every simulated backend on 127.0.0.1, prints the config
 * sections pointing at them as one JSON line on stdout, and serves until SIGTERM. The command
 * bench runs it in a process of its own, as a household's servers are other machines: in the
 * bench's process, their work answering the bot's polls (an SSH handshake, a TLS request) landed
 * in whichever bot was being measured.
 */
import { startDemoHomelab } from '../src/demo/index.ts';
import { AREAS, demoBackendsOf } from '../src/wiring/areas.ts';

const homelab = await startDemoHomelab(await demoBackendsOf(AREAS));
process.once('SIGTERM', () => void homelab.close().then(() => process.exit(0)));
process.stdout.write(`${JSON.stringify(homelab.config)}\n`);
