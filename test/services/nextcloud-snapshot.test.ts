import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeNextcloud } from '../../src/demo/nextcloud.ts';
import { NextcloudClient, type NextcloudStatus } from '../../src/services/nextcloud/client.ts';
import { nextcloudFetcher, type NextcloudSnapshot } from '../../src/services/nextcloud/poller.ts';
import { nextcloudConditions, NEXTCLOUD_ALERT_KEYS } from '../../src/services/nextcloud/alerts.ts';

const status = (over: Partial<NextcloudStatus> = {}): NextcloudSnapshot => ({
  status: {
    installed: true,
    maintenance: false,
    needsDbUpgrade: false,
    version: '30.0.4.1',
    versionString: '30.0.4',
    productName: 'Nextcloud',
    ...over,
  },
});

describe('Nextcloud snapshot fetch', () => {
  test('status + serverinfo; maintenance skips serverinfo; revoked password keeps status', async (t) => {
    const fake = await startFakeNextcloud({ appPassword: 'app-pw' });
    const client = new NextcloudClient({ baseUrl: fake.url, username: 'admin', appPassword: 'app-pw' });
    t.after(async () => {
      await client.close();
      await fake.close();
    });
    const fetch = nextcloudFetcher(client);
    const full = await fetch();
    assert.ok(full.ok && full.value.server?.users === 4 && full.value.serverError === undefined);
    fake.setMaintenance(true);
    const before = fake.requests.length;
    const m = await fetch();
    assert.ok(m.ok && m.value.status.maintenance && m.value.server === undefined && m.value.serverError === undefined);
    assert.equal(fake.requests.length - before, 1, 'only status.php was asked');
    fake.setMaintenance(false);
    fake.revokeAppPassword();
    const partial = await fetch();
    assert.ok(partial.ok && partial.value.serverError?.kind === 'auth');
    fake.setBroken(true);
    const down = await fetch();
    assert.equal(down.ok, false);
  });
});

describe('Nextcloud rules', () => {
  test('healthy: nothing', () => assert.deepEqual(nextcloudConditions(status()), []));

  test('maintenance: warning after a 15 minute hold by default', () => {
    const [c, ...rest] = nextcloudConditions(status({ maintenance: true }));
    assert.deepEqual(rest, []);
    assert.equal(c?.key, 'nextcloud:maintenance');
    assert.equal(c?.severity, 'warning');
    assert.equal(c?.source, 'cloud');
    assert.equal(c?.holdMs, 15 * 60_000);
    assert.equal(c?.summaryKey, NEXTCLOUD_ALERT_KEYS.maintenance);
    assert.deepEqual(c?.params, { version: '30.0.4' });
  });

  test('needs DB upgrade: warning; both at once give two conditions', () => {
    const cs = nextcloudConditions(status({ maintenance: true, needsDbUpgrade: true }), { maintenanceHoldMs: 0, backend: 'cloud1' });
    assert.deepEqual(
      cs.map((c) => c.key),
      ['cloud1:maintenance', 'cloud1:db_upgrade'],
    );
    assert.ok(cs.every((c) => c.severity === 'warning' && c.dependsOn === 'cloud1'));
  });

  test('not installed: warning', () => {
    assert.deepEqual(
      nextcloudConditions(status({ installed: false })).map((c) => c.key),
      ['nextcloud:not_installed'],
    );
  });
});
