/**
 * 3. Memory and start-up: the production bundle (scripts/build.mjs) as a child process on plain
 * node against the fake Telegram in this process; RSS read from /proc/<pid>/status after a forced
 * full GC. Start-up is spawn → first getUpdates at the fake: the median of 5 warm starts (a
 * restart: the database exists) plus one cold start (the first start of an install: it creates
 * the database). The bare grammY echo bot is measured the same way.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startFakeDiscord } from '../test/fakes/discord.ts';
import { startFakeTelegram, type FakeTelegram } from '../test/fakes/telegram-api.ts';
import { MAX_HOLD_MS } from './command.ts';
import { BENCH_TOKEN } from './lib/app.ts';
import { cpuMs, residentByMapping, rssMb, spawnTsx, type Child } from './lib/child.ts';
import { closedLoop, learnAnswer } from './lib/driver.ts';
import { elapse, quantile, round } from './lib/stats.ts';
import { sharedBundles } from './lib/bundle.ts';
import { moduleMemory, type ModuleMemory } from './lib/module-memory.ts';

const ROOT = resolve(import.meta.dirname, '..');

/** Both bots are measured as built bundles on plain node, as the Docker image runs the bot. */
const bundles = (): { bot: string; baseline: string } => sharedBundles(ROOT);
const COMMANDS = 10_000;
const CHATS = Array.from({ length: 10 }, (_, i) => 7001 + i);
/** Quiet time before an RSS reading, so start-up and bursts settle (a measuring window, not a sync). */
const SETTLE_MS = 3000;
const WARM_STARTS = 5;

/** Figures of one child process. */
export interface ProcessFigures {
  readonly startupMs: number | null;
  readonly idleRssMb: number | null;
  readonly afterRssMb: number | null;
  readonly peakRssMb: number | null;
  /** Readings before the forced GC (what `ps` would show at that moment). */
  readonly idleRawRssMb?: number | null;
  readonly afterRawRssMb?: number | null;
  /** True when both readings followed a full GC through the inspector. */
  readonly gcForced?: boolean;
  /** process.memoryUsage() and V8 heap spaces (code_space, old_space, ...) of the child after each forced GC, MB. */
  readonly idleUsageMb?: Record<string, number>;
  /** Idle RSS after GC by kind of mapping (node binary, malloc heap, anonymous, addons, libraries), MB. */
  readonly idleResidentMb?: Record<string, number>;
  readonly afterUsageMb?: Record<string, number>;
  /** RSS after GC by kind of mapping after the 10,000 commands, MB (where growth went). */
  readonly afterResidentMb?: Record<string, number>;
  /** GC'd RSS change over the first and the second 5,000 commands. */
  readonly firstHalfGrowthMb?: number | null;
  readonly secondHalfGrowthMb?: number | null;
  /** afterRssMb - idleRssMb, both after a full GC. */
  readonly growthMb: number | null;
  readonly commands: number;
  /** Start-up runs without the inspector (startupMs is their warm median). */
  readonly startup?: Startup;
  /** Start-up of the driven run (inspector on), for comparison. */
  readonly drivenStartupMs?: number | null;
  readonly error?: string;
}

export interface MemoryResult {
  readonly ours: ProcessFigures;
  readonly baseline: ProcessFigures;
  /** With Discord enabled too; null with a reason until the Discord adapter exists. */
  readonly withDiscord: ProcessFigures | null;
  readonly withDiscordReason?: string;
  /** RSS after GC as the heavy packages load, step by step (where the memory goes). */
  readonly modules?: ModuleMemory | string;
}

const mb = (x: number | undefined): number | null => (x === undefined ? null : round(x, 1));

/** Drives a started child: start-up, idle RSS, 10,000 commands, RSS after. */
async function drive(fake: FakeTelegram, child: Child, command: string[], ready?: () => Promise<unknown>): Promise<ProcessFigures> {
  const pid = child.proc.pid;
  let exited = false;
  child.proc.once('exit', () => (exited = true));
  const first = await fake.waitForCall('getUpdates', () => true, 30_000).catch(() => undefined);
  if (!first || exited) return failed(`did not poll: ${child.output().slice(-500)}`);
  const startupMs = round(first.at - child.startedAt, 0);
  // Idle means every platform is up: Discord logs in after Telegram's first poll, and on a busy
  // machine its login and command registration outlast the settle time.
  await ready?.().catch(() => undefined);
  await elapse(SETTLE_MS);
  const idleRaw = rssMb(pid);
  const gcOk = await child.collectGarbage();
  const idle = rssMb(pid);
  const idleResident = residentByMapping(pid);
  const idleUsage = await child.memoryUsage();
  let peak = idle ?? 0;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMb(pid) ?? 0)), 250);
  let sent = 0;
  let half: number | undefined;
  try {
    // Two halves with a GC'd reading between them: steady growth in both halves means a leak,
    // growth in the first only means warm-up (lazy compilation, caches filling).
    for (let h = 0; h < 2; h++) {
      for (const text of command) {
        const starts = await learnAnswer(fake, CHATS[0]!, text);
        const r = await closedLoop(fake, CHATS, text, starts, Math.ceil(COMMANDS / 2 / command.length / CHATS.length), 120_000);
        sent += r.answered;
      }
      if (h === 0) {
        await child.collectGarbage();
        half = rssMb(pid);
      }
    }
  } finally {
    clearInterval(sampler);
  }
  await elapse(SETTLE_MS);
  const afterRaw = rssMb(pid);
  const gcAfter = await child.collectGarbage();
  const after = rssMb(pid);
  const afterResident = residentByMapping(pid);
  const afterUsage = await child.memoryUsage();
  return {
    startupMs,
    idleRssMb: mb(idle),
    afterRssMb: mb(after),
    idleRawRssMb: mb(idleRaw),
    afterRawRssMb: mb(afterRaw),
    gcForced: gcOk && gcAfter,
    ...(idleUsage ? { idleUsageMb: idleUsage } : {}),
    ...(idleResident ? { idleResidentMb: idleResident } : {}),
    ...(afterUsage ? { afterUsageMb: afterUsage } : {}),
    ...(afterResident ? { afterResidentMb: afterResident } : {}),
    peakRssMb: mb(Math.max(peak, after ?? 0)),
    growthMb: idle !== undefined && after !== undefined ? round(after - idle, 1) : null,
    firstHalfGrowthMb: idle !== undefined && half !== undefined ? round(half - idle, 1) : null,
    secondHalfGrowthMb: half !== undefined && after !== undefined ? round(after - half, 1) : null,
    commands: sent,
  };
}

const failed = (error: string): ProcessFigures => ({
  startupMs: null,
  idleRssMb: null,
  afterRssMb: null,
  peakRssMb: null,
  growthMb: null,
  commands: 0,
  error,
});

/** Starts a bot process against `fake`; `o` passes spawn options (inspector, env). */
type Launch = (fake: FakeTelegram, o?: Parameters<typeof spawnTsx>[3]) => { child: Child; cleanup: () => void };

/**
 * Our bot with a temp config; `extra` adds config sections (Discord). Its data folder lives until
 * a cleanup: the cold start creates the database, the warm starts reopen it as a restart does
 * (creating a database costs tens of ms of disk waits, once per install).
 */
const oursLaunch = (extra: Record<string, unknown> = {}): Launch => {
  let dir: string | undefined;
  return (fake, o) => {
    if (!dir || !existsSync(dir)) dir = mkdtempSync(join(tmpdir(), 'homelab-bench-mem-'));
    const here = dir;
    const config = {
      database: join(here, 'bot.db'),
      log: { level: 'warn', pretty: false },
      health: { host: '127.0.0.1', port: 0 },
      telegram: { token: BENCH_TOKEN, apiRoot: fake.apiRoot, ownerIds: CHATS },
      permissions: { rateLimitPerMinute: 1_000_000 },
      ...extra,
    };
    // JSON is YAML: the loader reads it as is.
    writeFileSync(join(here, 'config.yaml'), JSON.stringify(config, null, 2));
    const child = spawnTsx(bundles().bot, ['--config', join(here, 'config.yaml')], ROOT, o);
    return { child, cleanup: () => rmSync(here, { recursive: true, force: true }) };
  };
};

const baselineLaunch: Launch = (fake, o) => ({
  child: spawnTsx(bundles().baseline, ['--token', BENCH_TOKEN, '--api-root', fake.apiRoot], ROOT, o),
  cleanup: () => undefined,
});

/**
 * Start-up figures: median of warm starts (reopening the database) and one cold start (creating
 * it). Beside the wall time, the CPU the process had used by its first getUpdates (every thread):
 * on a shared machine the wall time moves with the neighbours' load, the CPU much less.
 */
export interface Startup {
  readonly warmMedianMs: number | null;
  readonly warmRunsMs: number[];
  readonly coldMs: number | null;
  readonly warmCpuMedianMs?: number | null;
}

/** Spawn → first getUpdates, without the inspector, `WARM_STARTS` times warm and once cold. */
async function startups(launch: Launch): Promise<Startup> {
  const fake = await startFakeTelegram({ token: BENCH_TOKEN, maxHoldMs: MAX_HOLD_MS, maxLog: 100 });
  // The data folder goes after the last run: the warm starts reopen the cold start's database.
  const cleanups: (() => void)[] = [];
  const once = async (): Promise<{ ms: number; cpu: number | undefined } | null> => {
    const mark = fake.mark();
    const { child, cleanup } = launch(fake, { inspect: false });
    cleanups.push(cleanup);
    try {
      const first = await fake.waitForCall('getUpdates', () => true, 30_000, mark).catch(() => undefined);
      return first ? { ms: round(first.at - child.startedAt, 0), cpu: cpuMs(child.proc.pid) } : null;
    } finally {
      await child.stop();
    }
  };
  try {
    const coldMs = (await once())?.ms ?? null;
    const warmRunsMs: number[] = [];
    const warmCpuMs: number[] = [];
    for (let i = 0; i < WARM_STARTS; i++) {
      const run = await once();
      if (run) warmRunsMs.push(run.ms);
      if (run?.cpu !== undefined) warmCpuMs.push(run.cpu);
    }
    const warmCpuMedian = quantile(warmCpuMs, 0.5);
    return {
      warmMedianMs: quantile(warmRunsMs, 0.5) ?? null,
      warmRunsMs,
      coldMs,
      warmCpuMedianMs: warmCpuMedian === undefined ? null : round(warmCpuMedian, 0),
    };
  } finally {
    cleanups.forEach((c) => c());
    await fake.close();
  }
}

/** RSS and start-up of one process driven with `commands`. */
async function measure(
  launch: Launch,
  commands: string[],
  ready?: () => () => Promise<unknown>,
): Promise<ProcessFigures & { startup?: Startup }> {
  const startup = await startups(launch);
  const fake = await startFakeTelegram({ token: BENCH_TOKEN, maxHoldMs: MAX_HOLD_MS, maxLog: 500 });
  const waitReady = ready?.();
  const { child, cleanup } = launch(fake);
  try {
    const figures = await drive(fake, child, commands, waitReady);
    // The start-up figure is the warm median without the inspector; the driven run's is kept aside.
    return { ...figures, startupMs: startup.warmMedianMs, startup, drivenStartupMs: figures.startupMs };
  } catch (e) {
    return failed(`${(e as Error).message} ${child.output().slice(-300)}`);
  } finally {
    await child.stop();
    await fake.close();
    cleanup();
  }
}

/** The Discord config section pointing at the fake, when the adapter and the fake both exist. */
async function discordSection(): Promise<
  { section: Record<string, unknown>; ready: () => () => Promise<unknown>; close: () => Promise<void> } | string
> {
  if (!existsSync(join(ROOT, 'src/bot/discord'))) return 'src/bot/discord does not exist yet';
  const fake = await startFakeDiscord({ token: 'bench-discord-token-abcdefghijklmnop' });
  return {
    section: { discord: { token: fake.token, applicationId: fake.applicationId, guildId: fake.guildId, apiRoot: fake.api } },
    // Marks now; the returned wait ends when the next start has read its slash commands (the
    // adapter's last start-up step, after the gateway is ready).
    ready: () => {
      const mark = fake.mark();
      return () => fake.waitForCall('GET /applications/:app/guilds/:guild/commands', () => true, 60_000, mark);
    },
    close: () => fake.close(),
  };
}

/** ' (node binary 35.1, anonymous 9.2, …)': where a process's idle RSS sits, for the log. */
const residentNote = (f: ProcessFigures): string =>
  f.idleResidentMb
    ? ` [idle RSS by mapping: ${Object.entries(f.idleResidentMb)
        .filter(([, v]) => v > 0)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')} MB]${growthNote(f)}`
    : '';

/** ' [growth by mapping: nodeBinary +2.1, …]': which mappings grew over the commands, for the log. */
const growthNote = (f: ProcessFigures): string =>
  f.idleResidentMb && f.afterResidentMb
    ? ` [growth by mapping: ${Object.entries(f.afterResidentMb)
        .map(([k, v]) => [k, round(v - (f.idleResidentMb![k] ?? 0), 1)] as const)
        .filter(([, v]) => v !== 0)
        .map(([k, v]) => `${k} ${v > 0 ? '+' : ''}${v}`)
        .join(', ')} MB]`
    : '';

/** Runs the memory and start-up benchmark. */
export async function benchMemory(log: (s: string) => void): Promise<MemoryResult> {
  bundles();
  if (process.platform !== 'linux') {
    const na = failed('RSS is read from /proc (Linux only)');
    return { ours: na, baseline: na, withDiscord: null, withDiscordReason: 'Linux only', modules: 'Linux only' };
  }
  const modules = await moduleMemory(ROOT).catch((e: unknown) => `module breakdown failed: ${(e as Error).message.split('\n')[0]}`);
  if (typeof modules !== 'string') log(`  by package: ${modules.steps.map((s) => `${s.label} +${s.addedMb} MB`).join(', ')}`);
  const b = await measure(baselineLaunch, ['/help']);
  log(
    `  baseline: start-up ${b.startupMs} ms (CPU ${b.startup?.warmCpuMedianMs} ms; cold ${b.startup?.coldMs} ms), idle ${b.idleRssMb} MB, after ${b.commands} ${b.afterRssMb} MB (raw ${b.idleRawRssMb} → ${b.afterRawRssMb})${residentNote(b)}${b.error ? ` (${b.error})` : ''}`,
  );
  const o = await measure(oursLaunch(), ['/help', '/status']);
  log(
    `  ours (Telegram): start-up ${o.startupMs} ms (CPU ${o.startup?.warmCpuMedianMs} ms; cold ${o.startup?.coldMs} ms), idle ${o.idleRssMb} MB, after ${o.commands} ${o.afterRssMb} MB (raw ${o.idleRawRssMb} → ${o.afterRawRssMb})${residentNote(o)}${o.error ? ` (${o.error})` : ''}`,
  );
  const d = await discordSection().catch((e: unknown) => `fake Discord failed: ${(e as Error).message}`);
  if (typeof d === 'string') return { ours: o, baseline: b, withDiscord: null, withDiscordReason: d, modules };
  try {
    const w = await measure(oursLaunch(d.section), ['/help', '/status'], d.ready);
    log(
      `  ours (Telegram + Discord): start-up ${w.startupMs} ms (CPU ${w.startup?.warmCpuMedianMs} ms; cold ${w.startup?.coldMs} ms), idle ${w.idleRssMb} MB, after ${w.commands} ${w.afterRssMb} MB${residentNote(w)}${w.error ? ` (${w.error})` : ''}`,
    );
    return { ours: o, baseline: b, withDiscord: w, modules };
  } finally {
    await d.close();
  }
}
