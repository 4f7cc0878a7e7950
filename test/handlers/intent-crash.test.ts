/**
 * Intent before action, under SIGKILL: the bot runs `/unblock`, `/allow` of a domain it holds for a
 * while, `/guestwifi on 2h` or `/pausenet` in a child
 * process and is killed at each step — with the backend request held before the backend saw it,
 * and with the backend's answer held after it applied the change — or right after it replied.
 * A bot restarted on the same database (in-process, hand-moved clock) must re-block the domain
 * switch the WiFi off and give a paused device its internet back on time, and never keep a
 * deadline for a change that did not happen.
 */
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../src/core/clock.ts';
import { startFakePihole, type FakePihole } from '../../src/demo/pihole.ts';
import { FAKE_ROUTER_USERS, startRouterOsFake, type RouterOsFake } from '../../src/demo/routeros.ts';
import { demoDevice } from '../../src/demo/household.ts';
import { PAUSE_LIST } from '../../src/handlers/devices/pause.ts';
import { OWNER, startTestApp, type TestApp } from '../support/app-harness.ts';
import { waitFor } from '../support/real-server.ts';
import { startStepProxy, type HoldStep } from '../support/step-proxy.ts';

const CHILD = join(import.meta.dirname, 'intent-child.ts');
const T0 = Date.UTC(2026, 10, 25, 20, 0, 0);
const MIN = 60_000;
type Step = HoldStep | 'replied';

/**
 * Runs `line` in a child bot whose backend (`backendUrl`) sits behind a step proxy, and SIGKILLs
 * it when it reaches `step`. Returns the database directory for the restart.
 */
async function killAt(
  t: TestContext,
  step: Step,
  o: {
    backendUrl: string;
    config: (url: string) => unknown;
    line: string;
    match: (method: string, path: string) => boolean;
    /** A database prepared beforehand (default: a fresh one). */
    dir?: string;
  },
): Promise<string> {
  const proxy = await startStepProxy(o.backendUrl);
  t.after(() => proxy.close());
  const dir = o.dir ?? tempDir(t);
  const held = step === 'replied' ? undefined : proxy.hold(o.match, step);
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dir, JSON.stringify(o.config(proxy.url)), String(T0), o.line], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(() => child.kill('SIGKILL'));
  let out = '';
  let errText = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (errText += d.toString()));
  const exited = new Promise<NodeJS.Signals | null>((r) => child.on('exit', (_code, signal) => r(signal)));
  const reached = held ?? waitFor(() => out.includes('replied'), { timeoutMs: 60_000, what: 'the child to reply' });
  await Promise.race([
    reached,
    exited.then(() => {
      throw new Error(`child exited before ${step}: ${errText}`);
    }),
  ]);
  if (step !== 'replied') assert.doesNotMatch(out, /replied/, 'killed before the bot heard back');
  child.kill('SIGKILL');
  assert.equal(await exited, 'SIGKILL');
  return dir;
}

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'intent-crash-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function restart(t: TestContext, config: Record<string, unknown>, dir: string, clock: ManualClock): Promise<TestApp> {
  const h = await startTestApp(config, { dir, clock });
  t.after(() => h.close());
  return h;
}

const deadlineRow = (h: TestApp, kind: string) =>
  h.app.db.prepare('SELECT phase, due_at FROM deadlines WHERE kind = ?').get(kind) as { phase: string; due_at: number } | undefined;

describe('SIGKILL during /unblock', () => {
  const PASSWORD = 'pw';
  const piholeConfig = (url: string) => ({ pihole: { url, password: PASSWORD } });
  const allowed = (fake: FakePihole, d: string) => fake.domains().some((x) => x.type === 'allow' && x.domain === d);

  for (const step of ['request', 'response', 'replied'] as const) {
    test(`killed at ${step}: after restart the domain is ${step === 'request' ? 'never allowed' : 're-blocked on time'}`, async (t) => {
      const fake = await startFakePihole({ password: PASSWORD, seed: false });
      t.after(() => fake.close());
      const dir = await killAt(t, step, {
        backendUrl: fake.url,
        config: piholeConfig,
        line: '/unblock crash.example 30m',
        match: (m, p) => m === 'POST' && p.startsWith('/api/domains/allow'),
      });
      assert.equal(allowed(fake, 'crash.example'), step !== 'request', 'backend state at the kill');

      const clock = new ManualClock(T0 + MIN);
      const h = await restart(t, piholeConfig(fake.url), dir, clock);
      if (step === 'request') {
        await waitFor(() => deadlineRow(h, 'pihole-allow') === undefined, { what: 'the unapplied intent to be dropped' });
        assert.ok(!allowed(fake, 'crash.example'));
        return;
      }
      await waitFor(() => deadlineRow(h, 'pihole-allow')?.phase === 'active', { what: 'the deadline to stand' });
      assert.equal(deadlineRow(h, 'pihole-allow')?.due_at, T0 + 30 * MIN);
      assert.ok(allowed(fake, 'crash.example'), 'still allowed before its time');
      clock.advance(30 * MIN);
      await waitFor(() => !allowed(fake, 'crash.example'), { what: 'the domain to be blocked again' });
      await waitFor(() => deadlineRow(h, 'pihole-allow') === undefined, { what: 'the deadline to end' });
    });
  }
});

describe('SIGKILL during /allow of a temporarily unblocked domain', () => {
  const PASSWORD = 'pw';
  const piholeConfig = (url: string) => ({ pihole: { url, password: PASSWORD } });
  const entry = (fake: FakePihole, d: string) => fake.domains().find((x) => x.type === 'allow' && x.domain === d);
  const holdRow = (h: TestApp, d: string) =>
    h.app.db.prepare("SELECT phase, due_at FROM deadlines WHERE kind = 'pihole-allow' AND target = ?").get(d) as
      { phase: string; due_at: number } | undefined;

  for (const step of ['request', 'response', 'replied'] as const) {
    const outcome = step === 'request' ? 'still re-blocked on time' : 'allowed for good, never removed';
    test(`killed at ${step}: after restart the domain is ${outcome}`, async (t) => {
      const fake = await startFakePihole({ password: PASSWORD, seed: false });
      t.after(() => fake.close());
      // Both held for 30 minutes; other.example's expiry shows the worker's pass after the clock moves.
      const dir = tempDir(t);
      const before = await startTestApp(piholeConfig(fake.url), { dir, clock: new ManualClock(T0) });
      for (const d of ['held.example', 'other.example']) await before.say(OWNER, `/unblock ${d} 30m`);
      await before.close();
      assert.equal(entry(fake, 'held.example')?.comment?.startsWith('chat bot: temporary'), true, 'held for a while first');

      await killAt(t, step, {
        backendUrl: fake.url,
        config: piholeConfig,
        line: '/allow held.example',
        match: (m, p) => m === 'PUT' && p.startsWith('/api/domains/allow/exact/held.example'),
        dir,
      });
      const comment = entry(fake, 'held.example')?.comment ?? '';
      if (step === 'request') assert.match(comment, /^chat bot: temporary/, 'Pi-hole untouched at the kill');
      else assert.equal(comment, 'chat bot: allowed', 'Pi-hole changed at the kill');

      const clock = new ManualClock(T0 + MIN);
      const h = await restart(t, piholeConfig(fake.url), dir, clock);
      if (step === 'request') {
        await waitFor(() => holdRow(h, 'held.example')?.phase === 'active', { what: 'the hold to stand again' });
        assert.equal(holdRow(h, 'held.example')?.due_at, T0 + 30 * MIN);
      } else {
        await waitFor(() => holdRow(h, 'held.example') === undefined, { what: 'the hold to be dropped' });
      }
      clock.advance(30 * MIN);
      await waitFor(() => entry(fake, 'other.example') === undefined, { what: 'the expiry pass to run' });
      if (step === 'request') await waitFor(() => entry(fake, 'held.example') === undefined, { what: 'the domain re-blocked' });
      else assert.equal(entry(fake, 'held.example')?.comment, 'chat bot: allowed', 'allowed for good');
    });
  }
});

describe('SIGKILL during /guestwifi on 2h', () => {
  const admin = FAKE_ROUTER_USERS[0]!;
  const routerConfig = (url: string) => ({ router: { url, username: admin.name, password: admin.password } });
  const guestOn = (fake: RouterOsFake) => fake.menu('interface/wifi').find((w) => w.name === 'wifi-guest')!.disabled === 'false';

  for (const step of ['request', 'response', 'replied'] as const) {
    test(`killed at ${step}: after restart the WiFi is off on time`, async (t) => {
      const fake = await startRouterOsFake();
      fake.menu('interface/wifi').find((w) => w.name === 'wifi-guest')!.disabled = 'true';
      t.after(() => fake.close());
      const dir = await killAt(t, step, {
        backendUrl: fake.url,
        config: routerConfig,
        line: '/guestwifi on 2h',
        match: (m, p) => m === 'PATCH' && p.startsWith('/rest/interface/wifi/'),
      });
      assert.equal(guestOn(fake), step !== 'request', 'backend state at the kill');

      const clock = new ManualClock(T0 + MIN);
      const h = await restart(t, routerConfig(fake.url), dir, clock);
      await waitFor(() => deadlineRow(h, 'guest-wifi-off')?.phase === 'active', { what: 'the auto-off to stand' });
      assert.equal(deadlineRow(h, 'guest-wifi-off')?.due_at, T0 + 120 * MIN);
      assert.equal(guestOn(fake), step !== 'request', 'nothing changes before its time');
      clock.advance(120 * MIN);
      await waitFor(() => !guestOn(fake) && deadlineRow(h, 'guest-wifi-off') === undefined, { what: 'the WiFi switched off on time' });
    });
  }
});

describe('SIGKILL during /pausenet', () => {
  const admin = FAKE_ROUTER_USERS[0]!;
  const routerConfig = (url: string) => ({ router: { url, username: admin.name, password: admin.password } });
  const PHONE = demoDevice('iPhone-de-Ana');
  const paused = (fake: RouterOsFake) => fake.listed(PAUSE_LIST).includes(PHONE.ip);
  const backNotices = (h: TestApp) =>
    (
      h.app.db.prepare("SELECT count(*) AS n FROM alert_outbox WHERE payload LIKE '%Internet is back for iPhone-de-Ana%'").get() as {
        n: number;
      }
    ).n;

  for (const step of ['request', 'response', 'replied'] as const) {
    test(`killed at ${step}: after restart the phone is ${step === 'request' ? 'never paused' : 'given its internet back on time'}`, async (t) => {
      const fake = await startRouterOsFake();
      t.after(() => fake.close());
      const dir = await killAt(t, step, {
        backendUrl: fake.url,
        config: routerConfig,
        line: '/pausenet iPhone-de-Ana 30m',
        match: (m, p) => m === 'PUT' && p.startsWith('/rest/ip/firewall/address-list'),
      });
      assert.equal(paused(fake), step !== 'request', 'router state at the kill');

      const clock = new ManualClock(T0 + MIN);
      const h = await restart(t, routerConfig(fake.url), dir, clock);
      if (step === 'request') {
        await waitFor(() => deadlineRow(h, 'device-pause') === undefined, { what: 'the unapplied intent to be dropped' });
        await h.say(OWNER, '/devices'); // a lease read: the repair pass must not pause it either
        assert.ok(!paused(fake));
        return;
      }
      await waitFor(() => deadlineRow(h, 'device-pause')?.phase === 'active', { what: 'the pause to stand' });
      assert.equal(deadlineRow(h, 'device-pause')?.due_at, T0 + 30 * MIN);
      assert.ok(paused(fake), 'still paused before its time');
      clock.advance(30 * MIN);
      await waitFor(() => !paused(fake) && deadlineRow(h, 'device-pause') === undefined, { what: 'the internet back on time' });
      await waitFor(() => backNotices(h) === 1, { what: 'the chat told once' });
    });
  }
});

describe('database not writable (full disk)', () => {
  test('/unblock, /guestwifi on 2h and /pausenet answer clearly and change nothing on the backends', async (t) => {
    const pihole = await startFakePihole({ password: 'pw', seed: false });
    const router = await startRouterOsFake();
    const wifi = () => router.menu('interface/wifi').find((w) => w.name === 'wifi-guest')!;
    wifi().disabled = 'true';
    const admin = FAKE_ROUTER_USERS[0]!;
    const h = await startTestApp({
      pihole: { url: pihole.url, password: 'pw' },
      router: { url: router.url, username: admin.name, password: admin.password },
    });
    t.after(async () => {
      await h.close();
      await pihole.close();
      await router.close();
    });
    await waitFor(() => (h.app.db.prepare('SELECT count(*) AS n FROM devices').get() as { n: number }).n > 0, { what: 'devices recorded' });
    h.app.db.pragma('query_only = ON'); // every write fails as on a full disk
    const pause = await h.say(OWNER, '/pausenet iPhone-de-Ana 30m');
    assert.match(pause.texts.join('\n'), /could not write to my database.*changed nothing/);
    assert.deepEqual(router.listed(PAUSE_LIST), [], 'no device paused');
    const unblock = await h.say(OWNER, '/unblock full.example 30m');
    assert.match(unblock.texts.join('\n'), /could not write to my database.*changed nothing/);
    const on = await h.say(OWNER, '/guestwifi on 2h');
    assert.match(on.texts.join('\n'), /could not write to my database.*changed nothing/);
    assert.ok(!pihole.domains().some((d) => d.domain === 'full.example'), 'no allow entry');
    assert.equal(wifi().disabled, 'true', 'WiFi untouched');
    h.app.db.pragma('query_only = OFF');
  });
});

describe('database write failures during /allow of a temporarily unblocked domain', () => {
  const config = (url: string) => ({ pihole: { url, password: 'pw' } });
  const entry = (fake: FakePihole) => fake.domains().find((x) => x.type === 'allow' && x.domain === 'held.example');
  const hold = (h: TestApp) =>
    h.app.db.prepare("SELECT phase, due_at FROM deadlines WHERE kind = 'pihole-allow' AND target = 'held.example'").get() as
      { phase: string; due_at: number } | undefined;

  /**
   * Holds held.example for 30 minutes, then runs `/allow held.example` while `fail` makes database
   * writes fail (`undo` lifts it); checks the clear answer and that nothing changed.
   */
  async function allowWhileFailing(t: TestContext, fail: (h: TestApp) => void, undo: (h: TestApp) => void) {
    const fake = await startFakePihole({ password: 'pw', seed: false });
    t.after(() => fake.close());
    const clock = new ManualClock(T0);
    const h = await startTestApp(config(fake.url), { clock });
    t.after(() => h.close());
    await h.say(OWNER, '/unblock held.example 30m');
    const before = entry(fake);
    fail(h);
    const r = await h.say(OWNER, '/allow held.example');
    undo(h);
    assert.match(r.texts.join('\n'), /could not write to my database.*changed nothing/);
    assert.deepEqual(entry(fake), before, 'Pi-hole untouched');
    assert.deepEqual(hold(h), { phase: 'active', due_at: T0 + 30 * MIN });
    return { fake, clock, h };
  }

  test('read-only database: a clear answer, Pi-hole untouched, the hold still ends on time', async (t) => {
    const { fake, clock } = await allowWhileFailing(
      t,
      (h) => h.app.db.pragma('query_only = ON'),
      (h) => h.app.db.pragma('query_only = OFF'),
    );
    clock.advance(30 * MIN);
    await waitFor(() => entry(fake) === undefined, { what: 'the domain re-blocked on time' });
  });

  test('only the deadline write fails (the audit row was written): a clear answer, Pi-hole untouched', async (t) => {
    const { fake, h } = await allowWhileFailing(
      t,
      (x) =>
        x.app.db.exec(
          `CREATE TRIGGER deadlines_full BEFORE UPDATE ON deadlines BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`,
        ),
      (x) => x.app.db.exec('DROP TRIGGER deadlines_full'),
    );
    const again = await h.say(OWNER, '/allow held.example');
    assert.match(again.texts.join('\n'), /now allowed for good/);
    assert.equal(entry(fake)?.comment, 'chat bot: allowed');
    assert.equal(hold(h), undefined);
  });
});
