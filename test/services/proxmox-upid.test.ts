import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatUpid, parseUpid } from '../../src/services/proxmox/upid.ts';

describe('parseUpid', () => {
  const cases: [string, string, ReturnType<typeof parseUpid>][] = [
    [
      'token user, qmstart',
      'UPID:pve1:000A1B2C:0123ABCD:6745F0A1:qmstart:100:root@pam!bot:',
      {
        node: 'pve1',
        pid: 0xa1b2c,
        pstart: 0x123abcd,
        starttime: 0x6745f0a1,
        type: 'qmstart',
        id: '100',
        user: 'root@pam!bot',
      },
    ],
    [
      'multi-guest vzdump has an empty id',
      'UPID:proxmox1:00001F40:0123ABCD:6745F0A1:vzdump::root@pam:',
      {
        node: 'proxmox1',
        pid: 0x1f40,
        pstart: 0x123abcd,
        starttime: 0x6745f0a1,
        type: 'vzdump',
        id: '',
        user: 'root@pam',
      },
    ],
    [
      '9-digit pstart',
      'UPID:proxmox1:00001F40:1123ABCDE:6745F0A1:vzshutdown:101:root@pam:',
      {
        node: 'proxmox1',
        pid: 0x1f40,
        pstart: 0x1123abcde,
        starttime: 0x6745f0a1,
        type: 'vzshutdown',
        id: '101',
        user: 'root@pam',
      },
    ],
    ['missing trailing colon', 'UPID:pve1:000A1B2C:0123ABCD:6745F0A1:qmstart:100:root@pam', undefined],
    ['not hex', 'UPID:pve1:000A1B2X:0123ABCD:6745F0A1:qmstart:100:root@pam:', undefined],
    ['not a UPID', 'hello', undefined],
    ['empty', '', undefined],
  ];
  for (const [name, input, expected] of cases) {
    test(name, () => assert.deepEqual(parseUpid(input), expected));
  }

  test('formatUpid is the inverse of parseUpid', () => {
    const text = 'UPID:proxmox1:000A1B2C:0123ABCD:6745F0A1:vzdump:101:root@pam!bot:';
    const u = parseUpid(text);
    assert.ok(u);
    assert.equal(formatUpid(u), text);
  });
});
