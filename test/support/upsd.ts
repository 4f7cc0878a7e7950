import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

/** Asks the kernel for a free port on 127.0.0.1 (upsd cannot listen on port 0 and report it). */
export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const addr = srv.address();
  await new Promise<void>((r) => srv.close(() => r()));
  if (!addr || typeof addr !== 'object') throw new Error('no port');
  return addr.port;
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

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const done = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 3000);
  await done;
  clearTimeout(t);
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
  const collect = (name: string, c: ChildProcess): void => {
    c.stdout?.on('data', (d: Buffer) => (log += `[${name}] ${d.toString()}`));
    c.stderr?.on('data', (d: Buffer) => (log += `[${name}] ${d.toString()}`));
  };
  const driver = spawn(DUMMY_UPS_BIN, ['-a', ups, '-F', ...userArgs], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  collect('dummy-ups', driver);
  let upsd: ChildProcess | undefined;
  const close = async (): Promise<void> => {
    if (upsd) await stop(upsd);
    await stop(driver);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // upsd only connects to the driver's socket at start and on retry; wait for the socket first.
    await waitFor(() => readdirHas(run, `dummy-ups-${ups}`), { timeoutMs: 10_000, what: 'dummy-ups socket' });
    upsd = spawn(UPSD_BIN, ['-F', ...userArgs], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    collect('upsd', upsd);
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
    stopDriver: () => stop(driver),
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
