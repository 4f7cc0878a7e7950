/**
 * /maintenance end to end with the fake Proxmox on a ManualClock: the window holds its guest's
 * alert, is listed in /alerts with an [End now] button, survives a restart (it is a deadline),
 * ends on time through the deadline worker (the chat is told, the alert is raised), and a
 * recurring window from the config is open from its cron start for its duration.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { validateConfig } from '../../src/core/config.ts';
import { resolveTarget } from '../../src/handlers/alerts/maintenance.ts';
import { RecurringWindows } from '../../src/handlers/alerts/recurring-windows.ts';
import { waitFor } from '../support/real-server.ts';
import { assertNoEnglish } from '../support/language.ts';
import { queuedText } from '../support/outbox.ts';
import { buttonToken, OWNER, startTestApp, type TestApp } from '../support/app-harness.ts';
import { clockedProxmox, DOCKER_KEY, guestAlertConfig, pollGuests } from '../support/guest-alerts.ts';

async function setup(t: TestContext) {
  const { clock, pve } = await clockedProxmox();
  const dir = mkdtempSync(join(tmpdir(), 'maintenance-'));
  const config = guestAlertConfig(pve);
  const s = { clock, pve, h: await startTestApp(config, { clock, dir }), config, dir };
  t.after(async () => {
    await s.h.close();
    await pve.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return s;
}

const poll = pollGuests;
const state = (h: TestApp, key: string): string | undefined =>
  h.app.db
    .prepare(
      "SELECT json_extract(data, '$.state') || '/' || coalesce(json_extract(data, '$.heldBy.kind'), '-') FROM alert_records WHERE key = ?",
    )
    .pluck()
    .get(key) as string | undefined;

test('/maintenance docker 30m holds its alert, survives a restart and ends on time', async (t) => {
  const s = await setup(t);
  await poll(s.h, s.clock);
  const reply = (await s.h.say(OWNER, '/maintenance docker 30m kernel update')).replies[0];
  assert.match(reply?.text ?? '', /Maintenance of docker \(CT 101\) until 14:32 \(kernel update\)/);
  assert.ok(buttonToken(reply?.message, /End maintenance of docker \(CT 101\) now/));
  const audit = s.h.app.db.prepare('SELECT command, result FROM audit_log').all();
  assert.ok(
    audit.some((a) => JSON.stringify(a).includes('maintenance')),
    `audited: ${JSON.stringify(audit)}`,
  );

  s.pve.setGuestState(101, 'stopped');
  await poll(s.h, s.clock);
  await poll(s.h, s.clock);
  assert.equal(state(s.h, DOCKER_KEY), 'pending/maintenance');
  const alerts = (await s.h.say(OWNER, '/alerts')).replies[0];
  assert.match(alerts?.text ?? '', /Maintenance \(1\)\n• 🔧 docker \(CT 101\) until 14:32 \(by .+\): kernel update/);
  assert.match(alerts?.text ?? '', /docker \(CT 101\) is not running \(stopped\) — maintenance until 14:32: kernel update/);
  assert.ok(buttonToken(alerts?.message, /End maintenance of docker/));

  // A restart on the same database keeps the window.
  await s.h.close();
  s.h = await startTestApp(s.config, { clock: s.clock, dir: s.dir });
  assert.match((await s.h.say(OWNER, '/alerts')).texts[0] ?? '', /🔧 docker \(CT 101\) until 14:32/);

  // Time is up: the deadline worker ends it, the chat is told, and the guest still down is raised.
  s.clock.advance(30 * 60_000);
  await waitFor(() => state(s.h, DOCKER_KEY) === 'raised/-', { what: 'the alert raised after the window', timeoutMs: 10_000 });
  await waitFor(() => (s.h.app.db.prepare('SELECT count(*) FROM deadlines').pluck().get() as number) === 0, {
    what: 'the deadline worker to end the window',
    timeoutMs: 10_000,
  });
  const told = s.h.app.db.prepare('SELECT destination, payload FROM alert_outbox').all() as { destination: string; payload: string }[];
  assert.ok(
    told.some((r) => r.destination === 'telegram:1000' && r.payload.includes('Maintenance of docker (CT 101) is over')),
    JSON.stringify(told.map((r) => [r.destination, r.payload.slice(0, 200)])),
  );
});

test('[End now] ends a window at once; an unknown target lists the choices', async (t) => {
  const s = await setup(t);
  await poll(s.h, s.clock);
  const unknown = (await s.h.say(OWNER, '/maintenance toaster 1h')).texts[0] ?? '';
  assert.match(unknown, /I do not know "toaster"\. Choose one of: all, .*proxmox.*nas, docker/);
  const reply = (await s.h.say(OWNER, '/maintenance all 2h')).replies[0];
  assert.match(reply?.text ?? '', /Maintenance of everything until 16:02/);
  const ended = await s.h.press(OWNER, buttonToken(reply?.message, /End maintenance of everything now/));
  assert.match(ended.texts[0] ?? '', /Maintenance of everything ended/);
  assert.doesNotMatch((await s.h.say(OWNER, '/alerts')).texts[0] ?? '', /Maintenance \(/);
  const again = await s.h.press(OWNER, buttonToken(reply?.message, /End maintenance/));
  assert.match(again.texts[0] ?? '', /already (ended|used)/);
  // Family may not open one.
  const fam = s.h.person('family');
  assert.doesNotMatch((await s.h.say(fam, '/maintenance all 1h')).texts[0] ?? '', /Maintenance of/);
});

test('a recurring window is open from its cron start (config timezone) for its duration', () => {
  const w = new RecurringWindows(
    [{ target: 101, cron: '30 2 * * *', durationMinutes: 60, reason: 'nightly backup' }],
    'Europe/Madrid',
    (q) => resolveTarget(q, ['omv'], [{ vmid: 101, name: 'docker', label: 'docker (CT 101)' }]),
  );
  const at = (iso: string) => w.active(Date.parse(iso)).map((x) => `${x.target}@${new Date(x.until).toISOString()}`);
  assert.deepEqual(at('2026-11-25T01:29:00Z'), []); // 02:29 in Madrid
  assert.deepEqual(at('2026-11-25T01:30:00Z'), ['guest:101@2026-11-25T02:30:00.000Z']);
  assert.deepEqual(at('2026-11-25T02:29:59Z'), ['guest:101@2026-11-25T02:30:00.000Z']);
  assert.deepEqual(at('2026-11-25T02:30:00Z'), []);
  w.stop();
});

test('--check-config refuses a recurring window with a bad cron expression, naming the key', () => {
  const r = validateConfig({ alerts: { maintenance: [{ target: 'all', cron: '61 * * * *', durationMinutes: 30 }] } });
  assert.equal(r.ok, false);
  assert.ok(!r.ok && r.problems.some((p) => p.path === 'alerts.maintenance.0.cron'), JSON.stringify(!r.ok && r.problems));
});

test('a recurring window can be ended early from /alerts (audited, admins only); the next occurrence still applies', async (t) => {
  const { clock, pve } = await clockedProxmox();
  const dir = mkdtempSync(join(tmpdir(), 'maintenance-'));
  const base = guestAlertConfig(pve);
  const config = {
    ...base,
    alerts: {
      ...(base.alerts as Record<string, unknown>),
      maintenance: [{ target: 'docker', cron: '0 14 * * *', durationMinutes: 60, reason: 'nightly backup' }],
    },
  };
  const s = { h: await startTestApp(config, { clock, dir }) };
  t.after(async () => {
    await s.h.close();
    await pve.close();
    rmSync(dir, { recursive: true, force: true });
  });
  await poll(s.h, clock);
  pve.setGuestState(101, 'stopped');
  await poll(s.h, clock);
  await poll(s.h, clock);
  assert.equal(state(s.h, DOCKER_KEY), 'pending/maintenance');
  const alerts = (await s.h.say(OWNER, '/alerts')).replies[0];
  assert.match(alerts?.text ?? '', /🔧 docker \(CT 101\) until 15:00 \(by schedule\): nightly backup/);
  const token = buttonToken(alerts?.message, /End maintenance of docker \(CT 101\) now/);

  // Family sees the window but gets no button, and pressing someone else's is refused.
  const fam = s.h.person('family');
  const famAlerts = (await s.h.say(fam, '/alerts')).replies[0];
  assert.throws(() => buttonToken(famAlerts?.message, /End maintenance/));
  const refused = await s.h.press(fam, token);
  assert.doesNotMatch(refused.texts[0] ?? '', /ended early/);
  assert.equal(state(s.h, DOCKER_KEY), 'pending/maintenance');

  const ended = await s.h.press(OWNER, token);
  assert.match(ended.texts[0] ?? '', /Maintenance of docker \(CT 101\) ended early\. Its alerts count again; the schedule still applies/);
  assert.equal(state(s.h, DOCKER_KEY), 'raised/-', 'the guest still down is raised at once');
  const audit = s.h.app.db.prepare("SELECT result FROM audit_log WHERE command = 'maintenance-end'").pluck().all();
  assert.deepEqual(audit.slice(-1), ['ok']);
  assert.doesNotMatch((await s.h.say(OWNER, '/alerts')).texts[0] ?? '', /Maintenance \(/);
  assert.match((await s.h.press(OWNER, token)).texts[0] ?? '', /already (ended|used)/);

  // A restart inside the same occurrence keeps it ended.
  await s.h.close();
  s.h = await startTestApp(config, { clock, dir });
  await s.h.app.modules.find((m) => m.name === 'proxmox')?.alertFeeds?.[0]?.poller.settled();
  assert.doesNotMatch((await s.h.say(OWNER, '/alerts')).texts[0] ?? '', /Maintenance \(/);

  // Tomorrow at 14:00 the schedule holds docker again.
  clock.set(Date.UTC(2026, 10, 26, 14, 1, 0));
  assert.match((await s.h.say(OWNER, '/alerts')).texts[0] ?? '', /🔧 docker \(CT 101\) until 15:00 \(by schedule\)/);
});

test('a window that ends while a poll runs at the same moment: "maintenance is over" reaches the chat before the alert', async (t) => {
  const s = await setup(t);
  await poll(s.h, s.clock);
  await s.h.say(OWNER, '/maintenance docker 30m');
  s.pve.setGuestState(101, 'stopped');
  await poll(s.h, s.clock);
  await poll(s.h, s.clock);
  assert.equal(state(s.h, DOCKER_KEY), 'pending/maintenance');
  // The window's time is up and a poll lands before the deadline worker has ended it: still held.
  await poll(s.h, s.clock, 26 * 60_000);
  assert.equal(state(s.h, DOCKER_KEY), 'pending/maintenance');
  await waitFor(() => state(s.h, DOCKER_KEY) === 'raised/-', { what: 'the alert raised after the window', timeoutMs: 10_000 });
  const rows = s.h.app.db.prepare('SELECT id, payload FROM alert_outbox ORDER BY id').all() as { id: number; payload: string }[];
  const over = rows.findIndex((r) => r.payload.includes('Maintenance of docker (CT 101) is over'));
  const raised = rows.findIndex((r) => r.payload.includes(DOCKER_KEY));
  assert.ok(over >= 0 && raised > over, `over at ${over}, raise at ${raised}`);
});

test('/maintenance right after start-up, before the hypervisor was read, still finds the guest', async (t) => {
  const { clock, pve } = await clockedProxmox();
  // The first look at Proxmox fails: no guest list yet when the command arrives.
  pve.failRoute(/\/(qemu|lxc)$/, 500, 'busy');
  const h = await startTestApp(guestAlertConfig(pve), { clock });
  t.after(async () => {
    await h.close();
    await pve.close();
  });
  const poller = h.app.modules.find((m) => m.name === 'proxmox')?.alertFeeds?.[0]?.poller;
  await waitFor(() => poller?.snapshot.status === 'failed', { what: 'the first look at Proxmox to fail' });
  pve.failRoute(undefined);
  const reply = (await h.say(OWNER, '/maintenance docker 30m')).texts[0] ?? '';
  assert.match(reply, /Maintenance of docker \(CT 101\) until 14:30/);
});

test('"maintenance is over" reaches an owner who chose Spanish in Spanish', async (t) => {
  const s = await setup(t);
  await poll(s.h, s.clock);
  await s.h.say(OWNER, '/lang es');
  const reply = await s.h.say(OWNER, '/maintenance docker 30m');
  assert.ok(buttonToken(reply.replies[0]?.message, /docker \(CT 101\)/), reply.texts.join('\n'));
  s.clock.advance(31 * 60_000);
  await waitFor(() => (s.h.app.db.prepare('SELECT count(*) FROM deadlines').pluck().get() as number) === 0, {
    what: 'the deadline worker to end the window',
    timeoutMs: 10_000,
  });
  const text = await waitFor(() => queuedText(s.h, OWNER, '%docker (CT 101)%'), { what: 'the end of the window told' });
  assert.match(text, /El mantenimiento de docker \(CT 101\) ha terminado/);
  assertNoEnglish(s.h.app.messages, text, ['docker']);
});
