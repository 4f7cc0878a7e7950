/**
 * `tsx bench/profile-pipeline.ts [command…] [--n 100000] [--warm 1000] [--profile dir]`: runs the
 * pipeline alone (no chat platform, a no-op reply sink) for each command `n` times after `warm`
 * unmeasured runs, against the demo homelab, as the command bench's "pipeline alone" figure does
 * (it uses --n 5000 --warm 1000), and prints µs per command, wall and CPU. With `--profile`, writes a
 * CPU profile of each command's measured runs only (open it in Chrome DevTools).
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { startDemoHomelab } from '../src/demo/index.ts';
import { AREAS, demoBackendsOf } from '../src/wiring/areas.ts';
import { enrollAdmins, startBenchApp } from './lib/app.ts';

const CHAT = 5001;
const { values, positionals } = parseArgs({
  options: { n: { type: 'string' }, warm: { type: 'string' }, profile: { type: 'string' } },
  allowPositionals: true,
});
const n = Number(values.n ?? 100_000);
const warm = Number(values.warm ?? 1000);
const names = positionals.length > 0 ? positionals : ['help', 'status'];

const homelab = await startDemoHomelab(await demoBackendsOf(AREAS));
const bench = await startBenchApp(homelab.config);
const session = values.profile ? new Session() : undefined;
try {
  session?.connect();
  await session?.post('Profiler.enable');
  await session?.post('Profiler.setSamplingInterval', { interval: 20 });
  enrollAdmins(bench.app, [CHAT]);
  const sink = { send: async () => ({ edit: async () => undefined }) };
  const inv = (name: string) => ({
    chat: { platform: 'telegram' as const, id: String(CHAT), kind: 'private' as const },
    user: { identity: `telegram:${CHAT}`, displayName: 'bench' },
    input: { kind: 'command' as const, name, text: '' },
  });
  // The first /status lets the pollers fill their caches, as in the command bench.
  await bench.app.pipeline.handle(inv('status'), sink);
  for (const name of names) {
    const one = inv(name);
    for (let i = 0; i < warm; i++) await bench.app.pipeline.handle(one, sink);
    await session?.post('Profiler.start');
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await bench.app.pipeline.handle(one, sink);
    const wall = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    if (session && values.profile) {
      const { profile } = await session.post('Profiler.stop');
      writeFileSync(join(values.profile, `${name}-${process.pid}.cpuprofile`), JSON.stringify(profile));
    }
    process.stdout.write(
      `/${name}: ${((wall / n) * 1000).toFixed(1)} µs wall, ${((cpu.user + cpu.system) / n).toFixed(1)} µs CPU per command (n=${n}, warm-up ${warm})\n`,
    );
  }
} finally {
  session?.disconnect();
  await bench.close();
  await homelab.close();
}
