/**
 * The bench's build folders under node_modules/.cache (`homelab-bench-*`): each holds the file
 * `owner.pid` of the run that made it, and goes when that run ends — normally, on a crash, or on
 * SIGINT/SIGTERM/SIGHUP. A run also sweeps what earlier runs could not remove (SIGKILL, power
 * loss): folders whose owner is gone. A folder another live run owns is left alone.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Name prefix of every bench build folder. */
export const FOLDER_PREFIX = 'homelab-bench-';
const OWNER_FILE = 'owner.pid';
/** A folder from before owner files (or one whose owner file was never written) counts as stale after this long untouched. */
export const UNOWNED_STALE_MS = 3_600_000;

const own = new Set<string>();
let hooked = false;

/** True while process `pid` exists (signal 0 only checks; EPERM means it exists under another user). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid in a folder's owner file; undefined when there is none or it is unreadable. */
function ownerOf(folder: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(folder, OWNER_FILE), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Removes the bench folders in `cache` no live run owns: an owner that has exited, or no owner
 * file and untouched for `UNOWNED_STALE_MS`. Returns the names removed.
 */
export function sweepStaleFolders(cache: string, now = Date.now()): string[] {
  let names: string[];
  try {
    names = readdirSync(cache).filter((n) => n.startsWith(FOLDER_PREFIX));
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const folder = join(cache, name);
    if (own.has(folder)) continue;
    const pid = ownerOf(folder);
    let stale: boolean;
    try {
      stale = pid !== undefined ? !alive(pid) : now - statSync(folder).mtimeMs >= UNOWNED_STALE_MS;
    } catch {
      continue; // gone meanwhile
    }
    if (!stale) continue;
    rmSync(folder, { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

/** Removes every folder this process made (synchronous: it runs from the 'exit' event). */
export function removeOwnFolders(): void {
  for (const folder of own) rmSync(folder, { recursive: true, force: true });
  own.clear();
}

/** Once per process: own folders go on exit (a crash included) and on the usual stop signals, which then act as before. */
function hookCleanup(): void {
  if (hooked) return;
  hooked = true;
  process.once('exit', removeOwnFolders);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
    process.once(signal, () => {
      removeOwnFolders();
      // The listener is gone (once): re-raising ends the process as the signal would have.
      process.kill(process.pid, signal);
    });
}

/** A fresh, owned bench folder under `<root>/node_modules/.cache` (stale ones are swept first). */
export function benchCacheFolder(root: string): string {
  const cache = join(root, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  sweepStaleFolders(cache);
  hookCleanup();
  const folder = mkdtempSync(join(cache, FOLDER_PREFIX));
  own.add(folder);
  writeFileSync(join(folder, OWNER_FILE), `${process.pid}\n`);
  return folder;
}
