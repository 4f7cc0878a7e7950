import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRouterOsDuration } from '../../src/services/routeros/duration.ts';
import { inSubnet, ipv4ToNumber } from '../../src/services/routeros/network.ts';
import { routerOsError } from '../../src/services/routeros/client.ts';
import { formatDuration } from '../../src/demo/routeros.ts';

describe('parseRouterOsDuration', () => {
  const table: [string | undefined, number | undefined][] = [
    ['1m5s', 65],
    ['5s', 5],
    ['3d4h12m5s', 3 * 86400 + 4 * 3600 + 12 * 60 + 5],
    ['1w2d', 9 * 86400],
    ['350ms', 0.35],
    ['1s500ms', 1.5],
    ['00:01:05', 65],
    ['3d02:03:04', 3 * 86400 + 2 * 3600 + 3 * 60 + 4],
    ['never', undefined],
    ['', undefined],
    [undefined, undefined],
    ['5 minutes', undefined],
    ['1m5x', undefined],
  ];
  for (const [input, expected] of table) {
    test(`GIVEN ${JSON.stringify(input)} THEN ${String(expected)}`, () => {
      const got = parseRouterOsDuration(input);
      if (expected === undefined) assert.equal(got, undefined);
      else assert.ok(got !== undefined && Math.abs(got - expected) < 1e-9, `got ${got}`);
    });
  }

  test('formatDuration round-trips through the parser', () => {
    for (const s of [0, 1, 59, 65, 3600, 90061, 694861]) assert.equal(parseRouterOsDuration(formatDuration(s)), s);
  });
});

describe('subnets', () => {
  test('ipv4ToNumber', () => {
    assert.equal(ipv4ToNumber('10.1.1.1'), 0x0a010101);
    assert.equal(ipv4ToNumber('256.1.1.1'), undefined);
    assert.equal(ipv4ToNumber('1.2.3'), undefined);
    assert.equal(ipv4ToNumber('a.b.c.d'), undefined);
  });
  const table: [string, string, boolean][] = [
    ['10.1.1.23', '10.1.1.0/24', true],
    ['10.1.2.23', '10.1.1.0/24', false],
    ['192.168.1.6', '192.168.1.0/24', true],
    ['192.168.100.2/32', '192.168.100.0/24', true],
    ['192.168.100.2', '192.168.1.0/24', false],
    ['8.8.8.8', '0.0.0.0/0', true],
    ['10.1.1.1', '10.1.1.1', true],
    ['10.1.1.1', '10.1.1.0/33', false],
    ['garbage', '10.1.1.0/24', false],
  ];
  for (const [ip, cidr, expected] of table) {
    test(`${ip} in ${cidr} → ${expected}`, () => assert.equal(inSubnet(ip, cidr), expected));
  }
});

describe('routerOsError', () => {
  test('the secret sent is redacted from the router detail', () => {
    const e = routerOsError(
      400,
      JSON.stringify({ error: 400, message: 'Bad Request', detail: 'bad value hunter2-secret' }),
      'interface/wifi/*5',
      'hunter2-secret',
    );
    assert.equal(e.kind, 'rejected');
    assert.doesNotMatch(e.detail, /hunter2/);
  });
  test('a non-JSON error body still maps by status', () => {
    assert.equal(routerOsError(401, '<html>', 'x').kind, 'auth');
    assert.equal(routerOsError(502, '<html>', 'x').kind, 'protocol');
    assert.equal(routerOsError(400, '<html>', 'x').detail, 'the router refused (HTTP 400)');
  });
});
