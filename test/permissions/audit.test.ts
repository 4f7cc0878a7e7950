import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dm, world } from './helpers.ts';
import { AuditLog, redact } from '../../src/permissions/audit.ts';

describe('audit log', () => {
  test('redacts secret-looking keys at any depth, keeps the rest', () => {
    assert.deepEqual(
      redact({
        password: 'p',
        apiToken: 't',
        SECRET: 's',
        sshKey: 'k',
        domain: 'example.org',
        nested: { passphrase: 'x', n: 1 },
        list: [{ token: 'y' }],
      }),
      {
        password: '[redacted]',
        apiToken: '[redacted]',
        SECRET: '[redacted]',
        sshKey: '[redacted]',
        domain: 'example.org',
        nested: { passphrase: '[redacted]', n: 1 },
        list: [{ token: '[redacted]' }],
      },
    );
  });

  test('stored rows never contain the secret values', () => {
    const w = world();
    const audit = new AuditLog(w.db);
    audit.record({
      at: 1,
      identity: 'telegram:1',
      chat: dm(),
      command: 'wifi-password',
      args: { newPassword: 'hunter22', ssid: 'Guests' },
      result: 'ok',
    });
    const raw = JSON.stringify(w.db.prepare('SELECT * FROM audit_log').all());
    assert.equal(raw.includes('hunter22'), false);
    assert.ok(raw.includes('Guests'));
  });

  test('filters by person (all linked identities), service, and limit, newest first', () => {
    const w = world();
    const audit = new AuditLog(w.db, { serviceOf: (c) => (c.startsWith('vm') ? 'proxmox' : c === 'allow' ? 'pihole' : undefined) });
    const ana = w.person('telegram:30', 'family', 'Ana');
    w.people.attach(ana.personId, 'discord:30', 'Ana');
    audit.record({ at: 10, identity: 'telegram:30', chat: dm('30'), command: 'allow', args: { domain: 'a.org' }, result: 'ok' });
    audit.record({
      at: 20,
      identity: 'discord:30',
      chat: 'discord:private:30',
      command: 'vm-start',
      args: { vmid: '101' },
      result: 'denied',
    });
    audit.record({ at: 30, identity: 'telegram:1', chat: dm('1'), command: 'vm-stop', args: {}, result: 'ok' });
    audit.record({ at: 40, identity: 'telegram:1', chat: dm('1'), command: 'grant', args: {}, result: 'ok', service: 'permissions' });

    assert.deepEqual(
      audit.query({ identity: 'telegram:30' }).map((r) => r.at),
      [20, 10],
    );
    assert.deepEqual(
      audit.query({ personId: ana.personId }).map((r) => r.at),
      [20, 10],
    );
    assert.equal(audit.query({ identity: 'telegram:30' })[0]?.person, 'Ana');
    assert.deepEqual(
      audit.query({ service: 'proxmox' }).map((r) => r.command),
      ['vm-stop', 'vm-start'],
    );
    assert.deepEqual(
      audit.query({ service: 'permissions' }).map((r) => r.command),
      ['grant'],
    );
    assert.deepEqual(
      audit.query({ limit: 2 }).map((r) => r.at),
      [40, 30],
    );
    assert.deepEqual(
      audit.query({ before: 30 }).map((r) => r.at),
      [20, 10],
    );
    assert.deepEqual(
      audit.query({ result: 'denied' }).map((r) => r.at),
      [20],
    );
    assert.equal(audit.query({ identity: 'telegram:404' }).length, 0);
  });

  test('a service filter also matches entries of its commands stored without a service', () => {
    const w = world();
    const audit = new AuditLog(w.db);
    audit.record({ at: 1, identity: 'telegram:1', chat: dm(), command: 'allow', result: 'ok' });
    audit.record({ at: 2, identity: 'telegram:1', chat: dm(), command: 'vm-start', result: 'ok' });
    audit.record({ at: 3, identity: 'telegram:1', chat: dm(), command: 'block', result: 'ok', service: 'pihole' });
    audit.record({ at: 4, identity: 'telegram:1', chat: dm(), command: 'allow', result: 'ok', service: 'other' });
    assert.deepEqual(
      audit.query({ service: 'pihole', serviceCommands: ['allow', 'block'] }).map((r) => r.at),
      [3, 1],
    );
    assert.deepEqual(
      audit.query({ service: 'pihole' }).map((r) => r.at),
      [3],
    );
  });

  test('oversized arguments are truncated, not refused', () => {
    const w = world();
    const audit = new AuditLog(w.db);
    audit.record({ at: 1, identity: 'telegram:1', chat: dm(), command: 'x', args: { text: 'y'.repeat(10_000) }, result: 'ok' });
    const [row] = audit.query({});
    assert.ok(row && JSON.stringify(row.args).length < 2_200);
  });
});
