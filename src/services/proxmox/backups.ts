import { guestLabel, taskSucceeded, type Guest, type GuestType, type Task } from './types.ts';

/** Pure backup bookkeeping: vzdump tasks (+ logs) → one result per guest per run → a summary. */

/** What one guest's backup in one vzdump run came to. */
export type BackupOutcome = 'ok' | 'warning' | 'failed' | 'running';

/** One guest's part of one vzdump task. */
export interface BackupRun {
  readonly vmid: number;
  readonly upid: string;
  /** Epoch seconds. */
  readonly starttime: number;
  readonly endtime?: number;
  readonly outcome: BackupOutcome;
  /** The reason, for failed runs (`ERROR: Backup of VM … failed - <reason>`, else the exit status). */
  readonly error?: string;
  /** The last lines of the task log, for failed runs when the log was read. */
  readonly logTail?: readonly string[];
}

/** Per-guest results found in a vzdump task log. */
export type VzdumpLogResults = Map<number, { outcome: 'ok' | 'failed' | 'running'; error?: string }>;

/**
 * Reads per-guest results from a vzdump log. Multi-guest jobs (scheduled backups) have no
 * vmid in the task id, so the log is the only place that says which guest failed.
 */
export function parseVzdumpLog(lines: readonly string[]): VzdumpLogResults {
  const out: VzdumpLogResults = new Map();
  for (const line of lines) {
    let m = /Starting Backup of VM (\d+)\b/.exec(line);
    if (m?.[1]) {
      out.set(Number(m[1]), { outcome: 'running' });
      continue;
    }
    m = /Finished Backup of VM (\d+)\b/.exec(line);
    if (m?.[1]) {
      out.set(Number(m[1]), { outcome: 'ok' });
      continue;
    }
    m = /ERROR: Backup of VM (\d+) failed - (.*)$/.exec(line);
    if (m?.[1]) out.set(Number(m[1]), { outcome: 'failed', error: (m[2] ?? '').trim() });
  }
  return out;
}

/**
 * The last lines of one guest's part of a vzdump log: from its "Starting Backup of VM <id>" up to
 * the next guest's start, so a multi-guest job's failure never shows another guest's lines.
 * The task's closing lines (`TASK ERROR: …`) after the last guest belong to it too.
 */
export function guestLogTail(lines: readonly string[], vmid: number, max = 10): string[] {
  const starts = lines.flatMap((l, i) => (/Starting Backup of VM \d+\b/.test(l) ? [i] : []));
  const from = lines.findIndex((l) => new RegExp(`Starting Backup of VM ${vmid}\\b`).test(l));
  if (from < 0) return lines.slice(-max);
  const next = starts.find((i) => i > from);
  const own = lines.slice(from, next ?? lines.length);
  return own.slice(-max);
}

/** Whether a task-list status means "still running" (source=all lists them as RUNNING). */
const isRunning = (t: Task): boolean => t.endtime === undefined || t.status === undefined || t.status === 'RUNNING';

/**
 * Expands vzdump tasks into per-guest runs, newest first. `logOf(upid)` returns the task's
 * log lines when they were read: the whole log for multi-guest tasks, the tail for failures.
 */
export function backupRuns(tasks: readonly Task[], logOf: (upid: string) => readonly string[] | undefined): BackupRun[] {
  const runs: BackupRun[] = [];
  for (const t of tasks) {
    if (t.type !== 'vzdump') continue;
    const log = logOf(t.upid);
    const parsed = log ? parseVzdumpLog(log) : (new Map() as VzdumpLogResults);
    const base = { upid: t.upid, starttime: t.starttime, ...(t.endtime !== undefined ? { endtime: t.endtime } : {}) };
    const running = isRunning(t);
    const warning = /^WARNINGS: \d+$/.test(t.status ?? '');
    const vmid = /^\d+$/.test(t.id) ? Number(t.id) : undefined;
    if (vmid !== undefined) {
      const fromLog = parsed.get(vmid);
      const outcome: BackupOutcome = running ? 'running' : taskSucceeded(t.status) ? (warning ? 'warning' : 'ok') : 'failed';
      runs.push({
        vmid,
        ...base,
        outcome,
        ...(outcome === 'failed' ? { error: fromLog?.error || t.status || 'unknown error' } : {}),
        ...(outcome === 'failed' && log ? { logTail: guestLogTail(log, vmid) } : {}),
      });
      continue;
    }
    for (const [id, r] of parsed) {
      // A guest the log started but never finished: still running, or the job died with it.
      const outcome: BackupOutcome =
        r.outcome === 'running' ? (running ? 'running' : 'failed') : r.outcome === 'ok' ? (warning ? 'warning' : 'ok') : 'failed';
      runs.push({
        vmid: id,
        ...base,
        outcome,
        ...(outcome === 'failed' ? { error: r.error || t.status || 'the job ended before this guest finished' } : {}),
        ...(outcome === 'failed' && log ? { logTail: guestLogTail(log, id) } : {}),
      });
    }
  }
  return runs.sort((a, b) => b.starttime - a.starttime);
}

/** Backup state of one guest. */
export interface GuestBackup {
  readonly vmid: number;
  readonly name: string;
  readonly type: GuestType;
  /** `nas (VM 100)`: how every chat surface shows it. */
  readonly label: string;
  /** The newest run (any outcome). */
  readonly last?: BackupRun;
  /** The newest run that succeeded (ok or warnings). */
  readonly lastOk?: BackupRun;
  /** Hours since the last run ended (or started, while running). */
  readonly lastAgeHours?: number;
  readonly lastOkAgeHours?: number;
  /** No successful backup within the window. */
  readonly missing: boolean;
}

/** What /backups shows and the backup rules read. */
export interface BackupsSummary {
  readonly guests: readonly GuestBackup[];
  /** Guests whose newest finished run failed. */
  readonly failures: readonly (BackupRun & { readonly name: string; readonly label: string })[];
  /** Guests without a successful backup within the window (templates excluded). */
  readonly missing: readonly GuestBackup[];
  readonly running: readonly BackupRun[];
  readonly windowHours: number;
}

/** Summarises backups per guest: last result and age, failures with their log, gaps in the window. */
export function summarizeBackups(
  guests: readonly Guest[],
  runs: readonly BackupRun[],
  opts: { now: number; windowHours: number },
): BackupsSummary {
  const nowS = opts.now / 1000;
  const hoursSince = (r: BackupRun): number => Math.max(0, (nowS - (r.endtime ?? r.starttime)) / 3600);
  const out: GuestBackup[] = [];
  const failures: (BackupRun & { name: string; label: string })[] = [];
  // One pass over the runs (every /status summarises them): each guest's, newest first as given.
  const byGuest = new Map<number, BackupRun[]>();
  for (const r of runs) {
    const list = byGuest.get(r.vmid);
    if (list) list.push(r);
    else byGuest.set(r.vmid, [r]);
  }
  for (const g of guests) {
    if (g.template) continue;
    const mine = byGuest.get(g.vmid) ?? [];
    const last = mine[0];
    const lastOk = mine.find((r) => r.outcome === 'ok' || r.outcome === 'warning');
    const lastFinished = mine.find((r) => r.outcome !== 'running');
    const lastOkAgeHours = lastOk ? hoursSince(lastOk) : undefined;
    const gb: GuestBackup = {
      vmid: g.vmid,
      name: g.name,
      type: g.type,
      label: guestLabel(g),
      ...(last ? { last, lastAgeHours: hoursSince(last) } : {}),
      ...(lastOk ? { lastOk, lastOkAgeHours } : {}),
      missing: lastOkAgeHours === undefined || lastOkAgeHours > opts.windowHours,
    };
    out.push(gb);
    if (lastFinished?.outcome === 'failed') failures.push({ ...lastFinished, name: g.name, label: gb.label });
  }
  return {
    guests: out,
    failures,
    missing: out.filter((g) => g.missing),
    running: runs.filter((r) => r.outcome === 'running'),
    windowHours: opts.windowHours,
  };
}
