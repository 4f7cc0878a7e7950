/**
 * `npm run bench`: measures command latency, alert latency, memory and start-up, an alert
 * storm and backend load at idle, each beside its baseline or target, prints a table and
 * writes bench/results/latest.json. Nothing is asserted; the exit code is 0 unless the bench
 * itself crashes. Traffic stays on 127.0.0.1, except the install section's `npm ci` (the npm
 * registry). Options: `--only a,b` (command, alert, memory,
 * storm, idle, install), `--idle-seconds N` (default 60; shorter windows are scaled to a minute and
 * labelled so).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { benchAlert, type AlertResult } from './alert.ts';
import { benchCommands, type CommandResult } from './command.ts';
import { benchIdle, type IdleResult } from './idle.ts';
import { benchInstall, type InstallResult } from './install.ts';
import { benchMemory, type MemoryResult } from './memory.ts';
import { benchStorm, type StormResult } from './storm.ts';
import { report } from './report.ts';
import { machine, round } from './lib/stats.ts';

const SECTIONS = ['command', 'alert', 'memory', 'storm', 'idle', 'install'] as const;
type Section = (typeof SECTIONS)[number];

/** Everything one run measured; a section is a reason string when it could not run. */
export interface BenchResults {
  command: CommandResult | string;
  alert: AlertResult | string;
  memory: MemoryResult | string;
  storm: StormResult | string;
  idle: IdleResult | string;
  install: InstallResult | string;
}

const { values } = parseArgs({ options: { only: { type: 'string' }, 'idle-seconds': { type: 'string' }, out: { type: 'string' } } });
const only = new Set<Section>(
  (values.only?.split(',') ?? SECTIONS).filter((s): s is Section => (SECTIONS as readonly string[]).includes(s)),
);
const idleMs = Math.max(5, Math.min(600, Number(values['idle-seconds'] ?? 60))) * 1000;
const log = (s: string): void => void process.stderr.write(`${s}\n`);

/** Runs one section, turning a crash into a reason (the other sections still run). */
async function section<T>(name: Section, fn: () => Promise<T | string>): Promise<T | string> {
  if (!only.has(name)) return 'skipped (--only)';
  log(`${name}…`);
  const t0 = performance.now();
  try {
    return await fn();
  } catch (e) {
    log(`  ${name} failed: ${(e as Error).stack ?? String(e)}`);
    return `bench error: ${(e as Error).message.split('\n')[0]}`;
  } finally {
    log(`  (${round((performance.now() - t0) / 1000, 1)} s)`);
  }
}

const load0 = loadavg();
const started = performance.now();
const results: BenchResults = {
  command: await section('command', () => benchCommands(log)),
  alert: await section('alert', () => benchAlert(log)),
  memory: await section('memory', () => benchMemory(log)),
  storm: await section('storm', () => benchStorm(log)),
  idle: await section('idle', () => benchIdle(idleMs, log)),
  install: await section('install', () => benchInstall(log)),
};
const { text, json } = report(results);
const out = {
  ...json,
  machine: { ...machine(), loadAvgAtStart: load0.map((x) => round(x, 2)), loadAvgAtEnd: loadavg().map((x) => round(x, 2)) },
  ranAt: new Date().toISOString(),
  durationS: round((performance.now() - started) / 1000, 1),
  sections: [...only],
};
process.stdout.write(`${text}\n`);
const file = resolve(values.out ?? join(import.meta.dirname, 'results', 'latest.json'));
mkdirSync(join(file, '..'), { recursive: true });
writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
process.stdout.write(`\nwritten ${file} (${out.durationS} s)\n`);
// Lingering keep-alive sockets of the fakes must not keep the process up.
process.exit(0);
