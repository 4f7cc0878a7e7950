/**
 * Checks of the files a valid config names, so `--check-config` catches what would otherwise
 * fail only at start-up or at the first poll: a missing SSH key, a database nobody can create.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Config, SshConfig } from './config-schema.ts';
import type { ConfigProblem } from './config.ts';

/** Problems with the files and folders the config names; empty when all are usable. */
export function checkConfigFiles(config: Config): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const ssh: [string, SshConfig | undefined][] = [
    ['mdadm.ssh', config.mdadm?.ssh],
    ['nextcloud.occ.ssh', config.nextcloud?.occ?.ssh],
    ['alerts.offsite.ssh', config.alerts.offsite?.ssh],
  ];
  for (const [path, s] of ssh) {
    if (!s?.privateKeyPath) continue;
    const problem = unreadableFile(s.privateKeyPath);
    if (problem) problems.push({ path: `${path}.privateKeyPath`, message: problem });
  }
  const dbProblem = uncreatableFile(config.database);
  if (dbProblem) problems.push({ path: 'database', message: dbProblem });
  return problems;
}

const code = (e: unknown): string => (e as NodeJS.ErrnoException).code ?? 'error';

function unreadableFile(path: string): string | undefined {
  try {
    if (!statSync(path).isFile()) return `${path} is not a file`;
    accessSync(path, constants.R_OK);
    return undefined;
  } catch (e) {
    return code(e) === 'ENOENT' ? `the key file ${path} does not exist` : `cannot read the key file ${path}: ${code(e)}`;
  }
}

/** The database file can be opened or created: its folder exists (or can be made) and is writable. */
function uncreatableFile(path: string): string | undefined {
  const folder = dirname(resolve(path));
  let existing = folder;
  for (;;) {
    try {
      if (!statSync(existing).isDirectory()) return `cannot create the folder ${folder}: ${existing} is a file`;
      break;
    } catch (e) {
      if (code(e) !== 'ENOENT') return `cannot use the folder ${folder}: ${code(e)}`;
      const parent = dirname(existing);
      if (parent === existing) break;
      existing = parent;
    }
  }
  try {
    accessSync(existing, constants.W_OK);
  } catch {
    return existing === folder
      ? `the folder ${folder} is not writable by this user`
      : `the folder ${folder} does not exist and ${existing} is not writable by this user`;
  }
  return undefined;
}
