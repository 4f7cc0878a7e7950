/** A child node process under measurement: spawn with tsx, read its RSS from /proc, stop it. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';

/** A spawned child with its start time (performance.now() just before spawn). */
export interface Child {
  readonly proc: ChildProcess;
  readonly startedAt: number;
  /** The child's stderr/stdout so far (bounded), for failure messages. */
  output(): string;
  /** Runs a full garbage collection in the child through its inspector (false when unavailable). */
  collectGarbage(): Promise<boolean>;
  /** The child's process.memoryUsage() and V8 heap-space use in MB through its inspector (undefined when unavailable). */
  memoryUsage(): Promise<Record<string, number> | undefined>;
  stop(): Promise<void>;
}

/** glibc malloc settings the Docker image sets (Dockerfile ENV), so children run as the image runs the bot. */
export const IMAGE_MALLOC_ENV = { MALLOC_ARENA_MAX: '2', MALLOC_TRIM_THRESHOLD_: '131072', MALLOC_MMAP_THRESHOLD_: '32768' } as const;

/**
 * Spawns `node --inspect=127.0.0.1:0 --import tsx <script> ...args` in `cwd`. The inspector
 * (loopback, ephemeral port) lets the bench force a full GC before reading RSS, so growth
 * figures show retained memory rather than when V8 last happened to collect; start-up runs
 * go without it (`inspect: false`).
 */
export function spawnTsx(
  script: string,
  args: readonly string[],
  cwd: string,
  o: { inspect?: boolean; env?: Record<string, string> } = {},
): Child {
  const flags = o.inspect === false ? [] : ['--inspect=127.0.0.1:0'];
  const startedAt = performance.now();
  // A built bundle (.js, as shipped in the Docker image) runs on plain node; sources go through tsx.
  const loader = script.endsWith('.js') ? [] : ['--import', 'tsx'];
  const proc = spawn(process.execPath, [...flags, ...loader, script, ...args], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_ENV: 'production', ...IMAGE_MALLOC_ENV, ...o.env },
  });
  let out = '';
  const keep = (d: Buffer): void => {
    if (out.length < 20_000) out += d.toString();
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  return {
    proc,
    startedAt,
    output: () => out,
    collectGarbage: async () => (await inspect(out, 'HeapProfiler.collectGarbage')) !== undefined,
    memoryUsage: async () => {
      const expression =
        'JSON.stringify(Object.fromEntries([...Object.entries(process.memoryUsage()), ...require("v8").getHeapSpaceStatistics().map((s) => [s.space_name, s.space_used_size])].map(([k, v]) => [k, Math.round(v / 104857.6) / 10])))';
      // includeCommandLineAPI: Node's inspector console offers `require` (for v8's heap spaces).
      const r = (await inspect(out, 'Runtime.evaluate', { expression, returnByValue: true, includeCommandLineAPI: true })) as
        { result?: { value?: string } } | undefined;
      return r?.result?.value ? (JSON.parse(r.result.value) as Record<string, number>) : undefined;
    },
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const done = new Promise<void>((r) => proc.once('exit', () => r()));
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
      await done;
      clearTimeout(t);
    },
  };
}

/**
 * CPU time a process has used so far, ms, every thread counted (V8 compiles and collects on
 * threads of its own), from /proc/<pid>/task/<tid>/schedstat's nanoseconds (Linux), else undefined.
 */
export function cpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined || process.platform !== 'linux') return undefined;
  try {
    let ns = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        // a thread that ended between the listing and the read
      }
    }
    return ns / 1e6;
  } catch {
    return undefined;
  }
}

/** Resident set size of a process in MB from /proc/<pid>/status (Linux), else undefined. */
export function rssMb(pid: number | undefined): number | undefined {
  if (pid === undefined || process.platform !== 'linux') return undefined;
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Resident memory of a process by kind of mapping, MB, from /proc/<pid>/smaps (Linux), else
 * undefined: the node binary's own pages (its code and read-only data as far as touched), the
 * glibc brk heap, other anonymous memory (V8's heap, mmapped malloc blocks, thread stacks),
 * native addons (*.node) and shared libraries.
 */
export function residentByMapping(pid: number | undefined): Record<string, number> | undefined {
  if (pid === undefined || process.platform !== 'linux') return undefined;
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/smaps`, 'utf8');
  } catch {
    return undefined;
  }
  const kb: Record<string, number> = { nodeBinary: 0, mallocHeap: 0, anonymous: 0, addons: 0, sharedLibraries: 0, other: 0 };
  let kind = 'other';
  for (const line of text.split('\n')) {
    const header = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (header) kind = mappingKind(header[1]!);
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) kb[kind]! += Number(rss[1]);
  }
  return Object.fromEntries(Object.entries(kb).map(([k, v]) => [k, Math.round(v / 102.4) / 10]));
}

function mappingKind(path: string): string {
  if (path === '' || path.startsWith('[anon')) return 'anonymous';
  if (path === '[heap]') return 'mallocHeap';
  if (path === process.execPath || /\/node$/.test(path)) return 'nodeBinary';
  if (path.endsWith('.node')) return 'addons';
  if (/\.so(\.|$)/.test(path)) return 'sharedLibraries';
  return 'other';
}

/** Sends one DevTools protocol command to the child whose output names its inspector URL. */
function inspect(output: string, method: string, params: Record<string, unknown> = {}): Promise<unknown> {
  const m = /Debugger listening on (ws:\/\/127\.0\.0\.1:\d+\/[\w-]+)/.exec(output);
  return m ? inspectorCall(m[1]!, method, params) : Promise.resolve(undefined);
}

/** One DevTools protocol round trip: the result, or undefined on error or after 10 s. */
function inspectorCall(url: string, method: string, params: Record<string, unknown>): Promise<unknown> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url);
    const done = (result: unknown): void => {
      clearTimeout(timer);
      ws.terminate();
      resolve(result);
    };
    const timer = setTimeout(() => done(undefined), 10_000);
    ws.on('open', () => ws.send(JSON.stringify({ id: 1, method, params })));
    ws.on('message', (data: Buffer) => {
      const msg = JSON.parse(data.toString()) as { id?: number; error?: unknown; result?: unknown };
      if (msg.id === 1) done(msg.error === undefined ? (msg.result ?? {}) : undefined);
    });
    ws.on('error', () => done(undefined));
  });
}
