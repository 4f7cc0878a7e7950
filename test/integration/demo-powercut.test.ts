/**
 * Demo: /simulate power-cut shows the safe plan for the reference homelab (docker, then nas, then
 * proxmox1, handed to Proxmox, the exact calls of the dry run), and /simulate power-back the
 * restore report (dry: checks only).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { systemClock } from '../../src/core/clock.ts';
import type { RestoreReport } from '../../src/alerts/restore.ts';
import { OWNER, startDemoTestApp } from '../support/app-harness.ts';
import { waitFor } from '../support/real-server.ts';

test('demo: power-cut shows the safe plan, power-back the restore report', async (t) => {
  const h = await startDemoTestApp({}, { clock: systemClock });
  t.after(() => h.close());
  const notices = (kind: string) =>
    (
      h.app.db
        .prepare("SELECT payload FROM alert_outbox WHERE json_extract(payload, '$.notice.kind') = ? ORDER BY id")
        .pluck()
        .all(kind) as string[]
    ).map((p) => JSON.parse(p).notice);
  await h.say(OWNER, '/simulate power-cut');
  const done = await waitFor(() => notices('powercut').find((n) => n.step.phase === 'finished'), {
    timeoutMs: 20_000,
    what: 'dry-run plan',
  });
  assert.deepEqual(done.step.sequence, [['docker (CT 101)'], ['nas (VM 100)']]);
  assert.equal(done.step.node, 'proxmox1');
  assert.equal(done.step.self, 'docker (CT 101)');
  assert.equal(done.step.calls.at(-1), 'POST /nodes/proxmox1/status command=shutdown');
  await h.say(OWNER, '/simulate power-back');
  const restore = await waitFor(() => notices('restore')[0]?.report as RestoreReport | undefined, {
    timeoutMs: 20_000,
    what: 'restore report',
  });
  assert.equal(restore.dryRun, true);
  assert.deepEqual(restore.sequence, [['docker (CT 101)'], ['nas (VM 100)']]);
  const keys = restore.lines.map((l) => `${l.light}:${l.key.replace('alerts.restore.', '')}`);
  assert.ok(keys.includes('green:nodeUp'), keys.join());
  assert.ok(keys.includes('green:cloudOk'), keys.join());
  assert.ok(keys.includes('green:dnsOk'), keys.join());
  assert.ok(
    keys.some((k) => k.startsWith('green:raidHealthy')),
    keys.join(),
  );
});
