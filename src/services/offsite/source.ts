/** Reads the off-site copy's last successful sync over SSH, and the poller that does it on a schedule. */
import type { Clock, Scheduler } from '../../core/clock.ts';
import type { Result } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { Poller } from '../poller.ts';
import type { SshRunner } from '../ssh.ts';
import { parseLastSuccess } from './parse.ts';

/** What one check found out. */
export interface OffsiteState {
  /** Last successful sync, epoch milliseconds (as the docker host's clock says). */
  readonly lastSuccessAt: number;
}

/** Backend name of the off-site check: its poller, alert origin and error service. */
export const OFFSITE_BACKEND = 'offsite';

/** Runs the configured command (e.g. `stat -c %Y /var/log/rclone-last-success`) and parses its output. */
export async function fetchOffsite(ssh: SshRunner, command: string, service = OFFSITE_BACKEND): Promise<Result<OffsiteState>> {
  const r = await ssh.run(command);
  if (!r.ok) return r;
  const parsed = parseLastSuccess(r.value, service);
  return parsed.ok ? { ok: true, value: { lastSuccessAt: parsed.value } } : parsed;
}

/** Poller of the off-site check (one SSH command per tick over a kept-alive connection). */
export function offsitePoller(
  ssh: SshRunner,
  opts: { command: string; intervalMs: number; clock: Clock; scheduler?: Scheduler; log: Logger; name?: string },
): Poller<OffsiteState> {
  const name = opts.name ?? OFFSITE_BACKEND;
  return new Poller(name, () => fetchOffsite(ssh, opts.command, name), opts.intervalMs, opts.clock, opts.log, opts.scheduler);
}
