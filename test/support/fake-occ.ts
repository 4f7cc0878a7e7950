/**
 * A stand-in for `php occ` for tests over a real sshd: a POSIX shell script that keeps the
 * maintenance state and the user list in files, logs each call's arguments (one `[word]` per
 * argument) and prints what occ prints (maintenance wording, files:scan table, the "no
 * commands in the files namespace" refusal while in maintenance mode).
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const FAKE_OCC = `#!/bin/sh
D="$(dirname "$0")"
{ for a in "$@"; do printf '[%s]' "$a"; done; echo; } >> "$D/argv.log"
MODE=$(cat "$D/maintenance")
cmd="$1"; shift
case "$cmd" in
  maintenance:mode)
    case " $* " in
      *" --on "*) if [ "$MODE" = on ]; then echo "Maintenance mode already enabled"; else echo on > "$D/maintenance"; echo "Maintenance mode enabled"; fi ;;
      *" --off "*) if [ "$MODE" = off ]; then echo "Maintenance mode already disabled"; else echo off > "$D/maintenance"; echo "Maintenance mode disabled"; fi ;;
      *) if [ "$MODE" = on ]; then echo "Maintenance mode is currently enabled"; else echo "Maintenance mode is currently disabled"; fi ;;
    esac ;;
  files:scan)
    if [ "$MODE" = on ]; then
      echo "Nextcloud is in maintenance mode, no apps are loaded." >&2
      echo "Commands provided by apps are unavailable." >&2
      echo '  There are no commands defined in the "files" namespace.' >&2
      exit 1
    fi
    user=""; past=0
    for a in "$@"; do if [ "$past" = 1 ]; then user="$a"; elif [ "$a" = "--" ]; then past=1; fi; done
    if grep -qx -- "$user" "$D/users"; then echo "Starting scan for user 1 out of 1 ($user)"; f=12; else echo "Unknown user 1 $user"; f=0; fi
    echo "+---------+-------+-----+---------+---------+--------+--------------+"
    echo "| Folders | Files | New | Updated | Removed | Errors | Elapsed time |"
    echo "+---------+-------+-----+---------+---------+--------+--------------+"
    echo "| 3       | $f    | 0   | 0       | 0       | 0      | 00:00:01     |"
    echo "+---------+-------+-----+---------+---------+--------+--------------+"
    exit 0 ;;
  *) echo "  Command \\"$cmd\\" is not defined." >&2; exit 1 ;;
esac
`;

/** A fake occ in a temp dir readable by the sshd test user. */
export interface FakeOcc {
  readonly dir: string;
  /** Command prefix to configure (the script's path). */
  readonly prefix: string;
  /** Every call so far, e.g. `[files:scan][--no-ansi][--no-interaction][--][ana]`. */
  argv(): string[];
  /** `on` or `off`. */
  maintenance(): string;
  close(): void;
}

/** Creates the script and its state files (maintenance off, users admin/ana/lucia). */
export function createFakeOcc(): FakeOcc {
  const dir = mkdtempSync(join(tmpdir(), 'fake-occ-'));
  chmodSync(dir, 0o777); // the forced command runs as the sshd test user
  const files: [string, string, number][] = [
    ['occ', FAKE_OCC, 0o755],
    ['maintenance', 'off\n', 0o666],
    ['users', 'admin\nana\nlucia\n', 0o644],
    ['argv.log', '', 0o666],
  ];
  for (const [name, text, mode] of files) {
    writeFileSync(join(dir, name), text);
    chmodSync(join(dir, name), mode);
  }
  return {
    dir,
    prefix: join(dir, 'occ'),
    argv: () => readFileSync(join(dir, 'argv.log'), 'utf8').trim().split('\n').filter(Boolean),
    maintenance: () => readFileSync(join(dir, 'maintenance'), 'utf8').trim(),
    close: () => rmSync(dir, { recursive: true, force: true }),
  };
}
