/**
 * The restore report names each guest once: a guest folded into the power cut that the restore
 * then started (or failed to start) is told by the restore's own, fresher line — not again as a
 * folded "still down", even while its alert has not cleared yet. Folded guests and backends the
 * restore did not touch keep their lines; a backend a gate just found down is told by the gate's
 * line, with [Check again]. Manual clock, in-memory journal, a fake controller.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/core/clock.ts';
import { openDatabase } from '../../src/core/db.ts';
import { err, ok, serviceError } from '../../src/core/errors.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { alertMigrations } from '../../src/alerts/migrations.ts';
import { PowerCutStore } from '../../src/alerts/powercut-journal.ts';
import type { PowerController } from '../../src/alerts/powercut.ts';
import { PowerRestore, startAction, type RestoreCheck, type RestoreLine, type RestoreReport } from '../../src/alerts/restore.ts';
import { dnsCheck } from '../../src/alerts/restore-checks.ts';
import { Poller } from '../../src/services/poller.ts';
import type { PiholeSnapshot } from '../../src/services/pihole/poller.ts';

const MIN = 60_000;

/** The folded lines as `PowerCutFold.restoreLines` gives them: every one still down (alerts not cleared yet). */
const folded: RestoreLine[] = [
  {
    light: 'red',
    key: 'alerts.restore.foldedDown',
    params: { what: 'nas (VM 100)', guest: 'nas (VM 100)', vmid: 100 },
    action: startAction(100),
  },
  {
    light: 'red',
    key: 'alerts.restore.foldedDown',
    params: { what: 'docker (CT 101)', guest: 'docker (CT 101)', vmid: 101 },
    action: startAction(101),
  },
  {
    light: 'red',
    key: 'alerts.restore.foldedDown',
    params: { what: 'old (CT 102)', guest: 'old (CT 102)', vmid: 102 },
    action: startAction(102),
  },
  // A row from before vmids were stored: matched by its name.
  { light: 'red', key: 'alerts.restore.foldedDown', params: { what: 'web (CT 103)', guest: 'web (CT 103)' } },
  { light: 'red', key: 'alerts.restore.foldedDown', params: { what: 'pihole', backend: 'pihole' } },
];

const LABELS: Record<number, string> = { 100: 'nas (VM 100)', 101: 'docker (CT 101)', 103: 'web (CT 103)' };

async function report(startGuests: PowerController['startGuests'], checks: readonly RestoreCheck[] = []): Promise<RestoreReport> {
  const clock = new ManualClock();
  const journal = new PowerCutStore(openDatabase(':memory:', alertMigrations));
  const reports: RestoreReport[] = [];
  const restore = new PowerRestore({
    journal,
    controller: {
      shutdownGuest: async () => ok(undefined),
      waitStopped: async () => ok(undefined),
      shutdownNode: async () => ok(undefined),
      nodeReachable: async () => ok(undefined),
      nodeName: () => 'proxmox1',
      guestName: (vmid) => LABELS[vmid],
      ...(startGuests ? { startGuests } : {}),
    },
    checks: () => checks,
    order: [103, 101, 100],
    expected: [],
    onMainsMs: MIN,
    guestTimeoutMs: 5 * MIN,
    send: (r) => void reports.push(r),
    folded: async () => folded,
    clock,
    log: silentLogger(),
  });
  journal.outageStarted(clock.now());
  journal.handedOver(clock.now(), {
    sequence: [['web (CT 103)', 'docker (CT 101)'], ['nas (VM 100)']],
    node: 'proxmox1',
    vmids: [103, 101, 100],
  });
  restore.observe({ onBattery: false, lowBattery: false });
  await restore.idle();
  assert.equal(reports.length, 1);
  return reports[0]!;
}

const summary = (r: RestoreReport): string[] =>
  r.lines.map((l) =>
    `${l.key.replace('alerts.restore.', '')} ${l.params.guest ?? l.params.backend ?? ''}${l.action ? ' [Start]' : ''}`.trim(),
  );

test('a guest the restore could not start is named once, by its start error, with one Start button', async () => {
  const r = await report(async () => err(serviceError('proxmox', 'rejected', 'start failed')));
  assert.deepEqual(summary(r), [
    'nodeUp',
    'guestError nas (VM 100) [Start]',
    'guestError docker (CT 101) [Start]',
    'guestError web (CT 103) [Start]',
    'foldedDown old (CT 102) [Start]',
    'foldedDown pihole',
  ]);
});

test('a guest the restore started is green once, not also a folded "still down"', async () => {
  const r = await report(async (vmids) =>
    ok(vmids.map((vmid) => ({ vmid, label: LABELS[vmid] ?? `guest ${vmid}`, running: vmid !== 101, started: true }))),
  );
  assert.deepEqual(summary(r), [
    'nodeUp',
    'guestStarted nas (VM 100)',
    'guestDown docker (CT 101) [Start]',
    'guestStarted web (CT 103)',
    'foldedDown old (CT 102) [Start]',
    'foldedDown pihole',
  ]);
});

test('a backend a gate finds down is told once, by the gate, with [Check again]', async () => {
  const refused = new Poller<PiholeSnapshot>(
    'pihole',
    async () => err(serviceError('pihole', 'unreachable', 'connection refused')),
    MIN,
    new ManualClock(),
    silentLogger(),
  );
  const ok100 = async (vmids: readonly number[]) =>
    ok(vmids.map((vmid) => ({ vmid, label: LABELS[vmid] ?? `guest ${vmid}`, running: true, started: true })));
  const r = await report(ok100, [dnsCheck(refused)]);
  const dns = r.lines.filter((l) => l.params.backend === 'pihole');
  assert.deepEqual(dns, [
    {
      light: 'red',
      key: 'alerts.restore.dnsDown',
      params: { detail: 'connection refused', backend: 'pihole' },
      action: { labelKey: 'alerts.restore.recheckButton', command: 'alert-recheck', args: { backend: 'pihole' } },
    },
  ]);
});
