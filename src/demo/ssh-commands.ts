/**
 * What the demo's SSH hosts answer: `php occ` as Nextcloud 30 prints it (maintenance:mode
 * wording, the files:scan table, the "no commands in the files namespace" refusal while in
 * maintenance — PROTOCOLS §5.5, nextcloud/server core/Command/Maintenance/Mode.php and
 * apps/files/lib/Command/Scan.php), `/proc/mdstat` in the kernel's md.c format (PROTOCOLS §8.1)
 * and `stat -c %Y` of rclone's last-success marker (the off-site check).
 */
import { shellWords, type DemoCommandResult } from './ssh-server.ts';

const OK = (stdout: string): DemoCommandResult => ({ stdout, code: 0 });
const FAIL = (stderr: string, code = 1): DemoCommandResult => ({ stdout: '', stderr, code });

/** The occ side of the demo Nextcloud: maintenance state shared with the web fake, known users. */
export interface OccState {
  maintenance: boolean;
  readonly users: readonly string[];
}

/** Plays `<prefix> <occ args…>`; anything not starting with the prefix is "command not found". */
export function playOcc(line: string, prefix: string, state: OccState, setMaintenance: (on: boolean) => void): DemoCommandResult {
  if (!line.startsWith(`${prefix} `) && line !== prefix) return FAIL(`sh: 1: ${line.split(' ')[0]}: not found\n`, 127);
  const [cmd, ...args] = shellWords(line.slice(prefix.length));
  if (cmd === 'maintenance:mode') {
    const want = args.includes('--on') ? true : args.includes('--off') ? false : undefined;
    if (want === undefined) return OK(`Maintenance mode is currently ${state.maintenance ? 'enabled' : 'disabled'}\n`);
    if (want === state.maintenance) return OK(`Maintenance mode already ${want ? 'enabled' : 'disabled'}\n`);
    state.maintenance = want;
    setMaintenance(want);
    return OK(`Maintenance mode ${want ? 'enabled' : 'disabled'}\n`);
  }
  if (cmd === 'files:scan') {
    if (state.maintenance) {
      return FAIL(
        'Nextcloud is in maintenance mode, no apps are loaded.\nCommands provided by apps are unavailable.\n\n  There are no commands defined in the "files" namespace.\n',
      );
    }
    const user = args[args.indexOf('--') + 1] ?? '';
    if (!state.users.includes(user)) return OK(`Unknown user 1 ${user}\n`);
    const files = 120 + user.length * 37;
    return OK(
      [
        `Starting scan for user 1 out of 1 (${user})`,
        '+---------+-------+-----+---------+---------+--------+--------------+',
        '| Folders | Files | New | Updated | Removed | Errors | Elapsed time |',
        '+---------+-------+-----+---------+---------+--------+--------------+',
        `| 14      | ${String(files).padEnd(5)} | 0   | 2       | 0       | 0      | 00:00:03     |`,
        '+---------+-------+-----+---------+---------+--------+--------------+',
        '',
      ].join('\n'),
    );
  }
  return FAIL(`\n  Command "${cmd ?? ''}" is not defined.\n\n`);
}

/** `/proc/mdstat` of the backup host's mirror (healthy RAID 1, md.c print format). */
export const DEMO_MDSTAT = [
  'Personalities : [raid1] [linear] [multipath] [raid0] [raid6] [raid5] [raid4] [raid10] ',
  'md1 : active raid1 sdb1[1] sda1[0]',
  '      1953382400 blocks super 1.2 [2/2] [UU]',
  '      bitmap: 0/15 pages [0KB], 65536KB chunk',
  '',
  'unused devices: <none>',
  '',
].join('\n');

/** Plays the backup host: mdstat, and the off-site marker's modification time. */
export function playBackupHost(
  line: string,
  o: { mdstatCommand: string; offsiteCommand: string; lastSyncAt: () => number },
): DemoCommandResult {
  if (line === o.mdstatCommand) return OK(DEMO_MDSTAT);
  if (line === o.offsiteCommand) return OK(`${Math.floor(o.lastSyncAt() / 1000)}\n`);
  return FAIL(`sh: 1: ${line.split(' ')[0]}: not found\n`, 127);
}
