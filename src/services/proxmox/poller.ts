import type { Clock, Scheduler } from '../../core/clock.ts';
import { ok, type Result, type ServiceError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { Poller } from '../poller.ts';
import { backupRuns, type BackupRun } from './backups.ts';
import type { ProxmoxClient } from './client.ts';
import { taskSucceeded, type Guest, type NodeStatus, type Storage, type Task } from './types.ts';

/** Everything the Proxmox commands and rules read, from one refresh. */
export interface ProxmoxSnapshot {
  readonly node: NodeStatus;
  readonly guests: readonly Guest[];
  /** Absent when the storage list could not be read (`storageError` says why). */
  readonly storage?: readonly Storage[];
  readonly storageError?: ServiceError;
  /** Per-guest vzdump results, newest first; absent when the task list could not be read. */
  readonly backups?: readonly BackupRun[];
  readonly backupsError?: ServiceError;
}

/** How many recent vzdump tasks get their log read per refresh (bounds backend load). */
const LOG_READS_PER_REFRESH = 10;

/**
 * Builds the refresh function. Node and guests are required; storage and backups are read
 * too but their failure (e.g. a token without Sys.Audit for tasks) only blanks that part.
 * Finished task logs never change, so they are cached by UPID across refreshes.
 */
export function proxmoxFetcher(client: ProxmoxClient, opts: { taskLimit?: number } = {}): () => Promise<Result<ProxmoxSnapshot>> {
  const logs = new Map<string, readonly string[]>();
  return async () => {
    const [node, guests, storage, tasks] = await Promise.all([
      client.nodeStatus(),
      client.guests(),
      client.storage(),
      client.vzdumpTasks({ limit: opts.taskLimit ?? 100 }),
    ]);
    if (!node.ok) return node;
    if (!guests.ok) return guests;
    let backups: BackupRun[] | undefined;
    if (tasks.ok) {
      await readLogs(client, tasks.value, logs);
      const live = await readRunningJobLogs(client, tasks.value);
      backups = backupRuns(tasks.value, (upid) => logs.get(upid) ?? live.get(upid));
      // Forget logs of tasks that fell out of the list.
      const listed = new Set(tasks.value.map((t) => t.upid));
      for (const k of logs.keys()) if (!listed.has(k)) logs.delete(k);
    }
    return ok({
      node: node.value,
      guests: guests.value,
      ...(storage.ok ? { storage: storage.value } : { storageError: storage.error }),
      ...(backups ? { backups } : tasks.ok ? {} : { backupsError: tasks.error }),
    });
  };
}

/** Reads logs that matter: whole logs of finished multi-guest jobs, tails of failed single-guest runs. */
async function readLogs(client: ProxmoxClient, tasks: readonly Task[], cache: Map<string, readonly string[]>): Promise<void> {
  const wanted = tasks.filter((t) => {
    if (cache.has(t.upid) || t.endtime === undefined || t.status === 'RUNNING' || t.status === undefined) return false;
    return t.id === '' || !taskSucceeded(t.status);
  });
  for (const t of wanted.slice(0, LOG_READS_PER_REFRESH)) {
    const r = t.id === '' ? await client.taskLog(t.upid, { limit: 5_000 }) : await client.taskLogTail(t.upid, 10);
    if (r.ok) cache.set(t.upid, Array.isArray(r.value) ? r.value : r.value.lines.map((l) => l.t));
  }
}

/** At most this many running multi-guest jobs have their log read per refresh. */
const RUNNING_JOB_READS = 2;

/**
 * Logs of multi-guest jobs still running (read each refresh, never cached: they grow). Only
 * the log says which guests such a job has reached, and a stop-mode job stops them in turn.
 */
async function readRunningJobLogs(client: ProxmoxClient, tasks: readonly Task[]): Promise<Map<string, readonly string[]>> {
  const out = new Map<string, readonly string[]>();
  const running = tasks.filter((t) => t.type === 'vzdump' && t.id === '' && (t.endtime === undefined || t.status === 'RUNNING'));
  for (const t of running.slice(0, RUNNING_JOB_READS)) {
    const r = await client.taskLog(t.upid, { limit: 5_000 });
    if (r.ok)
      out.set(
        t.upid,
        r.value.lines.map((l) => l.t),
      );
  }
  return out;
}

/** The Proxmox poller (one refresh per tick for commands, /status and alert rules). */
export function proxmoxPoller(
  client: ProxmoxClient,
  opts: { intervalMs: number; clock: Clock; scheduler?: Scheduler; log: Logger; name?: string },
): Poller<ProxmoxSnapshot> {
  return new Poller(opts.name ?? 'proxmox', proxmoxFetcher(client), opts.intervalMs, opts.clock, opts.log, opts.scheduler);
}
