/**
 * Where the memory goes, by package: one plain-node child imports the bot's heavy dependencies
 * one step at a time and reports its RSS after a full GC (`--expose-gc`) after each step. The
 * difference between the bot's idle RSS and the last step is the bot's own code and state
 * (bundle, catalogues, schemas, SQLite page cache, pollers' snapshots).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { IMAGE_MALLOC_ENV } from './child.ts';

const run = promisify(execFile);

/** One cumulative step: a label and the ESM statements it runs. */
const STEPS: readonly { label: string; code: string }[] = [
  { label: 'node itself', code: '' },
  {
    // Node's own modules that any Telegram bot loads (node-fetch's http/https/zlib, TLS): the
    // bare echo bot pays them too, so they are not grammY's.
    label: 'node built-ins (http, https, zlib, stream)',
    code: "await import('node:http'); await import('node:https'); await import('node:zlib'); await import('node:stream');",
  },
  {
    label: 'grammY + runner + auto-retry',
    code: "await import('grammy'); await import('@grammyjs/runner'); await import('@grammyjs/auto-retry');",
  },
  {
    label: 'better-sqlite3 (one open database)',
    code: "const D = (await import('better-sqlite3')).default; globalThis.db = new D(':memory:'); globalThis.db.prepare('select 1').get();",
  },
  { label: 'undici (backend HTTP)', code: "await import('undici');" },
  {
    label: 'zod, yaml, pino, node-cron',
    code: "await import('zod'); await import('yaml'); await import('pino'); await import('node-cron');",
  },
  { label: 'discord.js (Discord setups only)', code: "await import('discord.js');" },
];

/** RSS after GC at each step, and what each step added (MB). */
export interface ModuleMemory {
  readonly steps: { label: string; rssMb: number; addedMb: number }[];
}

/** Runs the steps in one child from `cwd` (so packages resolve from the project's node_modules). */
export async function moduleMemory(cwd: string): Promise<ModuleMemory> {
  const read =
    'const rss = () => { globalThis.gc(); globalThis.gc(); return Math.round(process.memoryUsage().rss / 104857.6) / 10; }; const out = [];';
  const body = STEPS.map((s) => `${s.code} out.push(rss());`).join('\n');
  const script = `${read}\n${body}\nprocess.stdout.write(JSON.stringify(out));`;
  // With the image's malloc settings, as the bot is measured: without them glibc's retention of
  // each step's freed load-time memory moves a step's figure by several MB from run to run.
  const env = { ...process.env, ...IMAGE_MALLOC_ENV };
  const { stdout } = await run(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], { cwd, timeout: 60_000, env });
  const rss = JSON.parse(stdout) as number[];
  return {
    steps: STEPS.map((s, i) => ({
      label: s.label,
      rssMb: rss[i] ?? 0,
      addedMb: Math.round(((rss[i] ?? 0) - (i === 0 ? 0 : (rss[i - 1] ?? 0))) * 10) / 10,
    })),
  };
}
