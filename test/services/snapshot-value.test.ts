import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serviceError } from '../../src/core/errors.ts';
import { snapshotAt, snapshotValue, type Snapshot } from '../../src/services/poller.ts';

const error = serviceError('omv', 'unreachable', 'connection refused');
const cases: { name: string; snap: Snapshot<string> | undefined; value: string | undefined; at: number | undefined }[] = [
  { name: 'no poller', snap: undefined, value: undefined, at: undefined },
  { name: 'never read', snap: { status: 'never' }, value: undefined, at: undefined },
  { name: 'fresh', snap: { status: 'ok', value: 'now', at: 20 }, value: 'now', at: 20 },
  {
    name: 'failed after a good read',
    snap: { status: 'failed', error, since: 30, last: { value: 'before', at: 10 } },
    value: 'before',
    at: 10,
  },
  { name: 'failed from the start', snap: { status: 'failed', error, since: 30 }, value: undefined, at: undefined },
];

for (const c of cases) {
  test(`snapshotValue/snapshotAt: ${c.name}`, () => {
    assert.equal(snapshotValue(c.snap), c.value);
    assert.equal(snapshotAt(c.snap), c.at);
  });
}
