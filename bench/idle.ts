/**
 * 5. Backend load at idle: every demo backend behind a counting proxy, every service and alert
 * rule the demo config enables, three chats bound to alerts, and the bot left alone for a
 * window. Requests and refreshes (bursts of requests) per minute per backend, against one
 * refresh per poll interval.
 */
import { performance } from 'node:perf_hooks';
import { startDemoHomelab } from '../src/demo/index.ts';
import { AREAS, demoBackendsOf } from '../src/wiring/areas.ts';
import { startFakeTelegram } from '../test/fakes/telegram-api.ts';
import { MAX_HOLD_MS } from './command.ts';
import { BENCH_TOKEN, startBenchApp } from './lib/app.ts';
import { burstStarts, httpCountingProxy, nutCountingProxy, type CountingProxy } from './lib/proxy.ts';
import { elapse, quantile, round } from './lib/stats.ts';

/** Start-up refreshes settle before the window opens. */
const WARMUP_MS = 5000;
const BOUND_CHATS = [9001, 9002, 9003];

/** Load on one backend. */
export interface BackendLoad {
  readonly backend: string;
  readonly pollSeconds: number | null;
  readonly requestsPerMin: number;
  readonly refreshesPerMin: number;
  /** Median time between refreshes over the whole run (start-up included), seconds. */
  readonly medianRefreshIntervalS: number | null;
  /** 60 / pollSeconds. */
  readonly expectedRefreshesPerMin: number | null;
  readonly routes: Record<string, number>;
}

export interface IdleResult {
  readonly windowS: number;
  /** True when the window was shorter than 60 s and figures are scaled to a minute. */
  readonly extrapolated: boolean;
  readonly backends: BackendLoad[];
  readonly requestsPerMinByBackend: Record<string, number>;
  readonly note?: string;
}

/** Puts a counting proxy in front of each backend of `config`, returning the rewritten config. */
async function proxied(
  config: Record<string, unknown>,
): Promise<{ config: Record<string, unknown>; proxies: Map<string, CountingProxy>; skipped: string[] }> {
  const out: Record<string, unknown> = { ...config };
  const proxies = new Map<string, CountingProxy>();
  const skipped: string[] = [];
  for (const [name, section] of Object.entries(config)) {
    if (!section || typeof section !== 'object') continue;
    const s = section as Record<string, unknown>;
    if (typeof s.url === 'string' && s.url.startsWith('http://')) {
      const u = new URL(s.url);
      const p = await httpCountingProxy(u.origin);
      proxies.set(name, p);
      out[name] = { ...s, url: `${p.origin}${u.pathname === '/' ? '' : u.pathname}${u.search}` };
    } else if (name === 'nut' && typeof s.port === 'number') {
      const p = await nutCountingProxy(typeof s.host === 'string' ? s.host : '127.0.0.1', s.port);
      proxies.set(name, p);
      out[name] = { ...s, host: '127.0.0.1', port: p.port };
    } else if (typeof s.url === 'string') {
      skipped.push(`${name} (${new URL(s.url).protocol} not proxied)`);
    }
  }
  return { config: out, proxies, skipped };
}

/** Runs the idle-load benchmark over `windowMs` of bot idle time. */
export async function benchIdle(windowMs: number, log: (s: string) => void): Promise<IdleResult> {
  const homelab = await startDemoHomelab(await demoBackendsOf(AREAS));
  const { config, proxies, skipped } = await proxied(homelab.config);
  const fake = await startFakeTelegram({ token: BENCH_TOKEN, maxHoldMs: MAX_HOLD_MS, maxLog: 200 });
  try {
    if (proxies.size === 0) {
      return {
        windowS: 0,
        extrapolated: false,
        backends: [],
        requestsPerMinByBackend: {},
        note: 'no demo backends registered yet (no area in src/wiring/areas.ts names one)',
      };
    }
    const bindings = BOUND_CHATS.map((id) => ({ chat: `telegram:${id}` }));
    const existing = (config.alerts as Record<string, unknown> | undefined) ?? {};
    const bench = await startBenchApp({
      ...config,
      alerts: { ...existing, bindings },
      telegram: { token: BENCH_TOKEN, apiRoot: fake.apiRoot },
    });
    try {
      const started = performance.now();
      await elapse(WARMUP_MS);
      const from = performance.now();
      await elapse(windowMs);
      const to = performance.now();
      const perMin = (n: number): number => round((n * 60_000) / (to - from), 1);
      const backends: BackendLoad[] = [];
      for (const [name, p] of proxies) {
        const section = (bench.config as unknown as Record<string, { pollSeconds?: number } | undefined>)[name];
        const pollSeconds = section?.pollSeconds ?? null;
        const inWindow = p.hits.filter((h) => h >= from && h <= to).length;
        const refreshes = burstStarts(p.hits, from, to).length;
        const all = burstStarts(p.hits, started, to);
        const gaps = all.slice(1).map((t, i) => t - all[i]!);
        const medianGap = quantile(gaps, 0.5);
        backends.push({
          backend: name,
          pollSeconds,
          requestsPerMin: perMin(inWindow),
          refreshesPerMin: perMin(refreshes),
          medianRefreshIntervalS: medianGap === undefined ? null : round(medianGap / 1000, 1),
          expectedRefreshesPerMin: pollSeconds ? round(60 / pollSeconds, 1) : null,
          routes: Object.fromEntries(p.byRoute),
        });
        log(
          `  ${name}: ${perMin(inWindow)} requests/min, ${perMin(refreshes)} refreshes/min, one every ${medianGap === undefined ? '?' : round(medianGap / 1000, 1)} s (poll ${pollSeconds ?? '?'} s)`,
        );
      }
      return {
        windowS: round((to - from) / 1000, 1),
        extrapolated: to - from < 59_000,
        backends,
        requestsPerMinByBackend: Object.fromEntries(backends.map((b) => [b.backend, b.requestsPerMin])),
        ...(skipped.length ? { note: `not counted: ${skipped.join(', ')}` } : {}),
      };
    } finally {
      await bench.close();
    }
  } finally {
    await fake.close();
    for (const p of proxies.values()) await p.close();
    await homelab.close();
  }
}
