import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/core/clock.ts';
import { err, ok, serviceError, type Result } from '../../src/core/errors.ts';
import { silentLogger } from '../../src/core/logger.ts';
import {
  PowerCutOrchestrator,
  powerCutReporterFor,
  type PowerController,
  type PowerCutActor,
  type PowerCutOptions,
  type PowerCutStep,
} from '../../src/alerts/powercut.ts';
import { harness } from './harness.ts';

/** A hypervisor stand-in recording calls; guests listed in `stuck` never stop, `broken` refuse. */
function fakeController(opts: { stuck?: number[]; broken?: number[]; onCall?: (c: string) => void } = {}) {
  const calls: string[] = [];
  /** For whom each change was asked (the audit names them). */
  const actors: PowerCutActor[] = [];
  const record = (c: string): void => {
    calls.push(c);
    opts.onCall?.(c);
  };
  const controller: PowerController = {
    async shutdownGuest(vmid, by): Promise<Result<void>> {
      record(`shutdown ${vmid}`);
      actors.push(by);
      return opts.broken?.includes(vmid) ? err(serviceError('proxmox', 'rejected', 'VM is locked (backup)')) : ok(undefined);
    },
    async waitStopped(vmid, timeoutMs): Promise<Result<void>> {
      record(`wait ${vmid} ${timeoutMs}`);
      return opts.stuck?.includes(vmid) ? err(serviceError('proxmox', 'timeout', 'still running')) : ok(undefined);
    },
    async shutdownNode(by): Promise<Result<void>> {
      record('shutdown node');
      actors.push(by);
      return ok(undefined);
    },
    guestName: (vmid) => ({ 100: 'nas', 102: 'media' })[vmid],
  };
  return { controller, calls, actors };
}

const PERSON = { by: 'person', identity: 'telegram:4242', chat: 'telegram:-100777' } as const;

const OPTS: PowerCutOptions = {
  enabled: true,
  dryRun: false,
  onBatteryMinutes: 10,
  shutdownOrder: [102, 100],
  shutdownNode: true,
  runBy: 'bot',
  guestTimeoutMs: 60_000,
};
const OB = { onBattery: true, lowBattery: false };
const OB_LB = { onBattery: true, lowBattery: true };
const OL = { onBattery: false, lowBattery: false };

function setup(opts: Partial<PowerCutOptions> = {}, ctl = fakeController()) {
  const clock = new ManualClock();
  const steps: { step: PowerCutStep; edit: boolean; thread: string }[] = [];
  const o = new PowerCutOrchestrator(
    { ...OPTS, ...opts },
    ctl.controller,
    (step, m) => steps.push({ step, edit: m.edit, thread: m.thread }),
    clock,
    silentLogger(),
  );
  const summary = () =>
    steps.map(
      (s) =>
        `${s.step.phase}${s.edit ? '~' : ''}[${s.step.lines.map((l) => `${l.target === 'node' ? 'node' : l.vmid}:${l.status}`).join(' ')}]`,
    );
  return { o, clock, steps, summary, calls: ctl.calls, actors: ctl.actors };
}

describe('power-cut orchestration', () => {
  test('real mode: after the configured time on battery, guests in order, then the node; each step reported', async () => {
    const { o, clock, calls, summary } = setup();
    o.observe(OB);
    assert.equal(o.state, 'armed');
    clock.advance(9 * 60_000);
    o.observe(OB);
    assert.equal(o.state, 'armed');
    clock.advance(60_000);
    o.observe(OB);
    await o.idle();
    assert.deepEqual(calls, ['shutdown 102', 'wait 102 60000', 'shutdown 100', 'wait 100 60000', 'shutdown node']);
    assert.deepEqual(summary(), [
      'armed[102:pending 100:pending node:pending]',
      'running[102:pending 100:pending node:pending]',
      'running~[102:shutting-down 100:pending node:pending]',
      'running~[102:stopped 100:pending node:pending]',
      'running~[102:stopped 100:shutting-down node:pending]',
      'running~[102:stopped 100:stopped node:pending]',
      'running~[102:stopped 100:stopped node:shutting-down]',
      'finished~[102:stopped 100:stopped node:shutting-down]',
    ]);
    o.observe(OB);
    await o.idle();
    assert.equal(calls.length, 5, 'one run per outage');
  });

  test('dry run reports what it would do and touches nothing', async () => {
    const { o, calls, summary } = setup({ dryRun: true });
    o.observe(OB_LB);
    await o.idle();
    assert.deepEqual(calls, []);
    assert.deepEqual(summary().at(-1), 'finished~[102:would-shutdown 100:would-shutdown node:would-shutdown]');
    assert.ok(summary()[0]!.startsWith('running['), 'low battery starts at once, without an armed countdown');
  });

  test('runtime below the threshold starts at once, before the time on battery is up', async () => {
    const { o, calls, summary } = setup({ lowRuntimeSeconds: 300 });
    o.observe({ ...OB, runtimeSeconds: 301 });
    assert.equal(o.state, 'armed', 'above the threshold it only arms');
    o.observe({ ...OB, runtimeSeconds: 300 });
    await o.idle();
    assert.equal(calls[0], 'shutdown 102');
    assert.ok(summary().at(-1)!.startsWith('finished~'));
  });

  test('a low runtime reading on mains (a calibration, a UPS self-test) starts nothing', async () => {
    const { o, calls } = setup({ lowRuntimeSeconds: 300 });
    o.observe({ ...OL, runtimeSeconds: 60 });
    await o.idle();
    assert.deepEqual(calls, []);
    assert.equal(o.state, 'idle');
  });

  test('power back before the start cancels it', async () => {
    const { o, clock, calls, summary } = setup();
    o.observe(OB);
    clock.advance(5 * 60_000);
    o.observe(OL);
    clock.advance(10 * 60_000);
    o.observe(OL);
    await o.idle();
    assert.deepEqual(calls, []);
    assert.deepEqual(summary(), ['armed[102:pending 100:pending node:pending]', 'cancelled[]']);
    assert.equal(o.state, 'idle');
  });

  test('power back mid-run stops after the current guest and leaves the node up', async () => {
    const late: { o?: PowerCutOrchestrator } = {};
    const ctl = fakeController({ onCall: (c) => c === 'wait 102 60000' && late.o?.observe(OL) });
    const s = setup({}, ctl);
    late.o = s.o;
    s.o.observe(OB_LB);
    await s.o.idle();
    assert.deepEqual(ctl.calls, ['shutdown 102', 'wait 102 60000']);
    assert.equal(s.summary().at(-1), 'aborted~[102:stopped 100:skipped node:skipped]');
  });

  test('a refusing or slow guest does not block the rest', async () => {
    const { o, calls, steps } = setup({}, fakeController({ broken: [102], stuck: [100] }));
    o.observe(OB_LB);
    await o.idle();
    assert.deepEqual(calls, ['shutdown 102', 'shutdown 100', 'wait 100 60000', 'shutdown node']);
    const last = steps.at(-1)!.step;
    assert.deepEqual(
      last.lines.map((l) => [l.status, l.detail, l.name]),
      [
        ['failed', 'VM is locked (backup)', 'media'],
        ['timeout', 'still running', 'nas'],
        ['shutting-down', undefined, undefined],
      ],
    );
  });

  test('disabled: nothing happens, and the button refuses', async () => {
    const { o, calls, steps } = setup({ enabled: false });
    o.observe(OB_LB);
    assert.equal(o.trigger(PERSON), false);
    await o.idle();
    assert.deepEqual(calls, []);
    assert.deepEqual(steps, []);
  });

  test('"shut down now" starts at once, even on mains, each change made for the person who asked', async () => {
    const { o, calls, actors } = setup({ shutdownOrder: [100] });
    assert.equal(o.trigger(PERSON), true);
    await o.idle();
    assert.deepEqual(calls, ['shutdown 100', 'wait 100 60000', 'shutdown node']);
    assert.deepEqual(actors, [PERSON, PERSON]);
  });

  test('a run the UPS starts makes each change for the UPS, also when a person pressed nothing', async () => {
    const { o, actors } = setup({ shutdownOrder: [100] });
    o.observe(OB_LB);
    await o.idle();
    assert.deepEqual(actors, [{ by: 'ups' }, { by: 'ups' }]);
  });

  test('reports go through the outbox to chats bound to UPS alerts, one thread edited per run', async () => {
    const h = harness([
      { destination: 'telegram:1', sources: ['ups'] },
      { destination: 'telegram:2', sources: ['raid'] },
    ]);
    const ctl = fakeController();
    const o = new PowerCutOrchestrator({ ...OPTS, dryRun: true }, ctl.controller, powerCutReporterFor(h.service), h.clock, silentLogger());
    o.observe(OB_LB);
    await o.idle();
    const rows = h.service.outbox.list(['pending', 'superseded']);
    assert.ok(rows.every((r) => r.destination === 'telegram:1' && r.severity === 'critical'));
    assert.deepEqual(
      h.service.outbox
        .list(['pending'])
        .map(
          (r) =>
            `${r.edit ? 'edit' : 'new'}:${r.payload.type === 'notice' && r.payload.notice.kind === 'powercut' ? r.payload.notice.step.phase : ''}`,
        ),
      ['new:running', 'edit:finished'],
      'undelivered intermediate edits are superseded by the newest',
    );
  });
});
