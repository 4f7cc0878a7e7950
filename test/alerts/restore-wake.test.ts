/**
 * The power-restore report wakes the node through the router when the bot runs outside it: on a
 * manual clock, mains long enough → one Wake-on-LAN → the node answers → the report says it was
 * woken; a node that never answers gets a red line with the button to wake it again; a restart
 * after the packet left never sends a second one.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/core/clock.ts';
import { Messages } from '../../src/core/i18n.ts';
import { alertsMessages } from '../../src/handlers/alerts/messages.ts';
import { openDatabase, type Db } from '../../src/core/db.ts';
import { err, ok, serviceError, type Result } from '../../src/core/errors.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { alertMigrations } from '../../src/alerts/migrations.ts';
import { PowerCutStore } from '../../src/alerts/powercut-journal.ts';
import type { PowerController } from '../../src/alerts/powercut.ts';
import { PowerRestore, type RestoreReport } from '../../src/alerts/restore.ts';

const MIN = 60_000;
const OL = { onBattery: false, lowBattery: false };
const OB = { onBattery: true, lowBattery: false };

/** A node that is off until `powerOn()`; counts what the restore asked of it. */
function fakeNode() {
  let on = false;
  let asks = 0;
  const started: number[] = [];
  const controller: PowerController = {
    shutdownGuest: async () => ok(undefined),
    waitStopped: async () => ok(undefined),
    shutdownNode: async () => ok(undefined),
    nodeReachable: async (): Promise<Result<void>> => {
      asks++;
      return on ? ok(undefined) : err(serviceError('proxmox', 'unreachable', 'connection refused'));
    },
    nodeName: () => 'proxmox1',
    startGuests: async (vmids) => {
      started.push(...vmids);
      return ok(vmids.map((vmid) => ({ vmid, label: `guest ${vmid}`, running: true, started: false })));
    },
  };
  return {
    controller,
    started,
    get asks() {
      return asks;
    },
    powerOn: () => void (on = true),
  };
}

function setup(db: Db = openDatabase(':memory:', alertMigrations), clock = new ManualClock(), o: { planStopsNode?: boolean } = {}) {
  const journal = new PowerCutStore(db);
  const node = fakeNode();
  const reports: RestoreReport[] = [];
  let wakes = 0;
  let wakeResult: Result<void> = ok(undefined);
  const make = (): PowerRestore =>
    new PowerRestore({
      journal,
      controller: node.controller,
      checks: () => [],
      order: [101, 100],
      expected: [],
      onMainsMs: 1 * MIN,
      guestTimeoutMs: 5 * MIN,
      send: (report) => void reports.push(report),
      wake: {
        send: async () => {
          wakes++;
          return wakeResult;
        },
        afterMs: 3 * MIN,
        bootTimeoutMs: 5 * MIN,
      },
      clock,
      log: silentLogger(),
    });
  const s = {
    db,
    clock,
    journal,
    node,
    reports,
    restore: make(),
    get wakes() {
      return wakes;
    },
    failWakes(detail: string) {
      wakeResult = err(serviceError('router', 'unreachable', detail));
    },
    /** One UPS reading after `ms`, then whatever it started has finished. */
    async reading(ms: number, signal = OL): Promise<void> {
      clock.advance(ms);
      s.restore.observe(signal);
      await s.restore.idle();
    },
    restart() {
      s.restore = make();
    },
  };
  // The plan was handed over during an outage; the node is off.
  journal.outageStarted(clock.now());
  journal.handedOver(clock.now(), {
    sequence: [['docker (CT 101)'], ['nas (VM 100)']],
    ...(o.planStopsNode === false ? {} : { node: 'proxmox1' }),
    vmids: [101, 100],
  });
  return s;
}

const lines = (r: RestoreReport | undefined): string[] =>
  (r?.lines ?? []).map(
    (l) =>
      `${l.light}:${l.key.replace('alerts.restore.', '')}${l.action ? `[${l.action.command} ${l.action.args.target ?? l.action.args.guest}]` : ''}`,
  );

describe('power restore with Wake-on-LAN', () => {
  test('mains long enough → one wake → the node answers → the report says it was woken, then the guests follow', async () => {
    const s = setup();
    await s.reading(0, OB);
    await s.reading(MIN); // mains back
    await s.reading(MIN); // restore due, but the node is off and mains is only 1 min old
    assert.equal(s.wakes, 0, 'no wake before mains has been back afterMinutesOnMains');
    await s.reading(2 * MIN);
    assert.equal(s.wakes, 1, 'woken once mains has been back 3 min');
    assert.ok(s.journal.owed()?.wakeSentAt !== undefined, 'the wake is in the journal');
    await s.reading(MIN);
    await s.reading(MIN);
    assert.equal(s.wakes, 1, 'never twice while it boots');
    assert.equal(s.reports.length, 0, 'the report waits for the node');
    s.node.powerOn();
    await s.reading(15_000);
    assert.equal(s.reports.length, 1);
    assert.deepEqual(lines(s.reports[0]), ['green:nodeWoken', 'green:guestUp', 'green:guestUp']);
    assert.deepEqual(s.reports[0]!.lines[0]!.params, { node: 'proxmox1', minutes: 3 });
    assert.deepEqual(s.node.started, [100, 101], 'the NAS first, then docker');
    assert.equal(s.journal.owed(), undefined, 'one report per outage');
    await s.reading(MIN);
    assert.equal(s.wakes, 1);
  });

  test('a node that answers by itself is not woken', async () => {
    const s = setup();
    s.node.powerOn();
    await s.reading(MIN);
    await s.reading(5 * MIN);
    assert.equal(s.wakes, 0);
    assert.deepEqual(lines(s.reports[0]).slice(0, 1), ['green:nodeUp']);
  });

  test('a plan that left the node up: the report still names the node (from the hypervisor)', async () => {
    const s = setup(undefined, undefined, { planStopsNode: false });
    s.node.powerOn();
    await s.reading(MIN);
    await s.reading(MIN);
    assert.deepEqual(lines(s.reports[0]).slice(0, 1), ['green:nodeUp']);
    assert.deepEqual(s.reports[0]!.lines[0]!.params, { node: 'proxmox1' });
    assert.equal(s.reports[0]!.node, undefined, 'the shutdown sequence does not claim the node was stopped');
  });

  test('the same for a wake that did not bring it back', async () => {
    const s = setup(undefined, undefined, { planStopsNode: false });
    await s.reading(0);
    await s.reading(3 * MIN);
    await s.reading(5 * MIN);
    assert.deepEqual(lines(s.reports[0]), ['red:wakeNoBoot[wake node]']);
    assert.equal(s.reports[0]!.lines[0]!.params.node, 'proxmox1');
  });

  test('while the woken node boots, it is asked every 15 s, not on every UPS reading', async () => {
    const s = setup();
    await s.reading(0);
    await s.reading(3 * MIN);
    assert.equal(s.wakes, 1);
    const before = s.node.asks;
    for (let i = 0; i < 30; i++) await s.reading(2_000); // one minute of UPS readings, 2 s apart
    assert.equal(s.node.asks - before, 3, 'at 16, 32 and 48 s: the first reading 15 s after the last look');
    s.node.powerOn();
    for (let i = 0; i < 7; i++) await s.reading(2_000);
    assert.equal(s.reports.length, 1, 'found up within 15 s of answering');
    assert.deepEqual(lines(s.reports[0]).slice(0, 1), ['green:nodeWoken']);
  });

  test('a node that never comes back: a red line after the boot time, with the button to wake it again', async () => {
    const s = setup();
    await s.reading(0);
    await s.reading(3 * MIN);
    assert.equal(s.wakes, 1);
    await s.reading(4 * MIN);
    assert.equal(s.reports.length, 0, 'still within its boot time');
    await s.reading(MIN);
    assert.equal(s.reports.length, 1);
    assert.deepEqual(lines(s.reports[0]), ['red:wakeNoBoot[wake node]']);
    assert.deepEqual(s.reports[0]!.lines[0]!.params, { node: 'proxmox1', minutes: 5 });
    assert.deepEqual(s.node.started, [], 'nothing to start on a node that is off');
    assert.equal(s.wakes, 1);
  });

  test('the router cannot send it: the report says so at once, in red', async () => {
    const s = setup();
    s.failWakes('connection refused');
    await s.reading(0);
    await s.reading(3 * MIN);
    assert.equal(s.wakes, 1);
    assert.deepEqual(lines(s.reports[0]), ['red:wakeFailed[wake node]']);
    assert.equal(s.reports[0]!.lines[0]!.params.detail, 'connection refused');
  });

  test('power fails again before the wake: nothing is sent until mains has been back long enough again', async () => {
    const s = setup();
    await s.reading(0);
    await s.reading(2 * MIN);
    await s.reading(10_000, OB);
    await s.reading(10_000);
    await s.reading(MIN);
    assert.equal(s.wakes, 0);
  });

  test('a restart after the packet left does not wake twice; the boot time counts from the journal', async () => {
    const s = setup();
    await s.reading(0);
    await s.reading(3 * MIN);
    assert.equal(s.wakes, 1);
    s.restart(); // the bot (on its Raspberry Pi) restarts on the same database
    await s.reading(MIN);
    assert.equal(s.wakes, 1, 'the journal says it was sent');
    s.node.powerOn();
    await s.reading(MIN);
    assert.deepEqual(lines(s.reports[0]).slice(0, 1), ['green:nodeWoken']);
    assert.equal(s.reports[0]!.lines[0]!.params.minutes, 2);
  });

  test('killed between the record and the packet: no second try, the report says in red that it did not come back', async () => {
    const s = setup();
    await s.reading(0);
    s.journal.wakeSent(s.journal.owed()!.id, s.clock.now()); // the record was written, then the process died
    s.restart();
    await s.reading(MIN);
    await s.reading(4 * MIN);
    assert.equal(s.wakes, 0, 'the journal says it was sent');
    assert.deepEqual(lines(s.reports[0]), ['red:wakeNoBoot[wake node]']);
  });

  test('the wake is recorded before the packet: a journal that cannot be written sends nothing', async () => {
    const s = setup();
    await s.reading(0);
    s.journal.wakeSent = () => {
      throw new Error('database or disk is full');
    };
    await s.reading(3 * MIN);
    assert.equal(s.wakes, 0);
    assert.equal(s.reports.length, 0);
  });

  test('the wake lines read right in English and Spanish, one minute or several', () => {
    const m = new Messages([alertsMessages], { strict: true });
    const en = m.forLanguage('en');
    const es = m.forLanguage('es');
    assert.match(en('alerts.restore.nodeWoken', { node: 'proxmox1', minutes: 1 }), /answered after 1 minute$/);
    assert.match(es('alerts.restore.nodeWoken', { node: 'proxmox1', minutes: 3 }), /respondió al cabo de 3 minutos$/);
    assert.match(
      en('alerts.restore.wakeNoBoot', { node: 'proxmox1', minutes: 5 }),
      /did not answer within 5 minutes\. Check that it has power/,
    );
    assert.match(es('alerts.restore.wakeNoBoot', { node: 'proxmox1', minutes: 1 }), /no respondió en 1 minuto\. Comprueba/);
  });
});
