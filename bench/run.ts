/**
 * `npm run bench`: measures command latency, alert latency, memory and start-up, an alert
 * storm, backend load at idle, the install size and recovery after outages, each beside its
 * baseline or target, prints a table and writes bench/results/latest.json. Nothing is
 * asserted; the exit code is 0 unless the bench itself crashes. Traffic stays on 127.0.0.1,
 * except the install section's `npm ci` (the npm registry). Sections can be chosen by name
 * (`npm run bench -- recovery`) or `--only a,b` (command, alert, memory, storm, idle, install,
 * recovery); a partial run keeps the other sections' figures of the file it updates.
 * `--idle-seconds N` (default 60; shorter windows are scaled to a minute and labelled so),
 * `--outages 60,600` (recovery: outage lengths in seconds).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { benchAlert, type AlertResult } from './alert.ts';
import { benchCommands, type CommandResult } from './command.ts';
import { benchIdle, type IdleResult } from './idle.ts';
import { benchInstall, type InstallResult } from './install.ts';
import { benchMemory, type MemoryResult } from './memory.ts';
import { benchRecovery, DEFAULT_OUTAGES_S, type RecoveryResult } from './recovery.ts';
import { benchStorm, type StormResult } from './storm.ts';
import { report, SKIPPED } from './report.ts';
import { chooseSections, mergeResults, SECTIONS, type Section } from './lib/sections.ts';
import { machine, round } from './lib/stats.ts';

/** Everything one run measured; a section is a reason string when it could not run. */
export interface BenchResults {
  command: CommandResult | string;
  alert: AlertResult | string;
  memory: MemoryResult | string;
  storm: StormResult | string;
  idle: IdleResult | string;
  install: InstallResult | string;
  recovery: RecoveryResult | string;
}

const { values, positionals } = parseArgs({
  options: { only: { type: 'string' }, 'idle-seconds': { type: 'string' }, outages: { type: 'string' }, out: { type: 'string' } },
  allowPositionals: true,
});
const chosen = chooseSections([...(values.only?.split(',') ?? []), ...positionals]);
if (!chosen.ok) {
  process.stderr.write(`unknown bench section(s): ${chosen.unknown.join(', ')} (sections: ${SECTIONS.join(', ')})\n`);
  process.exit(2);
}
const only = chosen.sections;
const idleMs = Math.max(5, Math.min(600, Number(values['idle-seconds'] ?? 60))) * 1000;
const outagesS = values.outages ? values.outages.split(',').map((s) => Math.max(5, Math.min(3600, Number(s)))) : [...DEFAULT_OUTAGES_S];
if (outagesS.some((s) => !Number.isFinite(s))) {
  process.stderr.write(`--outages takes seconds separated by commas, e.g. 60,600\n`);
  process.exit(2);
}
const log = (s: string): void => void process.stderr.write(`${s}\n`);

/** When each section that ran in this run ran, how long it took and the load at its start. */
const sectionRuns: Record<string, { ranAt: string; durationS: number; loadAvgAtStart: number[] }> = {};

/** Runs one section, turning a crash into a reason (the other sections still run). */
async function section<T>(name: Section, fn: () => Promise<T | string>): Promise<T | string> {
  if (!only.has(name)) return SKIPPED;
  log(`${name}…`);
  const t0 = performance.now();
  const ranAt = new Date().toISOString();
  const loadAvgAtStart = loadavg().map((x) => round(x, 2));
  try {
    return await fn();
  } catch (e) {
    log(`  ${name} failed: ${(e as Error).stack ?? String(e)}`);
    return `bench error: ${(e as Error).message.split('\n')[0]}`;
  } finally {
    const durationS = round((performance.now() - t0) / 1000, 1);
    sectionRuns[name] = { ranAt, durationS, loadAvgAtStart };
    log(`  (${durationS} s)`);
  }
}

/** The figures already in `file`, or an empty object when there is none (or it is unreadable). */
function previous(file: string): Record<string, unknown> {
  if (!existsSync(file)) return {};
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return {};
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
  recovery: await section('recovery', () => benchRecovery(log, outagesS)),
};
const { text, json } = report(results);
const file = resolve(values.out ?? join(import.meta.dirname, 'results', 'latest.json'));
// A partial run updates its own sections and keeps every other section's figures as they were.
const out = {
  ...mergeResults(only.size < SECTIONS.length ? previous(file) : {}, json, only, sectionRuns),
  machine: { ...machine(), loadAvgAtStart: load0.map((x) => round(x, 2)), loadAvgAtEnd: loadavg().map((x) => round(x, 2)) },
  ranAt: new Date().toISOString(),
  durationS: round((performance.now() - started) / 1000, 1),
};
process.stdout.write(`${text}\n`);
mkdirSync(join(file, '..'), { recursive: true });
writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
process.stdout.write(`\nwritten ${file} (${out.durationS} s)\n`);
// Lingering keep-alive sockets of the fakes must not keep the process up.
process.exit(0);
