/**
 * /status lines are kept per snapshot and language while they hold: a kept line must always read
 * exactly as a line made fresh at that moment, as time passes over the same snapshot (ages that
 * round, windows a backup leaves, thresholds) and when the snapshot changes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { LANGUAGES, Messages } from '../../src/core/i18n.ts';
import type { StatusLine, StatusSection } from '../../src/handlers/builtin/status-section.ts';
import { offsiteStatusSection } from '../../src/handlers/offsite/status.ts';
import { piholeStatusSection } from '../../src/handlers/pihole/status.ts';
import { proxmoxStatusSection } from '../../src/handlers/proxmox/status.ts';
import type { Poller, Snapshot } from '../../src/services/poller.ts';
import type { PiholeSnapshot } from '../../src/services/pihole/poller.ts';
import type { BackupRun } from '../../src/services/proxmox/backups.ts';
import type { ProxmoxSnapshot } from '../../src/services/proxmox/poller.ts';
import type { Guest } from '../../src/services/proxmox/types.ts';
import type { OffsiteState } from '../../src/services/offsite/source.ts';
import { allMessageFragments } from '../../src/wiring/messages.ts';

const messages = new Messages(allMessageFragments, { strict: true });
const T0 = Date.UTC(2026, 10, 25, 12, 0, 0);
const HOUR = 3_600_000;

/** A poller that holds whatever snapshot the test sets. */
function heldPoller<T>(): Pick<Poller<T>, 'settled' | 'snapshot'> & { set(s: Snapshot<T>): void } {
  let snap: Snapshot<T> = { status: 'never' };
  return {
    get snapshot() {
      return snap;
    },
    settled: async () => snap,
    set: (s) => void (snap = s),
  };
}

/** Steps forward in time, from a millisecond to days, so both rounding edges and thresholds are crossed. */
const steps = fc.array(
  fc.oneof(fc.integer({ min: 0, max: 1_500 }), fc.integer({ min: 0, max: 90 * 60_000 }), fc.integer({ min: 0, max: 30 * HOUR })),
  { minLength: 1, maxLength: 60 },
);

/**
 * Walks time over `snapshots` (each taken at the step whose index it names) and asserts the kept
 * section's line equals a fresh section's, by `read` and `peek`, in every language.
 */
async function keptEqualsFresh<T>(
  make: (poller: Pick<Poller<T>, 'settled' | 'snapshot'>) => StatusSection,
  snapshots: ReadonlyMap<number, Snapshot<T>>,
  walk: readonly number[],
): Promise<void> {
  const poller = heldPoller<T>();
  const kept = make(poller);
  let now = T0;
  for (const [i, step] of walk.entries()) {
    now += step;
    const next = snapshots.get(i);
    if (next) poller.set(next);
    for (const lang of LANGUAGES) {
      const t = messages.forLanguage(lang);
      const fresh: StatusLine = await make(poller).read(t, now);
      assert.deepEqual(kept.peek?.(t, now), poller.snapshot.status === 'never' ? undefined : fresh, `peek at +${now - T0} ms`);
      assert.deepEqual(await kept.read(t, now), fresh, `read at +${now - T0} ms`);
    }
  }
}

test('the off-site line kept between /status reads as a fresh one: every age, window and clock skew', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: -2 * HOUR, max: 100 * HOUR }),
      fc.integer({ min: 1, max: 48 }),
      fc.integer({ min: -HOUR, max: 50 * HOUR }),
      steps,
      async (syncedAgo, windowHours, resyncedAgo, walk) => {
        const snaps = new Map<number, Snapshot<OffsiteState>>([
          [0, { status: 'ok', value: { lastSuccessAt: T0 - syncedAgo }, at: T0 }],
          [Math.floor(walk.length / 2), { status: 'ok', value: { lastSuccessAt: T0 - resyncedAgo }, at: T0 }],
        ]);
        await keptEqualsFresh((p) => offsiteStatusSection(p as Poller<OffsiteState>, windowHours), snaps, walk);
      },
    ),
    { numRuns: 150 },
  );
});

/** Steps that visit every `every` ms of [at − span, at + span] for each edge, in order (a walk that lands on the edges). */
function around(edges: readonly number[], span: number, every: number): number[] {
  const points = edges.flatMap((e) => Array.from({ length: Math.floor((2 * span) / every) + 1 }, (_, i) => e - span + i * every));
  const sorted = [...new Set(points.filter((p) => p >= 0))].sort((a, b) => a - b);
  return sorted.map((p, i) => p - (sorted[i - 1] ?? 0));
}

test('the off-site line kept between /status changes on the very millisecond a fresh one does', async () => {
  const windowHours = 2;
  const synced = T0 - 10 * 60_000; // ten minutes in the future at the start: clock skew first
  // Ages −5 min (skew ends), 0, 30 s (seconds), 90 s (minutes round up), the window, twice it, 24 h and 25 h (whole hours).
  const ages = [-5 * 60_000, 0, 30_000, 90_000, 2 * HOUR, 4 * HOUR, 24 * HOUR, 25 * HOUR];
  const edges = ages.map((a) => a + 10 * 60_000);
  const snaps = new Map([[0, { status: 'ok' as const, value: { lastSuccessAt: synced }, at: T0 }]]);
  await keptEqualsFresh((p) => offsiteStatusSection(p as Poller<OffsiteState>, windowHours), snaps, around(edges, 2_000, 50));
});

const guest = (vmid: number, template = false): Guest => ({
  vmid,
  type: 'qemu',
  node: 'pve',
  name: `vm${vmid}`,
  status: 'running',
  cpu: 0.1,
  cpus: 2,
  mem: 1,
  maxmem: 2,
  uptime: 60,
  template,
});

const proxmoxSnapshot = (runs: readonly BackupRun[]): ProxmoxSnapshot => ({
  node: {
    node: 'pve',
    cpu: 0.2,
    cpus: 4,
    cpuModel: 'test',
    loadavg: [0, 0, 0],
    memory: { total: 8, used: 2 },
    rootfs: { total: 10, used: 1, avail: 9 },
    uptime: 100,
    pveVersion: '8',
  },
  guests: [guest(100), guest(101), guest(102), guest(9000, true)],
  backups: runs,
});

test('the hypervisor line kept between /status reads as a fresh one while backups leave the window', async () => {
  const run = fc.record({
    vmid: fc.constantFrom(100, 101, 102),
    hoursAgo: fc.integer({ min: 0, max: 60 * 60 }).map((m) => m / 60),
    outcome: fc.constantFrom('ok', 'warning', 'failed', 'running'),
  });
  await fc.assert(
    fc.asyncProperty(fc.array(run, { maxLength: 8 }), fc.integer({ min: 1, max: 48 }), steps, async (rs, windowHours, walk) => {
      const runs: BackupRun[] = rs
        .map((r, i) => {
          const starttime = Math.floor((T0 - r.hoursAgo * HOUR) / 1000);
          return {
            vmid: r.vmid,
            upid: `UPID:${i}`,
            starttime,
            ...(r.outcome === 'running' ? {} : { endtime: starttime + 600 }),
            outcome: r.outcome as BackupRun['outcome'],
          };
        })
        .sort((a, b) => b.starttime - a.starttime);
      const snaps = new Map<number, Snapshot<ProxmoxSnapshot>>([[0, { status: 'ok', value: proxmoxSnapshot(runs), at: T0 }]]);
      await keptEqualsFresh((p) => proxmoxStatusSection(p as Poller<ProxmoxSnapshot>, windowHours), snaps, walk);
    }),
    { numRuns: 150 },
  );
});

test('the hypervisor line kept between /status changes on the very millisecond a backup leaves the window', async () => {
  const end = Math.floor(T0 / 1000) - 3600; // a good backup that ended an hour before T0
  const runs: BackupRun[] = [{ vmid: 100, upid: 'UPID:1', starttime: end - 600, endtime: end, outcome: 'ok' }];
  const snaps = new Map([[0, { status: 'ok' as const, value: proxmoxSnapshot(runs), at: T0 }]]);
  await keptEqualsFresh((p) => proxmoxStatusSection(p as Poller<ProxmoxSnapshot>, 6), snaps, around([5 * HOUR], 1_000, 1));
});

test('the ad blocker line kept between /status reads as a fresh one, a pause counting down included', async () => {
  const blocking = fc.oneof(
    fc.constant({ state: 'enabled' as const, timerSec: null }),
    fc.constant({ state: 'disabled' as const, timerSec: null }),
    fc.integer({ min: 1, max: 7200 }).map((timerSec) => ({ state: 'disabled' as const, timerSec })),
  );
  await fc.assert(
    fc.asyncProperty(blocking, blocking, steps, async (first, second, walk) => {
      const snap = (b: PiholeSnapshot['blocking'], at: number): Snapshot<PiholeSnapshot> => ({
        status: 'ok',
        value: { blocking: b, summary: { percentBlocked: 12.5 } as PiholeSnapshot['summary'] },
        at,
      });
      const snaps = new Map([
        [0, snap(first, T0)],
        [Math.floor(walk.length / 2), snap(second, T0 + HOUR)],
      ]);
      await keptEqualsFresh((p) => piholeStatusSection(p as Poller<PiholeSnapshot>), snaps, walk);
    }),
    { numRuns: 100 },
  );
});
