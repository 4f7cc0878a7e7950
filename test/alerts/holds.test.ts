/**
 * Hold sources in the engine (ManualClock, in-memory database): a power cut folds every backend
 * that goes away and every guest that stops (the UPS's own alerts stand), the WAN down holds
 * backends reached over the internet, and a maintenance window covers what it names. A held
 * condition is listed with its cause; once the cause ends, one that still holds is raised.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { maintenanceHold, powerCutHold, wanHold, windowCovers } from '../../src/alerts/holds.ts';
import { cond, harness } from './harness.ts';

test('a power cut folds backends going away and stopped guests; the UPS alert stands; power back raises what is still down', () => {
  const h = harness();
  let outage: number | undefined;
  h.service.addHoldSource(powerCutHold(() => outage));
  assert.deepEqual(h.at(0, []), []);
  outage = h.clock.now();
  const onBattery = cond('ups:ups:on_battery', { holdMs: 0 });
  assert.deepEqual(h.at(1_000, [onBattery]), ['raise:ups:ups:on_battery']);
  const guest = cond('guest:proxmox1:100:stopped', { source: 'guest', params: { vmid: 100 } });
  const events = [
    ...h.down(1_000, 'omv'),
    ...h.down(1_000, 'pihole'),
    ...h.at(0, [guest], 'proxmox'),
    ...h.down(10 * 60_000, 'omv'),
    ...h.down(0, 'pihole'),
    ...h.at(0, [guest], 'proxmox'),
  ];
  assert.deepEqual(events, [], 'nothing raised one by one');
  const held = h.service.held();
  assert.deepEqual(
    held.map((a) => `${a.key}/${a.heldBy?.kind}`),
    ['backend:omv:unreachable/powercut', 'backend:pihole:unreachable/powercut', 'guest:proxmox1:100:stopped/powercut'],
  );
  // The cut ends (restore done): pihole came back, the NAS did not.
  outage = undefined;
  assert.deepEqual(h.at(1_000, [], 'pihole'), []);
  assert.deepEqual(h.down(0, 'omv'), ['raise:backend:omv:unreachable']);
  assert.deepEqual(h.at(0, [guest], 'proxmox'), ['raise:guest:proxmox1:100:stopped']);
});

test('WAN down holds only backends that need the internet', () => {
  const h = harness();
  let wanDownSince: number | undefined;
  h.service.addHoldSource(
    wanHold(
      (o) => o === 'offsite',
      () => wanDownSince,
    ),
  );
  h.at(0, [], 'offsite');
  h.at(0, [], 'omv');
  wanDownSince = h.clock.now();
  const stale = cond('backup:offsite:stale', { source: 'backup', holdMs: 0 });
  const raid = cond('raid:md0:degraded', { source: 'raid', holdMs: 0 });
  assert.deepEqual(h.at(60_000, [stale], 'offsite'), []);
  assert.deepEqual(h.at(0, [raid], 'omv'), ['raise:raid:md0:degraded']);
  assert.equal(h.service.held()[0]?.heldBy?.kind, 'wan');
  wanDownSince = undefined;
  assert.deepEqual(h.at(60_000, [stale], 'offsite'), ['raise:backup:offsite:stale']);
});

test('a maintenance window covers all, a backend and what runs on it, or one guest', () => {
  const guest = cond('guest:proxmox1:101:stopped', { source: 'guest', params: { vmid: 101 }, dependsOn: 'proxmox' });
  const other = cond('guest:proxmox1:100:stopped', { source: 'guest', params: { vmid: 100 }, dependsOn: 'proxmox' });
  const raid = cond('raid:md0:degraded', { source: 'raid' });
  const runsOn = (o: string): string | undefined => ({ omv: 'proxmox', mdadm: 'omv' })[o];
  assert.ok(windowCovers('all', raid, 'mdadm', runsOn));
  assert.ok(windowCovers('guest:101', guest, 'proxmox', runsOn));
  assert.ok(!windowCovers('guest:101', other, 'proxmox', runsOn));
  assert.ok(windowCovers('omv', raid, 'mdadm', runsOn), 'mdadm runs on omv');
  assert.ok(!windowCovers('pihole', raid, 'mdadm', runsOn));

  const h = harness();
  const until = h.clock.now() + 30 * 60_000;
  h.service.addHoldSource(
    maintenanceHold((now) => (now < until ? [{ target: 'guest:101', until, by: 'Ana', reason: 'kernel update' }] : []), runsOn),
  );
  h.at(0, [], 'proxmox');
  assert.deepEqual(h.at(60_000, [guest, other], 'proxmox'), []);
  assert.deepEqual(h.at(60_000, [guest, other], 'proxmox'), ['raise:guest:proxmox1:100:stopped']);
  assert.deepEqual(h.service.held()[0]?.heldBy, { kind: 'maintenance', target: 'guest:101', until, by: 'Ana', reason: 'kernel update' });
  // The window ends: the guest still down is raised (the other one, critical, is reminded on its own schedule).
  assert.ok(h.at(30 * 60_000, [guest, other], 'proxmox').includes('raise:guest:proxmox1:101:stopped'));
});
