/** The demo homelab in a child process (bench/homelab-main.ts): its config sections and a stop. */
import { resolve } from 'node:path';
import { spawnTsx } from './child.ts';
import { within } from './stats.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');

/** A running demo homelab process. */
export interface HomelabProcess {
  /** The config sections pointing a bot at its backends. */
  readonly config: Record<string, unknown>;
  stop(): Promise<void>;
}

/** Starts the demo homelab in its own process and waits for the line with its config. */
export async function startHomelabProcess(): Promise<HomelabProcess> {
  const child = spawnTsx(resolve(ROOT, 'bench/homelab-main.ts'), [], ROOT, { inspect: false });
  const line = new Promise<string>((resolveLine, reject) => {
    let out = '';
    child.proc.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const end = out.indexOf('\n');
      if (end >= 0) resolveLine(out.slice(0, end));
    });
    child.proc.once('exit', (code) => reject(new Error(`demo homelab exited (${code}): ${child.output().slice(-500)}`)));
  });
  try {
    return { config: JSON.parse(await within(line, 60_000, 'the demo homelab')) as Record<string, unknown>, stop: () => child.stop() };
  } catch (e) {
    await child.stop();
    throw e;
  }
}
