import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { raidConditions } from '../../src/services/mdadm/alerts.ts';
import { raidHealth } from '../../src/services/mdadm/raid.ts';
import { MdadmSource } from '../../src/services/mdadm/source.ts';
import { SshRunner, sshFingerprint } from '../../src/services/ssh.ts';
import { requireBinary } from '../support/real-server.ts';
import { SSHD, startSshd, type TestSshd } from '../support/sshd.ts';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/mdstat/${name}`, import.meta.url), 'utf8');

describe('mdadm source over a real OpenSSH sshd serving mdstat samples', () => {
  let sshd: TestSshd | undefined;
  const runners: SshRunner[] = [];
  const source = (over: { hostKey?: string; command?: string; detailCommand?: string } = {}): MdadmSource => {
    if (!sshd) throw new Error('sshd not started');
    const ssh = new SshRunner({
      host: sshd.host,
      port: sshd.port,
      username: sshd.username,
      privateKeyPath: sshd.clientKeyPath,
      hostKey: over.hostKey ?? sshd.hostKey,
      service: 'mdadm',
      timeoutMs: 5_000,
    });
    runners.push(ssh);
    return new MdadmSource(ssh, {
      ...(over.command ? { command: over.command } : {}),
      ...(over.detailCommand ? { detailCommand: over.detailCommand } : {}),
    });
  };

  before(async () => {
    try {
      execFileSync('test', ['-x', SSHD]);
    } catch {
      return;
    }
    sshd = await startSshd({ mdstat: fixture('healthy-raid1.txt') });
  });
  after(async () => {
    for (const r of runners) await r.close();
    await sshd?.close();
  });

  test('reads a healthy RAID 1, then the same array degraded, rebuilding and recovered', async (t) => {
    if (!requireBinary(t, SSHD, 'openssh-server') || !sshd) return;
    const src = source();
    const states: string[] = [];
    for (const file of ['healthy-raid1.txt', 'faulty-raid1.txt', 'recovery-raid1.txt', 'healthy-raid1.txt']) {
      sshd.setMdstat(fixture(file));
      const r = await src.arrays();
      assert.ok(r.ok, JSON.stringify(r));
      const md0 = r.value[0];
      assert.ok(md0);
      states.push(
        `${raidHealth(md0)}:${raidConditions(r.value, { host: 'nas', backend: 'mdadm' })
          .map((c) => c.key.split(':').at(-1))
          .join('+')}`,
      );
    }
    assert.deepEqual(states, ['healthy:', 'degraded:degraded', 'rebuilding:degraded+rebuilding', 'healthy:']);
  });

  test('a configurable command (here: a file path) works the same', async (t) => {
    if (!requireBinary(t, SSHD, 'openssh-server')) return;
    const r = await source({ command: `printf '%s' '${fixture('composite.txt').replace(/'/g, "'\\''")}'` }).arrays();
    assert.ok(r.ok);
    assert.deepEqual(
      r.value.map((a) => a.name),
      ['md0', 'md1', 'md2', 'md3', 'md4'],
    );
  });

  test('mdadm --detail through a configurable command', async (t) => {
    if (!requireBinary(t, SSHD, 'openssh-server')) return;
    // Stand-in for `sudo mdadm --detail`: prints the fixture whatever device it is given.
    const detail = `printf '%s' '${fixture('detail-recovering.txt').replace(/'/g, "'\\''")}'; true`;
    const r = await source({ detailCommand: detail }).detail('/dev/md0');
    assert.ok(r.ok, JSON.stringify(r));
    assert.equal(r.value.sync?.percent, 12);
  });

  test('a device name that is not an md device never reaches the shell', async (t) => {
    if (!requireBinary(t, SSHD, 'openssh-server')) return;
    const r = await source().detail('/dev/md0; rm -rf /');
    assert.deepEqual(!r.ok && r.error.kind, 'rejected');
  });

  test('a failing command is rejected with its stderr', async (t) => {
    if (!requireBinary(t, SSHD, 'openssh-server')) return;
    const r = await source({ command: 'cat /nonexistent/mdstat' }).arrays();
    assert.equal(!r.ok && r.error.kind, 'rejected');
    assert.match(!r.ok ? r.error.detail : '', /exit 1\): cat: \/nonexistent\/mdstat: No such file or directory/);
  });

  test('output that is not mdstat is a protocol error', async (t) => {
    if (!requireBinary(t, SSHD, 'openssh-server')) return;
    const r = await source({ command: 'echo hello' }).arrays();
    assert.deepEqual(!r.ok && [r.error.kind, r.error.service], ['protocol', 'mdadm']);
  });

  test('a wrong host key pin is refused before any command runs', async (t) => {
    if (!requireBinary(t, SSHD, 'openssh-server')) return;
    const r = await source({ hostKey: sshFingerprint(Buffer.from('another host')) }).arrays();
    assert.equal(!r.ok && r.error.kind, 'unreachable');
    assert.match(!r.ok ? r.error.detail : '', /does not match the pinned/);
  });
});
