import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { errorFromReply, quote, tokenize } from '../../src/services/nut/protocol.ts';
import { toUpsState } from '../../src/services/nut/state.ts';
import { upsConditions } from '../../src/services/nut/alerts.ts';

describe('NUT protocol tokenizer', () => {
  const cases: [string, string[] | null][] = [
    ['VAR ups ups.status "OL CHRG"', ['VAR', 'ups', 'ups.status', 'OL CHRG']],
    ['UPS fakeups "Fake UPS for bot tests"', ['UPS', 'fakeups', 'Fake UPS for bot tests']],
    ['VAR u x "say \\"hi\\" \\\\ there"', ['VAR', 'u', 'x', 'say "hi" \\ there']],
    ['VAR u x ""', ['VAR', 'u', 'x', '']],
    ['ERR DATA-STALE', ['ERR', 'DATA-STALE']],
    ['  BEGIN   LIST UPS ', ['BEGIN', 'LIST', 'UPS']],
    ['VAR u x "unterminated', null],
  ];
  for (const [line, want] of cases) {
    test(`tokenize ${JSON.stringify(line)}`, () => assert.deepEqual(tokenize(line), want));
  }
  test('quote round-trips through tokenize', () => {
    for (const v of ['plain', 'with space', 'q"uote', 'back\\slash', '']) {
      assert.deepEqual(tokenize(`X ${quote(v)}`), ['X', v]);
    }
  });
});

describe('ERR codes map to ServiceError kinds', () => {
  const cases: [string, string][] = [
    ['UNKNOWN-UPS', 'rejected'],
    ['DRIVER-NOT-CONNECTED', 'unreachable'],
    ['DATA-STALE', 'unreachable'],
    ['ACCESS-DENIED', 'auth'],
    ['UNKNOWN-COMMAND', 'protocol'],
    ['VAR-NOT-SUPPORTED', 'rejected'],
  ];
  for (const [code, kind] of cases) {
    test(code, () => {
      const e = errorFromReply('nut', ['ERR', code], 'LIST VAR ups');
      assert.equal(e.kind, kind);
      assert.equal(e.service, 'nut');
      assert.match(e.detail, new RegExp(code));
    });
  }
});

describe('UPS rules', () => {
  const state = (status: string, extra: Record<string, string> = {}) =>
    toUpsState('ups', { 'ups.status': status, 'battery.charge': '87', 'battery.runtime': '1620', 'ups.load': '23', ...extra });
  const keys = (status: string) =>
    upsConditions(state(status))
      .map((c) => c.key.split(':')[2])
      .sort();

  test('typed state', () => {
    const s = state('OL CHRG', { 'input.voltage': '229.8', 'ups.mfr': 'PowerWalker', 'ups.model': 'VI 1000 STL' });
    assert.deepEqual([...s.status].sort(), ['CHRG', 'OL']);
    assert.equal(s.charge, 87);
    assert.equal(s.runtimeSeconds, 1620);
    assert.equal(s.load, 23);
    assert.equal(s.inputVoltage, 229.8);
    assert.equal(s.model, 'PowerWalker VI 1000 STL');
    assert.equal(toUpsState('u', { 'battery.charge': 'n/a' }).charge, undefined);
  });

  const table: [string, string[]][] = [
    ['OL', []],
    ['OL CHRG', []],
    ['OB DISCHRG', ['on_battery']],
    ['OB LB', ['low_battery', 'on_battery']],
    ['LB OB', ['low_battery', 'on_battery']],
    ['FSD', ['low_battery', 'on_battery']],
    ['OL RB', ['replace_battery']],
    ['OL OVER', ['overload']],
    ['OL WAIT SOMETHINGNEW', []],
  ];
  for (const [status, want] of table)
    test(`status "${status}" → ${want.join(',') || 'nothing'}`, () => assert.deepEqual(keys(status), want));

  test('on battery is critical, carries charge/runtime/load and the shutdown action, raised at once', () => {
    const [c] = upsConditions(state('OB DISCHRG'));
    assert.ok(c);
    assert.equal(c.severity, 'critical');
    assert.equal(c.source, 'ups');
    assert.deepEqual(c.params, { ups: 'ups', charge: 87, runtime: 1620, load: 23 });
    assert.equal(c.holdMs, 0);
    assert.equal(c.action?.command, 'powercut');
    assert.equal(upsConditions(state('OL RB'))[0]?.severity, 'warning');
  });
});
