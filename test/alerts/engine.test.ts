import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cond, harness } from './harness.ts';

const A = cond('ups:ups:on_battery', { holdMs: 30_000 });
const W = cond('raid:md0:degraded', { source: 'raid', severity: 'warning' });

describe('debounce', () => {
  test('raised only after it held for its hold time', () => {
    const h = harness();
    assert.deepEqual(h.at(0, [A]), []);
    assert.deepEqual(h.at(10_000, [A]), []);
    assert.deepEqual(h.at(20_000, [A]), ['raise:ups:ups:on_battery']);
  });
  test('a blip shorter than the hold never raises', () => {
    const h = harness();
    h.at(0, [A]);
    assert.deepEqual(h.at(10_000, []), []);
    assert.deepEqual(h.at(25_000, [A]), []);
    assert.deepEqual(h.at(25_000, [A]), [], 'the hold restarted after the blip');
    assert.deepEqual(h.at(5_000, [A]), ['raise:ups:ups:on_battery']);
  });
  test('hold 0 raises on the first sighting; default hold comes from options', () => {
    const h = harness();
    assert.deepEqual(h.at(0, [cond('a', { holdMs: 0 })]), ['raise:a']);
    assert.deepEqual(h.at(0, [cond('a', { holdMs: 0 }), cond('b')]), []);
    assert.deepEqual(h.at(30_000, [cond('a', { holdMs: 0 }), cond('b')]), ['raise:b']);
  });
});

describe('dedup and changes', () => {
  test('a raised key is announced once, whatever its params do', () => {
    const h = harness();
    const c = (charge: number) => cond('k', { holdMs: 0, params: { charge } });
    assert.deepEqual(h.at(0, [c(90)]), ['raise:k']);
    for (let i = 0; i < 10; i++) assert.deepEqual(h.at(2000, [c(89 - i)]), []);
    assert.equal(h.service.outbox.list().length, 1);
    assert.equal(h.service.active()[0]?.params.charge, 80, 'the record keeps the latest params');
  });
  test('escalation is a new message; de-escalation edits', () => {
    const h = harness();
    assert.deepEqual(h.at(0, [cond('k', { holdMs: 0, severity: 'warning' })]), ['raise:k']);
    assert.deepEqual(h.at(1000, [cond('k', { holdMs: 0, severity: 'critical' })]), ['update(escalated):k']);
    assert.deepEqual(h.at(1000, [cond('k', { holdMs: 0, severity: 'warning' })]), ['update(changed):k']);
    const rows = h.service.outbox.list();
    assert.deepEqual(
      rows.map((r) => r.edit),
      [false, false, true],
    );
  });
  test('progress edits the message, at most once a minute, except 100 %', () => {
    const h = harness();
    const c = (progress: number) => cond('raid:md0:rebuild', { holdMs: 0, severity: 'warning', progress });
    assert.deepEqual(h.at(0, [c(1)]), ['raise:raid:md0:rebuild']);
    assert.deepEqual(h.at(20_000, [c(5)]), []);
    assert.deepEqual(h.at(40_000, [c(9)]), ['update(progress):raid:md0:rebuild']);
    assert.deepEqual(h.at(10_000, [c(100)]), ['update(progress):raid:md0:rebuild']);
    assert.equal(h.service.outbox.list(['pending']).filter((r) => r.edit).length, 1, 'only the newest undelivered edit is kept');
    assert.equal(h.service.outbox.list(['superseded']).length, 1);
  });
});

describe('recovery', () => {
  test('resolved after it stayed absent for the resolve hold, with the duration', () => {
    const h = harness();
    h.at(0, [cond('k', { holdMs: 0 })]);
    assert.deepEqual(h.at(5 * 60_000, []), []);
    assert.deepEqual(h.at(30_000, [cond('k', { holdMs: 0 })]), [], 'came back inside the hold: still the same alert');
    assert.deepEqual(h.at(30_000, []), []);
    assert.deepEqual(h.at(60_000, []), ['resolve:k']);
    const resolve = h.service.outbox.list().at(-1)!;
    assert.equal(resolve.payload.type === 'alert' && resolve.payload.event.durationMs, 6 * 60_000, 'raised until last seen');
    assert.deepEqual(h.service.active(), []);
  });
  test('a rule may resolve at once (resolveHoldMs 0)', () => {
    const h = harness();
    h.at(0, [cond('k', { holdMs: 0, resolveHoldMs: 0 })]);
    assert.deepEqual(h.at(1000, []), ['resolve:k']);
  });
});

describe('re-notify', () => {
  const table: [string, ReturnType<typeof cond>, string[]][] = [
    ['critical re-notifies at the interval', cond('k', { holdMs: 0 }), ['renotify(interval):k']],
    ['warning does not', cond('k', { holdMs: 0, severity: 'warning' }), []],
  ];
  for (const [name, c, want] of table) {
    test(name, () => {
      const h = harness();
      h.at(0, [c]);
      assert.deepEqual(h.at(29 * 60_000, [c]), []);
      assert.deepEqual(h.at(60_000, [c]), want);
      assert.deepEqual(h.at(60_000, [c]), []);
    });
  }
  test('acknowledged alerts stop re-notifying; the ack edits the message and records who', () => {
    const h = harness();
    h.at(0, [cond('k', { holdMs: 0 })]);
    assert.equal(h.service.acknowledge('k', 'telegram:42'), 'ok');
    assert.equal(h.service.acknowledge('k', 'telegram:43'), 'already');
    assert.equal(h.service.acknowledge('nope', 'telegram:42'), 'not-found');
    assert.deepEqual(h.at(3 * 60 * 60_000, [cond('k', { holdMs: 0 })]), []);
    const edit = h.service.outbox.list().at(-1)!;
    assert.ok(edit.edit && edit.payload.type === 'alert');
    assert.equal(edit.payload.event.alert.ackBy, 'telegram:42');
    assert.equal(h.service.active()[0]?.ackBy, 'telegram:42');
  });
  test('snooze: silent until it ends, then one reminder (any severity)', () => {
    const h = harness();
    const c = cond('k', { holdMs: 0, severity: 'warning' });
    h.at(0, [c]);
    assert.equal(h.service.snooze('k', 60 * 60_000, 'telegram:42'), 'ok');
    assert.deepEqual(h.at(59 * 60_000, [c]), []);
    assert.deepEqual(h.at(60_000, [c]), ['renotify(snooze-ended):k']);
    assert.deepEqual(h.at(60_000, [c]), []);
    assert.equal(h.service.active()[0]?.snoozedUntil, undefined);
  });
});

describe('flap damping', () => {
  test('after 3 raises in the window it is held raised until stable', () => {
    const h = harness();
    const c = cond('k', { holdMs: 0, resolveHoldMs: 0 });
    const seen: string[] = [];
    for (let i = 0; i < 3; i++) {
      seen.push(...h.at(60_000, [c]), ...h.at(60_000, []));
    }
    assert.deepEqual(seen, ['raise:k', 'resolve:k', 'raise:k', 'resolve:k', 'raise:k', 'update(flapping):k']);
    assert.deepEqual(h.at(60_000, [c]), [], 'still the same raised alert');
    assert.deepEqual(h.at(60_000, []), []);
    assert.deepEqual(h.at(9 * 60_000, []), []);
    assert.deepEqual(h.at(60_000, []), ['resolve:k']);
  });
  test('raises spread wider than the window do not count as flapping', () => {
    const h = harness();
    const c = cond('k', { holdMs: 0, resolveHoldMs: 0 });
    const seen: string[] = [];
    for (let i = 0; i < 4; i++) seen.push(...h.at(40 * 60_000, [c]), ...h.at(60_000, []));
    assert.ok(!seen.some((s) => s.includes('flapping')), seen.join());
  });
});

describe('backend reachability and dependencies', () => {
  test("unreachable is its own alert after its hold; the backend's alerts stay frozen; recovery resolves it", () => {
    const h = harness();
    h.at(0, [cond('k', { holdMs: 0 })]);
    assert.deepEqual(h.down(1000), []);
    assert.deepEqual(h.down(60_000), []);
    assert.deepEqual(h.down(60_000), ['raise:backend:nut:unreachable']);
    assert.deepEqual(h.down(10 * 60_000), [], 'k is not resolved just because we cannot see it');
    assert.deepEqual(h.at(1000, [cond('k', { holdMs: 0 })]), ['resolve:backend:nut:unreachable']);
    const unreachable = h.service.outbox
      .list()
      .find((r) => r.payload.type === 'alert' && r.payload.event.alert.key === 'backend:nut:unreachable');
    assert.ok(unreachable?.payload.type === 'alert');
    assert.match(String(unreachable.payload.event.alert.params.detail), /ECONNREFUSED/);
  });
  test('alerts that depend on a down backend are suppressed until it is back', () => {
    const h = harness();
    const dep = cond('guest:100:stopped', { holdMs: 0, source: 'guest', dependsOn: 'proxmox' });
    h.down(0, 'proxmox');
    assert.deepEqual(h.at(1000, [dep], 'omv'), []);
    assert.deepEqual(h.at(10 * 60_000, [dep], 'omv'), []);
    h.at(0, [], 'proxmox');
    assert.deepEqual(h.at(1000, [dep], 'omv'), ['raise:guest:100:stopped']);
  });
  test('a backend that depends on a down backend does not raise its own unreachable alert', () => {
    const h = harness();
    h.down(0, 'proxmox');
    for (let i = 0; i < 5; i++)
      assert.deepEqual(
        h.down(60_000, 'omv', 'proxmox').filter((e) => e.includes('omv')),
        [],
      );
  });
});

describe('mutes', () => {
  test('muted alerts are recorded but silent; announced when the mute ends if they still hold', () => {
    const h = harness();
    h.service.mute('ups', 60 * 60_000, 'telegram:42');
    assert.deepEqual(h.at(0, [cond('k', { holdMs: 0 })]), []);
    assert.equal(h.service.active().length, 1);
    assert.deepEqual(h.at(30 * 60_000, [cond('k', { holdMs: 0 }), cond('j', { holdMs: 0, resolveHoldMs: 0 })]), []);
    assert.deepEqual(h.at(60_000, [cond('k', { holdMs: 0 })]), [], 'j resolved silently while muted');
    assert.deepEqual(h.at(30 * 60_000, [cond('k', { holdMs: 0 })]), ['raise(after-mute):k']);
  });
  test('a mute by backend name works too, and unmute ends it', () => {
    const h = harness();
    h.service.mute('nut', 60 * 60_000, 'telegram:42');
    assert.deepEqual(h.at(0, [cond('k', { holdMs: 0 })]), []);
    assert.equal(h.service.unmute('nut'), true);
    assert.deepEqual(h.at(1000, [cond('k', { holdMs: 0 })]), ['raise(after-mute):k']);
  });
});

describe('restart', () => {
  test('no re-raise of recorded alerts, resolve of those gone while offline, new ones marked atStart', () => {
    const h = harness([{ destination: 'telegram:1' }], {}, ':memory:');
    h.at(0, []);
    h.at(1000, [cond('kept', { holdMs: 0 }), cond('gone', { holdMs: 0 })]);
    h.restart();
    assert.deepEqual(h.at(5 * 60_000, [cond('kept', { holdMs: 0 }), cond('new', { holdMs: 0 })]).sort(), [
      'raise:new',
      'resolve(while-offline):gone',
    ]);
    assert.equal(h.service.active().find((a) => a.key === 'new')?.atStart, true);
    assert.equal(h.service.active().find((a) => a.key === 'kept')?.atStart, undefined);
    assert.deepEqual(h.at(1000, [cond('kept', { holdMs: 0 }), cond('new', { holdMs: 0 }), cond('later', { holdMs: 0 })]), ['raise:later']);
    assert.equal(h.service.active().find((a) => a.key === 'later')?.atStart, undefined);
  });
  test('re-notify timing survives a restart', () => {
    const h = harness();
    h.at(0, [cond('k', { holdMs: 0 })]);
    h.at(20 * 60_000, [cond('k', { holdMs: 0 })]);
    h.restart();
    assert.deepEqual(h.at(5 * 60_000, [cond('k', { holdMs: 0 })]), []);
    assert.deepEqual(h.at(5 * 60_000, [cond('k', { holdMs: 0 })]), ['renotify(interval):k']);
  });
});

describe('routing into the outbox', () => {
  test('bindings filter by source and severity; one row per chat and event', () => {
    const h = harness([
      { destination: 'telegram:1' },
      { destination: 'discord:2', sources: ['raid'] },
      { destination: 'telegram:3', minSeverity: 'critical' },
    ]);
    h.at(0, [cond('u', { holdMs: 0 }), cond('r', { holdMs: 0, source: 'raid', severity: 'warning' })]);
    const rows = h.service.outbox.list().map((r) => `${r.destination}:${r.payload.type === 'alert' ? r.payload.event.alert.key : ''}`);
    assert.deepEqual(rows.sort(), ['discord:2:r', 'telegram:1:r', 'telegram:1:u', 'telegram:3:u']);
  });
  test('state and outbox rows commit together: a failing enqueue rolls the state back', () => {
    const h = harness();
    h.db.exec("CREATE TRIGGER boom BEFORE INSERT ON alert_outbox BEGIN SELECT RAISE(ABORT, 'disk full'); END");
    assert.throws(() => h.at(0, [cond('k', { holdMs: 0 })]), /disk full/);
    assert.deepEqual(h.service.active(), []);
    h.db.exec('DROP TRIGGER boom');
    assert.deepEqual(h.at(0, [cond('k', { holdMs: 0 })]), ['raise:k']);
  });
  void W;
});
