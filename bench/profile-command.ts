/**
 * `tsx bench/profile-command.ts [command] [--bot ours|bare] [--chats 1] [--n 3000] [--profile dir]`:
 * one bot alone in this process with the fake Bot API, driven closed-loop as the command bench
 * drives it, and prints CPU µs per command (the whole process: fake, driver and bot) and p50
 * latency. `--bot bare` is the bare grammY bot sending our exact reply, so the difference between
 * the two is what our bot costs beyond the payload. With `--profile`, writes a CPU profile of the
 * measured commands only (open it in Chrome DevTools).
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { InlineKeyboardMarkup } from 'grammy/types';
import { startDemoHomelab } from '../src/demo/index.ts';
import { AREAS, demoBackendsOf } from '../src/wiring/areas.ts';
import { startFakeTelegram } from '../test/fakes/telegram-api.ts';
import { startEchoBot } from './baseline-bot.ts';
import { MAX_HOLD_MS } from './command.ts';
import { BENCH_TOKEN, enrollAdmins, householdPolling, startBenchApp } from './lib/app.ts';
import { closedLoop, learnAnswer } from './lib/driver.ts';
import { summarize } from './lib/stats.ts';

const FIRST_CHAT = 5001;
const { values, positionals } = parseArgs({
  options: { bot: { type: 'string' }, chats: { type: 'string' }, n: { type: 'string' }, profile: { type: 'string' } },
  allowPositionals: true,
});
const command = positionals[0] ?? '/status';
const chats = Array.from({ length: Number(values.chats ?? 1) }, (_, i) => FIRST_CHAT + i);
const n = Number(values.n ?? 3000);
const bare = values.bot === 'bare';

const homelab = await startDemoHomelab(await demoBackendsOf(AREAS));
const fake = await startFakeTelegram({ token: BENCH_TOKEN, maxHoldMs: MAX_HOLD_MS, maxLog: 1000 });
const bench = await startBenchApp({ ...householdPolling(homelab.config), telegram: { token: BENCH_TOKEN, apiRoot: fake.apiRoot } });
enrollAdmins(bench.app, chats);
await fake.waitForPoll(10_000);
const starts = await learnAnswer(fake, FIRST_CHAT, command);
let stopBare: (() => Promise<void>) | undefined;
let target = fake;
if (bare) {
  // Our reply, then our bot stops: the bare bot is alone with its own fake.
  const mark = fake.mark();
  fake.sendText(FIRST_CHAT, FIRST_CHAT, command);
  const reply = (await fake.waitForCall('sendMessage', (c) => c.status === 200, 10_000, mark)).params;
  await bench.close();
  target = await startFakeTelegram({ token: BENCH_TOKEN, maxHoldMs: MAX_HOLD_MS, maxLog: 1000 });
  const echo = await startEchoBot(BENCH_TOKEN, target.apiRoot, {
    html: String(reply.text ?? ''),
    ...(reply.reply_markup ? { replyMarkup: reply.reply_markup as InlineKeyboardMarkup } : {}),
  });
  stopBare = () => echo.stop();
  await target.waitForPoll(10_000);
}
const session = values.profile ? new Session() : undefined;
session?.connect();
await session?.post('Profiler.enable');
await session?.post('Profiler.setSamplingInterval', { interval: 50 });
// Warm-up as the command bench does (JIT, keep-alive sockets); not measured.
await closedLoop(target, chats, command, starts, 200);
await session?.post('Profiler.start');
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const r = await closedLoop(target, chats, command, starts, Math.ceil(n / chats.length), 120_000);
const wall = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
if (session && values.profile) {
  const { profile } = await session.post('Profiler.stop');
  writeFileSync(join(values.profile, `${bare ? 'bare' : 'ours'}-${command.slice(1)}-${process.pid}.cpuprofile`), JSON.stringify(profile));
}
const s = summarize(r.latencies);
process.stdout.write(
  `${bare ? 'bare' : 'ours'} ${command} @${chats.length}: ${((cpu.user + cpu.system) / r.answered).toFixed(0)} µs CPU per command (user ${(cpu.user / r.answered).toFixed(0)}), p50 ${s.p50Ms} ms, p99 ${s.p99Ms} ms, ${((r.answered / wall) * 1000).toFixed(0)}/s (n=${r.answered})\n`,
);
session?.disconnect();
await stopBare?.();
if (!bare) await bench.close();
await homelab.close();
process.exit(0);
