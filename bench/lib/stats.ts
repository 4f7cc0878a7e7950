/** Small statistics and formatting helpers for the benchmark report. */
import { cpus } from 'node:os';

/** The q-quantile (0..1) of samples by the nearest-rank method; undefined when empty. */
export function quantile(samples: readonly number[], q: number): number | undefined {
  if (samples.length === 0) return undefined;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1];
}

/** p50/p99/max/count of latency samples in ms. */
export interface LatencySummary {
  readonly n: number;
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
  readonly maxMs: number | null;
}

/** Summarises latency samples (null when there are none: never a made-up figure). */
export function summarize(samples: readonly number[]): LatencySummary {
  const r = (x: number | undefined): number | null => (x === undefined ? null : round(x, 2));
  return { n: samples.length, p50Ms: r(quantile(samples, 0.5)), p99Ms: r(quantile(samples, 0.99)), maxMs: r(quantile(samples, 1)) };
}

/** Rounds to `digits` decimals. */
export function round(x: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** a / b rounded, or null when either side is missing. */
export function ratio(a: number | null | undefined, b: number | null | undefined): number | null {
  if (a === null || a === undefined || b === null || b === undefined || b === 0) return null;
  return round(a / b, 2);
}

/** "met" / "NOT met" / "n/a" for a target check. */
export function verdict(value: number | null | undefined, ok: (v: number) => boolean): string {
  if (value === null || value === undefined) return 'n/a';
  return ok(value) ? 'met' : 'NOT met';
}

/** A figure for the table: the number with its unit, or "n/a (reason)". */
export function fig(value: number | null | undefined, unit = '', reason = 'not measured'): string {
  return value === null || value === undefined ? `n/a (${reason})` : `${value}${unit}`;
}

/** The machine the bench ran on. */
export function machine(): { cores: number; nodeVersion: string; cpuModel: string; platform: string } {
  const c = cpus();
  return {
    cores: c.length,
    nodeVersion: process.version,
    cpuModel: c[0]?.model.trim() ?? 'unknown',
    platform: `${process.platform}-${process.arch}`,
  };
}

/** Renders rows as a plain-text table with aligned columns. */
export function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** Resolves after `ms` (used only to let a measured window of wall time pass, never to synchronise). */
export const elapse = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Rejects when `p` has not settled within `ms`. */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
