/**
 * The simulated homelab for demo mode: protocol-faithful fake backends on 127.0.0.1 with
 * the reference homelab's names. Each area's descriptor names its backend (`AreaDescriptor.demo`).
 */
import type { Config } from '../core/config.ts';

/** A running fake and the config section that points the bot at it. */
export interface RunningDemoBackend {
  /** Partial config merged into the demo config (e.g. `{ proxmox: {...} }`). */
  readonly config: Partial<Record<keyof Config, unknown>>;
  close(): Promise<void>;
  /** Plays a /simulate scenario (`power-cut`, `disk-fail`…) if this fake can; false otherwise. */
  simulate?(scenario: string): boolean;
}

/** One simulated backend as an area names it: started in demo mode only. */
export interface DemoBackend {
  readonly name: string;
  start(): Promise<RunningDemoBackend>;
}

/** A running simulated homelab. */
export interface DemoHomelab {
  readonly config: Record<string, unknown>;
  readonly backends: ReadonlyMap<string, RunningDemoBackend>;
  close(): Promise<void>;
  /** Plays a scenario on every fake that can; false when none could. */
  simulate(scenario: string): boolean;
}

/** Starts every simulated backend and returns the merged config sections. */
export async function startDemoHomelab(backends: readonly DemoBackend[]): Promise<DemoHomelab> {
  const running = new Map<string, RunningDemoBackend>();
  const config: Record<string, unknown> = {};
  try {
    for (const b of backends) {
      const r = await b.start();
      running.set(b.name, r);
      mergeSections(config, r.config);
    }
  } catch (e) {
    await Promise.allSettled([...running.values()].map((r) => r.close()));
    throw e;
  }
  return {
    config,
    backends: running,
    close: async () => {
      await Promise.allSettled([...running.values()].map((r) => r.close()));
    },
    simulate: (scenario) => [...running.values()].map((r) => r.simulate?.(scenario) ?? false).some(Boolean),
  };
}

/** Adds a backend's config sections; a section two backends share (`alerts`) is merged one level deep. */
function mergeSections(into: Record<string, unknown>, add: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(add)) {
    const have = into[key];
    into[key] = isPlainObject(have) && isPlainObject(value) ? { ...have, ...value } : value;
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
