/**
 * Starts the real bot in-process for a benchmark: the composition root with the system clock,
 * a temp database and a logger that keeps warnings and errors so the report can count them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { startApp, type App } from '../../src/app.ts';
import { formatProblems, validateConfig, type Config } from '../../src/core/config.ts';
import { createLogger } from '../../src/core/logger.ts';
import type { FeatureModule } from '../../src/wiring/module.ts';

/** Token every bench fake and bot share (never a real one). */
export const BENCH_TOKEN = '123456:BENCH-TOKEN-abcdefghijklmnopqrstuv';

/** A bot started for a benchmark. */
export interface BenchApp {
  readonly app: App;
  readonly dir: string;
  /** The validated config the bot runs with (defaults applied). */
  readonly config: Config;
  /** Warning/error log lines (parsed JSON) seen so far. */
  readonly logs: Record<string, unknown>[];
  close(): Promise<void>;
}

/** A logger destination that parses and keeps each JSON line (bounded). */
function collector(into: Record<string, unknown>[], max = 5000): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) {
        if (!line.trim() || into.length >= max) continue;
        try {
          into.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          into.push({ msg: line });
        }
      }
      done();
    },
  });
}

/** Starts the bot with `extra` config sections over a minimal config (high per-user rate limit). */
export async function startBenchApp(extra: Record<string, unknown>, opts: { extraModules?: FeatureModule[] } = {}): Promise<BenchApp> {
  const dir = mkdtempSync(join(tmpdir(), 'homelab-bench-'));
  const parsed = validateConfig({
    database: join(dir, 'bot.db'),
    health: { host: '127.0.0.1', port: 0 },
    permissions: { owners: ['telegram:1'], rateLimitPerMinute: 1_000_000 },
    ...extra,
  });
  if (!parsed.ok) throw new Error(`bench config invalid:\n${formatProblems(parsed.problems)}`);
  const logs: Record<string, unknown>[] = [];
  const log = createLogger({ level: 'warn', destination: collector(logs) });
  const app = await startApp({ config: parsed.config, log, ...(opts.extraModules ? { extraModules: opts.extraModules } : {}) });
  return {
    app,
    dir,
    config: parsed.config,
    logs,
    async close() {
      await app.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Enrols chat users `ids` (private chats) as admins so they may run every read command. */
export function enrollAdmins(app: App, ids: readonly number[]): void {
  for (const id of ids) app.permissions.people.enroll(`telegram:${id}`, `bench user ${id}`, 'admin');
}

/**
 * `config` with every `pollSeconds` removed, so each backend polls at the product's default
 * (30 s to 15 min, the UPS every 2 s) as in a household. The demo polls every 1–30 s so that a
 * demo shows changes at once; in a command benchmark those polls, and the demo servers' own work
 * answering them (in this process here, on other machines in a household), land in whichever bot
 * is being measured at that moment.
 */
export function householdPolling<T>(config: T): T {
  if (Array.isArray(config)) return config.map(householdPolling) as T;
  if (config === null || typeof config !== 'object') return config;
  return Object.fromEntries(
    Object.entries(config)
      .filter(([k]) => k !== 'pollSeconds')
      .map(([k, v]) => [k, householdPolling(v)]),
  ) as T;
}
