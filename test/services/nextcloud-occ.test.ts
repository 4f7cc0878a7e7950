/**
 * NextcloudOcc: pure quoting/parsing tables, then the real thing — SshRunner against a real
 * OpenSSH sshd on 127.0.0.1 whose command prefix points at a script that behaves like occ
 * (test/support/fake-occ.ts).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { SshRunner } from '../../src/services/ssh.ts';
import {
  NextcloudOcc,
  isSafeUserId,
  occCommand,
  parseMaintenance,
  parseScanTable,
  shellQuote,
  type OccRunner,
} from '../../src/services/nextcloud/occ.ts';
import { ok } from '../../src/core/errors.ts';
import { requireBinary } from '../support/real-server.ts';
import { SSHD, startSshd, type TestSshd } from '../support/sshd.ts';
import { createFakeOcc, type FakeOcc } from '../support/fake-occ.ts';

const SCAN_OUTPUT = [
  'Starting scan for user 1 out of 1 (ana)',
  '+---------+-------+-----+---------+---------+--------+--------------+',
  '| Folders | Files | New | Updated | Removed | Errors | Elapsed time |',
  '+---------+-------+-----+---------+---------+--------+--------------+',
  '| 3       | 12    | 0   | 0       | 0       | 0      | 00:00:01     |',
  '+---------+-------+-----+---------+---------+--------+--------------+',
].join('\n');

describe('occ arguments and output (pure)', () => {
  const ids: [string, boolean][] = [
    ['ana', true],
    ['lucia.garcia', true],
    ['pablo@thehomelab.site', true],
    ['user_2-b', true],
    ['', false],
    ['-rf', false],
    ['--all', false],
    ['ana lucia', false],
    ["o'brien", false],
    ['ana;reboot', false],
    ['$(id)', false],
    ['`id`', false],
    ['a/b', false],
    ['ana\n', false],
    ['x'.repeat(65), false],
  ];
  for (const [id, safe] of ids)
    test(`user id ${JSON.stringify(id)} → ${safe ? 'accepted' : 'refused'}`, () => assert.equal(isSafeUserId(id), safe));

  test('shellQuote wraps in single quotes and escapes embedded ones', () => {
    assert.equal(shellQuote('ana'), "'ana'");
    assert.equal(shellQuote("it's"), "'it'\\''s'");
    assert.equal(occCommand('  php occ ', ['files:scan', '--', 'ana']), "php occ 'files:scan' '--' 'ana'");
  });

  test('maintenance output in every wording', () => {
    assert.equal(parseMaintenance('Maintenance mode is currently enabled\n'), true);
    assert.equal(parseMaintenance('Maintenance mode is currently disabled\n'), false);
    assert.equal(parseMaintenance('Maintenance mode enabled\n'), true);
    assert.equal(parseMaintenance('Maintenance mode already disabled\n'), false);
    assert.equal(parseMaintenance('Could not open input file: occ\n'), undefined);
  });

  test('files:scan tables, new and old layouts', () => {
    assert.deepEqual(parseScanTable(SCAN_OUTPUT), { folders: 3, files: 12, errors: 0, elapsed: '00:00:01' });
    const old = [
      '+---------+-------+--------------+',
      '| Folders | Files | Elapsed time |',
      '+---------+-------+--------------+',
      '| 1       | 2     | 00:00:00     |',
      '+---------+-------+--------------+',
    ].join('\n');
    assert.deepEqual(parseScanTable(old), { folders: 1, files: 2, errors: null, elapsed: '00:00:00' });
    assert.equal(parseScanTable('no table here'), undefined);
  });

  test('a hostile user id never reaches the runner', async () => {
    const seen: string[] = [];
    const runner: OccRunner = {
      run: async (c) => {
        seen.push(c);
        return ok({ stdout: '', stderr: '', code: 0 });
      },
    };
    const occ = new NextcloudOcc({ runner, commandPrefix: 'php occ' });
    for (const bad of ["ana'; reboot; echo '", '$(rm -rf /)', '--all', 'a b']) {
      const r = await occ.filesScan(bad);
      assert.equal(r.ok, false);
      assert.equal(!r.ok && r.error.kind, 'rejected');
    }
    assert.deepEqual(seen, []);
  });
});

describe('NextcloudOcc over a real sshd', () => {
  let sshd: TestSshd | undefined;
  let fakeOcc: FakeOcc | undefined;
  let dir = '';
  const runners: SshRunner[] = [];
  const occ = (over: { hostKey?: string; prefix?: string } = {}): NextcloudOcc => {
    if (!sshd) throw new Error('sshd not started');
    const runner = new SshRunner({
      host: sshd.host,
      port: sshd.port,
      username: sshd.username,
      privateKeyPath: sshd.clientKeyPath,
      hostKey: over.hostKey ?? sshd.hostKey,
      timeoutMs: 5000,
      service: 'nextcloud',
    });
    runners.push(runner);
    return new NextcloudOcc({ runner, commandPrefix: over.prefix ?? join(dir, 'occ') });
  };
  const argv = (): string[] => fakeOcc?.argv() ?? [];

  before(async () => {
    try {
      execFileSync('test', ['-x', SSHD]);
    } catch {
      return;
    }
    sshd = await startSshd();
    fakeOcc = createFakeOcc();
    dir = fakeOcc.dir;
  });
  after(async () => {
    for (const r of runners) await r.close();
    await sshd?.close();
    fakeOcc?.close();
  });

  test('maintenance on/off round trip, with "already" reported as unchanged', async (t) => {
    if (!requireBinary(t, SSHD, 'openssh-server')) return;
    const o = occ();
    assert.deepEqual(await o.maintenanceStatus(), { ok: true, value: false });
    assert.deepEqual(await o.maintenance(true), { ok: true, value: { enabled: true, changed: true } });
    assert.deepEqual(await o.maintenance(true), { ok: true, value: { enabled: true, changed: false } });
    assert.deepEqual(await o.maintenanceStatus(), { ok: true, value: true });
    assert.deepEqual(await o.maintenance(false), { ok: true, value: { enabled: false, changed: true } });
    assert.equal(fakeOcc?.maintenance(), 'off');
  });

  test('files:scan returns the summary; the user arrives as one argument after --', async (t) => {
    if (!requireBinary(t, SSHD, 'openssh-server')) return;
    const r = await occ().filesScan('ana');
    assert.deepEqual(r, { ok: true, value: { user: 'ana', folders: 3, files: 12, errors: 0, elapsed: '00:00:01' } });
    assert.equal(argv().at(-1), '[files:scan][--no-ansi][--no-interaction][--][ana]');
  });

  test('files:scan for an unknown user is rejected', async (t) => {
    if (!requireBinary(t, SSHD, 'openssh-server')) return;
    const r = await occ().filesScan('nobody');
    assert.equal(r.ok, false);
    assert.match(!r.ok ? r.error.detail : '', /unknown user nobody/);
  });

  test('files:scan is refused while maintenance mode is on (and occ is not even asked to scan)', async (t) => {
    if (!requireBinary(t, SSHD, 'openssh-server')) return;
    const o = occ();
    await o.maintenance(true);
    const before = argv().length;
    const r = await o.filesScan('ana');
    assert.equal(r.ok, false);
    assert.match(!r.ok ? r.error.detail : '', /maintenance mode is on/);
    assert.ok(
      argv()
        .slice(before)
        .every((l) => !l.startsWith('[files:scan]')),
    );
    await o.maintenance(false);
  });

  test('quoting holds against a real remote shell: metacharacters arrive as literal words', async (t) => {
    if (!requireBinary(t, SSHD, 'openssh-server')) return;
    const marker = join(dir, 'pwned');
    const runner = new SshRunner({
      host: sshd!.host,
      port: sshd!.port,
      username: sshd!.username,
      privateKeyPath: sshd!.clientKeyPath,
      hostKey: sshd!.hostKey,
      timeoutMs: 5000,
    });
    runners.push(runner);
    const words = ['a b', "it's", `$(touch ${marker})`, `\`touch ${marker}\``, '; touch x', '*', '\\n'];
    const out = await runner.run(occCommand(join(dir, 'occ'), ['noop', ...words]));
    assert.ok(out.ok && out.value.code === 1, 'unknown command exits 1');
    assert.equal(argv().at(-1), `[noop]${words.map((w) => `[${w}]`).join('')}`);
    assert.equal(existsSync(marker), false, 'nothing was executed');
  });

  test('an unusable prefix is reported with the reason', async (t) => {
    if (!requireBinary(t, SSHD, 'openssh-server')) return;
    const r = await occ({ prefix: join(dir, 'missing-occ') }).maintenanceStatus();
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.error.kind, 'protocol');
    assert.match(!r.ok ? r.error.detail : '', /occ failed \(exit 127\)/);
  });

  test('a wrong host key pin stops before anything runs', async (t) => {
    if (!requireBinary(t, SSHD, 'openssh-server')) return;
    const before = argv().length;
    const r = await occ({ hostKey: `SHA256:${'A'.repeat(43)}` }).maintenance(true);
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.error.kind, 'unreachable');
    assert.match(!r.ok ? r.error.detail : '', /host key/);
    assert.equal(argv().length, before);
  });
});
