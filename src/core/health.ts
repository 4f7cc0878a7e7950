/**
 * What /healthz says, computed from facts: each chat link's state and the age of its last
 * successful API call, the outbox's depth and oldest pending message, and whether the database
 * takes writes. Pure, so every state and threshold is tested with a manual clock.
 */

/** A chat link's state; `since` is when it entered it (epoch ms). */
export type LinkState =
  | { readonly kind: 'connecting'; readonly since: number }
  | { readonly kind: 'connected'; readonly since: number }
  | { readonly kind: 'reconnecting'; readonly since: number; readonly reason: string }
  | { readonly kind: 'failed'; readonly since: number; readonly reason: string };

/** One link as the health check sees it. */
export interface LinkFacts {
  readonly state: LinkState;
  /** When an API call last succeeded (epoch ms), if ever. */
  readonly lastOkAt: number | undefined;
}

/** When /healthz turns 503. */
export interface HealthThresholds {
  /** A platform not connected for longer than this (ms) makes the bot unhealthy. */
  readonly adapterDownMs: number;
  /** An alert waiting in the outbox longer than this (ms) makes the bot unhealthy. */
  readonly oldestPendingMs: number;
}

/** What the health check judges from: each chat link, the outbox backlog, whether the database takes writes. */
export interface HealthFacts {
  readonly now: number;
  readonly links: Readonly<Record<string, LinkFacts>>;
  readonly outbox: { readonly pending: number; readonly oldestMs: number | null };
  readonly databaseWritable: boolean;
}

/** One adapter in the /healthz body. */
export interface AdapterHealthBody {
  readonly state: LinkState['kind'];
  /** ISO time the adapter entered its state. */
  readonly since: string;
  readonly sinceSeconds: number;
  readonly reason?: string;
  /** Seconds since the platform last answered an API call (null: never). */
  readonly lastOkSecondsAgo: number | null;
}

/** The /healthz JSON body (documented in README). */
export interface HealthBody {
  readonly ok: boolean;
  /** Why ok is false, one short phrase each. */
  readonly problems: readonly string[];
  readonly database: 'writable' | 'not writable';
  readonly adapters: Readonly<Record<string, AdapterHealthBody>>;
  readonly outbox: { readonly pending: number; readonly oldestPendingSeconds: number | null };
}

const seconds = (ms: number): number => Math.max(0, Math.round(ms / 1000));

/** Judges the facts against the thresholds. */
export function assessHealth(f: HealthFacts, t: HealthThresholds): HealthBody {
  const problems: string[] = [];
  if (!f.databaseWritable) problems.push('database not writable');
  const adapters: Record<string, AdapterHealthBody> = {};
  for (const [name, link] of Object.entries(f.links)) {
    const s = link.state;
    const downFor = f.now - s.since;
    adapters[name] = {
      state: s.kind,
      since: new Date(s.since).toISOString(),
      sinceSeconds: seconds(downFor),
      ...('reason' in s ? { reason: s.reason } : {}),
      lastOkSecondsAgo: link.lastOkAt === undefined ? null : seconds(f.now - link.lastOkAt),
    };
    // A rejected token never heals; anything else gets the threshold's grace.
    if (s.kind === 'failed') problems.push(`${name} failed: ${s.reason}`);
    else if (s.kind !== 'connected' && downFor > t.adapterDownMs) problems.push(`${name} down for ${seconds(downFor)} s`);
  }
  if (f.outbox.oldestMs !== null && f.outbox.oldestMs > t.oldestPendingMs)
    problems.push(`oldest pending alert waiting ${seconds(f.outbox.oldestMs)} s`);
  return {
    ok: problems.length === 0,
    problems,
    database: f.databaseWritable ? 'writable' : 'not writable',
    adapters,
    outbox: { pending: f.outbox.pending, oldestPendingSeconds: f.outbox.oldestMs === null ? null : seconds(f.outbox.oldestMs) },
  };
}
