import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/**
 * Finds a free TCP port on 127.0.0.1, for real servers that cannot listen on port 0 and
 * report the port back (sshd, upsd, transmission-daemon).
 */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** A real server started by a test: the process, whether it has ended, and a bounded stop. */
export interface ServerChild {
  readonly child: ChildProcess;
  /** True once the process has exited, or could not be started at all. */
  exited(): boolean;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it has ended (at once if it has). */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Spawns a server in the foreground with stdin closed; every chunk of its stdout and stderr
 * goes to `onOutput`. A binary that cannot be spawned counts as exited and its error goes to
 * `onOutput` (without an 'error' listener it would crash the test run).
 */
export function spawnServer(
  command: string,
  args: readonly string[],
  opts: { readonly env?: NodeJS.ProcessEnv; readonly onOutput: (text: string) => void },
): ServerChild {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...(opts.env ? { env: opts.env } : {}) });
  child.stdout?.on('data', (d: Buffer) => opts.onOutput(d.toString()));
  child.stderr?.on('data', (d: Buffer) => opts.onOutput(d.toString()));
  let ended = false;
  const gone = new Promise<void>((resolve) => {
    child.once('exit', () => {
      ended = true;
      resolve();
    });
    child.once('error', (e) => {
      opts.onOutput(String(e));
      ended = true;
      resolve();
    });
  });
  return {
    child,
    exited: () => ended,
    async stop(graceMs = 5000) {
      if (ended) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await gone;
      clearTimeout(killer);
    },
  };
}
