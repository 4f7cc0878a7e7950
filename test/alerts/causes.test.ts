/**
 * Alerts that know their cause, end to end with the fake Proxmox on the test's ManualClock:
 * a guest stopped through the bot raises nothing (and /guests says who stopped it), a guest a
 * stop-mode vzdump job holds raises nothing while the job runs and alerts only when it is not
 * back after the grace.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { buttonToken, OWNER, startTestApp, type TestApp } from '../support/app-harness.ts';
import { clockedProxmox, DOCKER_KEY, guestAlertConfig, pollGuests } from '../support/guest-alerts.ts';

async function setup(t: TestContext, fakeOpts: { backupDurationMs?: number } = {}) {
  const { clock, pve } = await clockedProxmox(fakeOpts);
  const h = await startTestApp(guestAlertConfig(pve, { backupGraceMinutes: 10 }), { clock });
  t.after(async () => {
    await h.close();
    await pve.close();
  });
  return { clock, pve, h };
}

const poll = pollGuests;

const record = (h: TestApp, key: string): { state: string; heldBy?: { kind: string } } | undefined => {
  const d = h.app.db.prepare('SELECT data FROM alert_records WHERE key = ?').pluck().get(key) as string | undefined;
  return d === undefined ? undefined : JSON.parse(d);
};
const announced = (h: TestApp, key: string): number =>
  h.app.db.prepare("SELECT count(*) FROM alert_outbox WHERE json_extract(payload, '$.event.alert.key') = ?").pluck().get(key) as number;

test('/shutdown docker through the bot raises no "not running" alert; /guests and /alerts say who stopped it', async (t) => {
  const { clock, pve, h } = await setup(t);
  await poll(h, clock); // the starting state
  const ask = await h.say(OWNER, '/shutdown docker');
  await h.press(OWNER, buttonToken(ask.replies[0]?.message, /Yes, do it/));
  // The intent was on record before Proxmox was asked.
  const row = h.app.db.prepare('SELECT vmid, by FROM proxmox_guest_stops').get() as { vmid: number; by: string };
  assert.equal(row.vmid, 101);

  const guests = await poll(h, clock);
  assert.equal(pve.guest(101)?.status, 'stopped');
  assert.match(guests, /⚪ docker \(CT 101\): stopped by .+ from chat \(14:02\)/);
  await poll(h, clock);
  await poll(h, clock);
  assert.equal(record(h, DOCKER_KEY)?.state, 'pending');
  assert.equal(record(h, DOCKER_KEY)?.heldBy?.kind, 'action');
  assert.equal(announced(h, DOCKER_KEY), 0, 'nothing was announced');
  const alerts = (await h.say(OWNER, '/alerts')).texts[0] ?? '';
  assert.match(alerts, /Held, with their cause \(1\)/);
  assert.match(alerts, /docker \(CT 101\) is not running \(stopped\) — stopped by .+ from chat \(14:02\)/);

  // Someone starts it outside the bot: the expectation is gone, so a later crash alerts again.
  pve.setGuestState(101, 'running');
  await poll(h, clock);
  assert.equal(h.app.db.prepare('SELECT count(*) FROM proxmox_guest_stops').pluck().get(), 0);
  pve.setGuestState(101, 'stopped');
  await poll(h, clock);
  await poll(h, clock);
  assert.equal(record(h, DOCKER_KEY)?.state, 'raised');
  assert.equal(announced(h, DOCKER_KEY), 1);
});

test('a stop-mode backup raises nothing while the job runs; a guest not back after the grace alerts', async (t) => {
  const { clock, pve, h } = await setup(t, { backupDurationMs: 5 * 60_000 });
  await poll(h, clock);
  // First night: both guests stop for the job and come back when it ends.
  pve.runBackupJob('stop');
  let guests = await poll(h, clock);
  assert.equal(pve.guest(101)?.status, 'stopped');
  assert.match(guests, /docker \(CT 101\): backup in progress since 14:02/);
  await poll(h, clock);
  assert.equal(record(h, DOCKER_KEY)?.heldBy?.kind, 'backup');
  await poll(h, clock, 7 * 60_000); // the 10-minute job has ended, the guests run again
  assert.equal(pve.guest(101)?.status, 'running');
  assert.equal(record(h, DOCKER_KEY), undefined);
  assert.equal(announced(h, DOCKER_KEY), 0);

  // Second night: docker does not come back. Held during the job and the grace, raised after.
  pve.failRestartAfterBackup(101);
  pve.runBackupJob('stop');
  await poll(h, clock);
  await poll(h, clock, 10 * 60_000); // job over (10 min); the grace runs until 10 min after its end
  guests = await poll(h, clock, 60_000);
  assert.equal(pve.guest(101)?.status, 'stopped');
  assert.equal(pve.guest(100)?.status, 'running');
  assert.match(guests, /docker \(CT 101\): backup finished; it has until \d\d:\d\d to come back/);
  assert.equal(record(h, DOCKER_KEY)?.state, 'pending');
  assert.equal(announced(h, DOCKER_KEY), 0, 'nothing within the grace');
  await poll(h, clock, 10 * 60_000);
  assert.equal(record(h, DOCKER_KEY)?.state, 'raised');
  assert.equal(announced(h, DOCKER_KEY), 1, 'one alert after the grace');
});
