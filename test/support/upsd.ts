import { chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, spawnServer, type ServerChild } from './child.ts';
import { waitFor } from './real-server.ts';

/** Where Debian's nut-server puts the real binaries (the /sbin wrappers refuse to run without nut.conf). */
export const UPSD_BIN = '/lib/nut/upsd';
export const DUMMY_UPS_BIN = '/lib/nut/dummy-ups';
export const NUT_PACKAGES = 'nut-server nut-client';

/** A real upsd + dummy-ups pair on 127.0.0.1, sandboxed in a temp dir. */
export interface RealUpsd {
  readonly host: string;
  readonly port: number;
  readonly ups: string;
  readonly dir: string;
  /** Rewrites the .dev file atomically (the driver re-reads it every second in dummy-loop mode). */
  writeDev(vars: Record<string, string>): void;
  /** Stops the driver (upsd then answers ERR DRIVER-NOT-CONNECTED). */
  stopDriver(): Promise<void>;
  /** upsd + driver logs, for failure messages. */
  logs(): string;
  close(): Promise<void>;
}

const devText = (vars: Record<string, string>): string =>
  Object.entries(vars)
    .map(([k, v]) => `${k}: ${v}\n`)
    .join('');

function nutIds(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('nut:'));
  const parts = line?.split(':');
  return parts ? { uid: Number(parts[2]), gid: Number(parts[3]) } : undefined;
}

/**
 * Starts dummy-ups (mode = dummy-loop, pollinterval 1) then upsd on a free port, from a temp dir
 * with NUT_CONFPATH/NUT_STATEPATH, both in the foreground as children of the test process.
 * Resolves once `LIST VAR` answers with the initial status.
 */
export async function startRealUpsd(initial: Record<string, string>, opts: { users?: Record<string, string> } = {}): Promise<RealUpsd> {
  const dir = mkdtempSync(join(tmpdir(), 'nut-'));
  const etc = join(dir, 'etc');
  const run = join(dir, 'run');
  mkdirSync(etc);
  mkdirSync(run);
  const ups = 'fakeups';
  const devPath = join(etc, `${ups}.dev`);
  const ids = nutIds();
  const writeDev = (vars: Record<string, string>): void => {
    // Atomic: the driver must never read a half-written file.
    const tmp = `${devPath}.tmp`;
    writeFileSync(tmp, devText(vars));
    if (ids) chownSync(tmp, ids.uid, ids.gid);
    renameSync(tmp, devPath);
  };
  const port = await freePort();
  writeFileSync(
    join(etc, 'ups.conf'),
    `maxretry = 3\n[${ups}]\n  driver = dummy-ups\n  port = ${ups}.dev\n  mode = dummy-loop\n  pollinterval = 1\n  desc = "Fake UPS for bot tests"\n`,
  );
  writeFileSync(join(etc, 'upsd.conf'), `LISTEN 127.0.0.1 ${port}\nSTATEPATH ${run}\nMAXAGE 15\n`);
  const users = Object.entries(opts.users ?? { botuser: 'botpass' })
    .map(([u, p]) => `[${u}]\n  password = ${p}\n  upsmon secondary\n`)
    .join('');
  writeFileSync(join(etc, 'upsd.users'), users);
  chmodSync(join(etc, 'upsd.users'), 0o640);
  writeDev(initial);
  if (ids) {
    for (const p of [dir, etc, run, join(etc, 'ups.conf'), join(etc, 'upsd.conf'), join(etc, 'upsd.users')]) {
      chownSync(p, ids.uid, ids.gid);
    }
  }
  const env = { ...process.env, NUT_CONFPATH: etc, NUT_STATEPATH: run, NUT_ALTPIDPATH: run };
  const userArgs = ids ? ['-u', 'nut'] : [];
  let log = '';
  const collect =
    (name: string) =>
    (text: string): void =>
      void (log += `[${name}] ${text}`);
  const driver = spawnServer(DUMMY_UPS_BIN, ['-a', ups, '-F', ...userArgs], { env, onOutput: collect('dummy-ups') });
  let upsd: ServerChild | undefined;
  const close = async (): Promise<void> => {
    if (upsd) await upsd.stop(3000);
    await driver.stop(3000);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // upsd only connects to the driver's socket at start and on retry; wait for the socket first.
    await waitFor(() => readdirHas(run, `dummy-ups-${ups}`), { timeoutMs: 10_000, what: 'dummy-ups socket' });
    upsd = spawnServer(UPSD_BIN, ['-F', ...userArgs], { env, onOutput: collect('upsd') });
    await waitFor(() => /listening on 127\.0\.0\.1 port/.test(log), { timeoutMs: 10_000, what: 'upsd listening' });
  } catch (e) {
    await close();
    throw new Error(`${(e as Error).message}\n${log}`);
  }
  return {
    host: '127.0.0.1',
    port,
    ups,
    dir,
    writeDev,
    stopDriver: () => driver.stop(3000),
    logs: () => log,
    close,
  };
}

function readdirHas(dir: string, name: string): boolean {
  try {
    return readdirSync(dir).includes(name);
  } catch {
    return false;
  }
}
