/** The command benchmark polls the demo's backends at the product's defaults (bench/lib/app.ts). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { householdPolling } from '../../bench/lib/app.ts';
import { validateConfig } from '../../src/core/config.ts';

test('householdPolling drops every pollSeconds, however deep, so the defaults apply; nothing else changes', () => {
  const demo = {
    nut: { host: '127.0.0.1', port: 3493, ups: 'ups', pollSeconds: 1 },
    alerts: { offsite: { ssh: { host: '127.0.0.1', user: 'b' }, command: 'x', windowHours: 26, pollSeconds: 10 } },
    list: [{ pollSeconds: 3, keep: 1 }],
  };
  assert.deepEqual(householdPolling(demo), {
    nut: { host: '127.0.0.1', port: 3493, ups: 'ups' },
    alerts: { offsite: { ssh: { host: '127.0.0.1', user: 'b' }, command: 'x', windowHours: 26 } },
    list: [{ keep: 1 }],
  });
  assert.equal(demo.nut.pollSeconds, 1, 'the demo config itself is left as it was');
  const parsed = validateConfig({ database: ':memory:', nut: householdPolling(demo).nut });
  assert.ok(parsed.ok);
  assert.equal(parsed.config.nut?.pollSeconds, 2, "the UPS at the product's default");
});
