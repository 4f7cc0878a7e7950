/**
 * Nextcloud `occ` over SSH (pinned host key, via SshRunner) for the admin-only actions the
 * web APIs do not offer: maintenance mode and files:scan. The command prefix is configurable
 * (default: the Docker container as www-data). Arguments are validated against a strict
 * pattern AND single-quoted, so hostile input can never reach the remote shell as code.
 */
import { err, ok, serviceError, type Result } from '../../core/errors.ts';
import type { CommandOutput } from '../ssh.ts';

/** What occ needs from an SSH connection (SshRunner satisfies it). */
export interface OccRunner {
  run(command: string, opts?: { timeoutMs?: number }): Promise<Result<CommandOutput>>;
}

/** How occ is run on the Nextcloud host (over SSH) and how long its commands may take. */
export interface NextcloudOccOptions {
  readonly runner: OccRunner;
  /** Shell words that start occ on the remote host (trusted: comes from the owner's config). */
  readonly commandPrefix?: string;
  /** files:scan can take long on big accounts (default 15 min). */
  readonly scanTimeoutMs?: number;
  /** Name in ServiceErrors (default `nextcloud`). */
  readonly service?: string;
}

/** Summary table printed at the end of files:scan. */
export interface ScanSummary {
  readonly user: string;
  readonly folders: number;
  readonly files: number;
  /** Only printed by newer versions. */
  readonly errors: number | null;
  /** `HH:MM:SS` as occ prints it. */
  readonly elapsed: string;
}

/** Default prefix for the usual Docker deployment (HOMELAB: Nextcloud container on `docker`). */
export const DEFAULT_OCC_PREFIX = 'docker exec -u www-data nextcloud php occ';

/**
 * Nextcloud user ids we accept: letters, digits and `_ . @ -`, not starting with `-` (an option),
 * at most 64 characters. Nextcloud also allows spaces and apostrophes; such ids are refused
 * here on purpose (scan them from a shell instead).
 */
const USER_ID = /^[A-Za-z0-9_.@][A-Za-z0-9_.@-]{0,63}$/;

/** True when `user` is a safe Nextcloud user id for occ arguments. */
export function isSafeUserId(user: string): boolean {
  return USER_ID.test(user);
}

/** Quotes one word for a POSIX shell: `it's` → `'it'\''s'`. */
export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Builds the remote command line: prefix, then each argument quoted. */
export function occCommand(prefix: string, args: readonly string[]): string {
  return [prefix.trim(), ...args.map(shellQuote)].join(' ');
}

/** Parses occ's `maintenance:mode` output into enabled/disabled. */
export function parseMaintenance(stdout: string): boolean | undefined {
  const m = /Maintenance mode (?:is currently |already )?(enabled|disabled)/i.exec(stdout);
  return m ? m[1]!.toLowerCase() === 'enabled' : undefined;
}

/** Parses the Symfony table printed by files:scan (`| Folders | Files | … | Elapsed time |`). */
export function parseScanTable(stdout: string): Omit<ScanSummary, 'user'> | undefined {
  const rows = stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('|'))
    .map((l) =>
      l
        .split('|')
        .slice(1, -1)
        .map((c) => c.trim()),
    );
  const header = rows[0];
  const values = rows[1];
  if (!header || !values || header.length !== values.length) return undefined;
  const get = (name: string): string | undefined => values[header.findIndex((h) => h.toLowerCase() === name)];
  const folders = Number(get('folders'));
  const files = Number(get('files'));
  if (!Number.isFinite(folders) || !Number.isFinite(files)) return undefined;
  const errors = get('errors');
  return { folders, files, errors: errors === undefined ? null : Number(errors), elapsed: get('elapsed time') ?? '' };
}

const NO_FILES_NAMESPACE = /no commands defined in the "files" namespace/i;

/** occ actions over SSH. */
export class NextcloudOcc {
  private readonly prefix: string;
  private readonly service: string;

  constructor(private readonly opts: NextcloudOccOptions) {
    this.prefix = (opts.commandPrefix ?? DEFAULT_OCC_PREFIX).trim();
    if (this.prefix.length === 0) throw new Error('NextcloudOcc needs a command prefix');
    this.service = opts.service ?? 'nextcloud';
  }

  /** Whether maintenance mode is on (`occ maintenance:mode`). */
  async maintenanceStatus(): Promise<Result<boolean>> {
    const out = await this.occ(['maintenance:mode', '--no-ansi']);
    if (!out.ok) return out;
    const on = parseMaintenance(out.value.stdout);
    return on === undefined ? err(this.unexpected(out.value)) : ok(on);
  }

  /** Turns maintenance mode on or off; `changed` is false when it already was. */
  async maintenance(on: boolean): Promise<Result<{ enabled: boolean; changed: boolean }>> {
    const out = await this.occ(['maintenance:mode', on ? '--on' : '--off', '--no-ansi']);
    if (!out.ok) return out;
    const enabled = parseMaintenance(out.value.stdout);
    if (enabled === undefined || out.value.code !== 0) return err(this.unexpected(out.value));
    return ok({ enabled, changed: !/already/i.test(out.value.stdout) });
  }

  /**
   * Rescans one user's files. Refused while maintenance mode is on: occ then loads no app
   * commands and answers "There are no commands defined in the files namespace" (§5.5).
   */
  async filesScan(user: string): Promise<Result<ScanSummary>> {
    if (!isSafeUserId(user)) {
      return err(serviceError(this.service, 'rejected', 'that is not a valid Nextcloud user id'));
    }
    const mode = await this.maintenanceStatus();
    if (!mode.ok) return mode;
    if (mode.value) return err(serviceError(this.service, 'rejected', 'maintenance mode is on; turn it off before files:scan'));
    const out = await this.occ(['files:scan', '--no-ansi', '--no-interaction', '--', user], this.opts.scanTimeoutMs ?? 15 * 60_000);
    if (!out.ok) return out;
    const text = `${out.value.stdout}\n${out.value.stderr}`;
    if (NO_FILES_NAMESPACE.test(text)) {
      return err(serviceError(this.service, 'rejected', 'maintenance mode is on; turn it off before files:scan'));
    }
    if (/Unknown user/i.test(text)) return err(serviceError(this.service, 'rejected', `unknown user ${user}`));
    const table = parseScanTable(out.value.stdout);
    if (out.value.code !== 0 || !table) return err(this.unexpected(out.value));
    return ok({ user, ...table });
  }

  private occ(args: readonly string[], timeoutMs?: number): Promise<Result<CommandOutput>> {
    const command = occCommand(this.prefix, args);
    return this.opts.runner.run(command, timeoutMs === undefined ? {} : { timeoutMs });
  }

  private unexpected(out: CommandOutput) {
    // The last stderr line is usually the reason ("Command … is not defined", "No such container").
    const line = out.stderr.trim().split('\n').filter(Boolean).at(-1) ?? out.stdout.trim().split('\n').at(-1) ?? '';
    const why = line.replace(/[^\x20-\x7e]/g, '').slice(0, 160);
    return serviceError(
      this.service,
      'protocol',
      `occ failed (exit ${out.code ?? 'signal'})${why ? `: ${why}` : ''}`,
      out.code ?? undefined,
    );
  }
}
