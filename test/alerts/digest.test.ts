import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../../src/core/logger.ts';
import { buildDigest, scheduleDigest } from '../../src/alerts/digest.ts';
import { waitFor } from '../support/real-server.ts';

const GOOD = {
  backups: { ok: ['nas', 'docker'], failed: [], missing: [] },
  raid: [{ name: 'md0', state: 'clean', healthy: true }],
  disks: [{ name: 'sda', healthy: true, usedPercent: 41 }],
  ups: { charge: 100, runtimeSeconds: 3300, replaceBattery: false, onMains: true },
  updates: [{ host: 'proxmox1', count: 3 }],
};

describe('daily digest', () => {
  test('all good when every section is fine and nothing is raised', () => {
    const d = buildDigest(GOOD, 1000, 0);
    assert.equal(d.allGood, true);
    assert.deepEqual(
      d.sections.map((s) => s.name),
      ['backups', 'raid', 'disks', 'ups', 'updates'],
    );
    assert.equal(d.at, 1000);
  });
  const bad: [string, object, string][] = [
    ['a failed backup', { backups: { ok: [], failed: [{ guest: 'nas', at: 1 }], missing: [] } }, 'backups'],
    ['a missed backup', { backups: { ok: [], failed: [], missing: ['docker'] } }, 'backups'],
    ['a degraded array', { raid: [{ name: 'md0', state: 'degraded', healthy: false }] }, 'raid'],
    ['a failing disk', { disks: [{ name: 'sdb', healthy: false, detail: 'Reallocated_Sector_Ct 12' }] }, 'disks'],
    ['an old UPS battery', { ups: { replaceBattery: true, onMains: true } }, 'ups'],
    ['security updates', { updates: [{ host: 'docker', count: 4, security: 2 }] }, 'updates'],
  ];
  for (const [name, patch, section] of bad) {
    test(`${name} marks ${section} and the digest as not good`, () => {
      const d = buildDigest({ ...GOOD, ...patch }, 0);
      assert.equal(d.allGood, false);
      assert.deepEqual(
        d.sections.filter((s) => !s.ok).map((s) => s.name),
        [section],
      );
    });
  }
  test('missing data leaves the section out instead of calling it fine; active alerts spoil "all good"', () => {
    const d = buildDigest({ ups: GOOD.ups }, 0, 2);
    assert.deepEqual(
      d.sections.map((s) => s.name),
      ['ups'],
    );
    assert.equal(d.allGood, false);
  });
  test('schedule: invalid cron is refused; a valid one runs', async () => {
    assert.throws(() => scheduleDigest('61 25 * * *', 'UTC', () => {}, silentLogger()), /not a valid cron/);
    let runs = 0;
    const s = scheduleDigest('* * * * * *', 'Europe/Madrid', () => void runs++, silentLogger());
    try {
      await waitFor(() => runs > 0, { timeoutMs: 3000, what: 'cron run' });
    } finally {
      s.stop();
    }
  });
});
