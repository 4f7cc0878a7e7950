import type { Clock, Scheduler } from '../../core/clock.ts';
import { err, ok, serviceError, type Result } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { Poller } from '../poller.ts';
import type { SshRunner } from '../ssh.ts';
import { parseMdadmDetail } from './detail.ts';
import { looksLikeMdstat, parseMdstat } from './mdstat.ts';
import type { RaidArray } from './raid.ts';

/** Options of the SSH RAID source (config section `mdadm`). */
export interface MdadmSourceOptions {
  /** Command printing /proc/mdstat (default `cat /proc/mdstat`). */
  readonly command?: string;
  /** Command prefix for details; the device is appended (default `mdadm --detail`, often behind sudo). */
  readonly detailCommand?: string;
  /** Service name in errors (default `mdadm`). */
  readonly service?: string;
}

/** Shortens remote stderr for an error detail (first line, bounded). */
function firstLine(text: string): string {
  const line = text.trim().split('\n')[0] ?? '';
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}

/** md RAID state read over SSH, for setups without OpenMediaVault (PROTOCOLS §8). */
export class MdadmSource {
  private readonly service: string;

  constructor(
    private readonly ssh: SshRunner,
    private readonly opts: MdadmSourceOptions = {},
  ) {
    this.service = opts.service ?? 'mdadm';
  }

  /** Every array in /proc/mdstat. */
  async arrays(): Promise<Result<RaidArray[]>> {
    const r = await this.ssh.run(this.opts.command ?? 'cat /proc/mdstat');
    if (!r.ok) return r;
    if (r.value.code !== 0) {
      return err(
        serviceError(this.service, 'rejected', `the command failed (exit ${r.value.code ?? 'signal'}): ${firstLine(r.value.stderr)}`),
      );
    }
    if (!looksLikeMdstat(r.value.stdout)) return err(serviceError(this.service, 'protocol', 'the command did not print /proc/mdstat'));
    return ok(parseMdstat(r.value.stdout));
  }

  /** `mdadm --detail` of one array (member states by role, rebuild percent). */
  async detail(device: string): Promise<Result<RaidArray>> {
    // The device goes into a shell command line: accept md device names only.
    if (!/^\/dev\/md[\w/-]*$/.test(device)) return err(serviceError(this.service, 'rejected', 'not an md device name'));
    const r = await this.ssh.run(`${this.opts.detailCommand ?? 'mdadm --detail'} ${device}`);
    if (!r.ok) return r;
    if (r.value.code !== 0) {
      return err(
        serviceError(this.service, 'rejected', `the command failed (exit ${r.value.code ?? 'signal'}): ${firstLine(r.value.stderr)}`),
      );
    }
    const parsed = parseMdadmDetail(r.value.stdout);
    return parsed ? ok(parsed) : err(serviceError(this.service, 'protocol', 'the command did not print mdadm --detail output'));
  }
}

/** Poller of the SSH RAID source. */
export function mdadmPoller(
  source: MdadmSource,
  opts: { intervalMs: number; clock: Clock; scheduler?: Scheduler; log: Logger; name?: string },
): Poller<RaidArray[]> {
  return new Poller(opts.name ?? 'mdadm', () => source.arrays(), opts.intervalMs, opts.clock, opts.log, opts.scheduler);
}
