import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SshRunner, sshFingerprint } from '../../src/services/ssh.ts';
import { startCutProxy } from '../support/cut-proxy.ts';
import { requireBinary, waitFor } from '../support/real-server.ts';
import { freePort } from '../support/child.ts';
import { SSHD, startSshd, type TestSshd } from '../support/sshd.ts';

describe('SshRunner against a real OpenSSH sshd on 127.0.0.1', () => {
  let sshd: TestSshd | undefined;
  const runners: SshRunner[] = [];
  const runner = (over: Partial<ConstructorParameters<typeof SshRunner>[0]> = {}): SshRunner => {
    if (!sshd) throw new Error('sshd not started');
    const r = new SshRunner({
      host: sshd.host,
      port: sshd.port,
      username: sshd.username,
      privateKeyPath: sshd.clientKeyPath,
      hostKey: sshd.hostKey,
      timeoutMs: 5_000,
      service: 'nas-ssh',
      ...over,
    });
    runners.push(r);
    return r;
  };

  before(async () => {
    try {
      execFileSync('test', ['-x', SSHD]);
    } catch {
      return; // each test skips (or fails in CI) through requireBinary
    }
    sshd = await startSshd();
  });
  after(async () => {
    for (const r of runners) await r.close();
    await sshd?.close();
  });

  test('runs a command and returns stdout, stderr and the exit code', async (t) => {
    if (!requireBinary(t, SSHD, 'openssh-server')) return;
    const r = await runner().run('echo out; echo err >&2; exit 7');
    assert.deepEqual(r, { ok: true, value: { stdout: 'out', stderr: 'err', code: 7 } });
  });

  test('accepts the private key as text', async (t) => {
    if (!requireBinary(t, SSHD, 'openssh-server') || !sshd) return;
    const r = await runner({ privateKeyPath: undefined, privateKey: sshd.clientKey }).run('echo hi');
    assert.equal(r.ok && r.value.stdout, 'hi');
  });

  test('reuses one connection for consecutive commands', async (t) => {
    if (!requireBinary(t, SSHD, 'openssh-server') || !sshd) return;
    const ssh = runner();
    const before = sshd.logins();
    for (let i = 0; i < 3; i++) assert.equal((await ssh.run(`echo ${i}`)).ok, true);
    assert.equal(sshd.logins() - before, 1);
  });

  test('reconnects after the server drops the connection', async (t) => {
    if (!requireBinary(t, SSHD, 'openssh-server') || !sshd) return;
    const ssh = runner();
    assert.equal((await ssh.run('echo first')).ok, true);
    const before = sshd.logins();
    // Killing this connection's nearest sshd ancestor (its session process) drops the link.
    const killed = await ssh.run(
      'p=$$; while [ "$(cat /proc/$p/comm)" != sshd ]; do p=$(cut -d" " -f4 /proc/$p/stat); done; kill -9 $p; sleep 5',
    );
    assert.equal(killed.ok && killed.value.code === 0, false, 'the dropped command must not look successful');
    const again = await ssh.run('echo back');
    assert.equal(again.ok && again.value.stdout, 'back');
    assert.equal(sshd.logins() - before, 1);
  });

  test('close() while the connection is still being made: it is not kept once made (a shutdown leaves nothing open)', async (t) => {
    if (!requireBinary(t, SSHD, 'openssh-server') || !sshd) return;
    // Counts the sockets of the one connection the runner makes, whatever the handshake's stage.
    const line = await startCutProxy(`http://${sshd.host}:${sshd.port}`);
    t.after(() => line.close());
    const ssh = runner({ host: '127.0.0.1', port: Number(new URL(line.url).port) });
    const running = ssh.run('echo late');
    await ssh.close(); // a shutdown that comes as the first poll starts
    const r = await running;
    assert.equal(r.ok, false, 'nothing runs on a runner closed before it connected');
    await waitFor(() => line.open === 0, { timeoutMs: 3_000, what: 'the connection made after close() closed' });
    // Closing is not for ever: a later run connects again.
    const again = await ssh.run('echo again');
    assert.equal(again.ok && again.value.stdout, 'again');
  });

  test('a host key that does not match the pin is refused with a clear detail', async (t) => {
    if (!requireBinary(t, SSHD, 'openssh-server') || !sshd) return;
    const wrong = sshFingerprint(Buffer.from('not the host key'));
    const r = await runner({ hostKey: wrong }).run('echo never');
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.equal(r.error.kind, 'unreachable');
    assert.equal(r.error.service, 'nas-ssh');
    assert.match(r.error.detail, /host key SHA256:\S+ does not match the pinned/);
    assert.ok(r.error.detail.includes(sshd.hostKey), 'names the key actually offered');
  });

  test('a key the server does not know is an auth error', async (t) => {
    if (!requireBinary(t, SSHD, 'openssh-server')) return;
    const dir = mkdtempSync(join(tmpdir(), 'homelab-key-'));
    try {
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'k')]);
      const key = readFileSync(join(dir, 'k'), 'utf8');
      const r = await runner({ privateKeyPath: undefined, privateKey: key }).run('echo never');
      assert.equal(!r.ok && r.error.kind, 'auth');
      if (!r.ok) assert.ok(!r.error.detail.includes('PRIVATE KEY'), 'no key text in the detail');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a refused password is an auth error that does not echo the password', async (t) => {
    if (!requireBinary(t, SSHD, 'openssh-server')) return;
    const r = await runner({ privateKeyPath: undefined, password: 'hunter2-secret' }).run('echo never');
    assert.equal(!r.ok && r.error.kind, 'auth');
    assert.ok(!JSON.stringify(r).includes('hunter2-secret'));
  });

  test('a command that runs too long times out and the runner stays usable', async (t) => {
    if (!requireBinary(t, SSHD, 'openssh-server')) return;
    const ssh = runner();
    const r = await ssh.run('sleep 10', { timeoutMs: 300 });
    assert.equal(!r.ok && r.error.kind, 'timeout');
    const again = await ssh.run('echo alive');
    assert.equal(again.ok && again.value.stdout, 'alive');
  });

  test('endless output stops at the cap: protocol error, channel closed, the command ends, runner stays usable', async (t) => {
    if (!requireBinary(t, SSHD, 'openssh-server')) return;
    const ssh = runner({ maxOutputBytes: 256 * 1024, timeoutMs: 20_000 });
    // The pid goes to a file on the remote side (the sshd user may not reach our temp dirs).
    const pidFile = `/tmp/ssh-cap-${process.pid}-${Date.now()}`;
    const r = await ssh.run(`echo $$ > ${pidFile}; exec yes`);
    assert.deepEqual(!r.ok && [r.error.service, r.error.kind, r.error.detail], [
      'nas-ssh',
      'protocol',
      'the command printed more than 256 KiB',
    ]);
    // Closing the channel ends the remote writer (EPIPE): the remote side confirms within 5 s.
    const gone = await ssh.run(
      `p=$(cat ${pidFile}); rm -f ${pidFile}; for i in $(seq 50); do kill -0 $p 2>/dev/null || exit 0; sleep 0.1; done; exit 1`,
    );
    assert.deepEqual(gone.ok && gone.value.code, 0, 'yes is still running after the channel was closed');
  });

  test('stderr counts toward the cap; output exactly at the cap passes', async (t) => {
    if (!requireBinary(t, SSHD, 'openssh-server')) return;
    const ssh = runner({ maxOutputBytes: 1000 });
    const exact = await ssh.run("head -c 600 /dev/zero | tr '\\0' a; head -c 400 /dev/zero | tr '\\0' b >&2");
    assert.deepEqual(exact.ok && [exact.value.stdout.length, exact.value.stderr.length], [600, 400]);
    const over = await ssh.run("head -c 600 /dev/zero | tr '\\0' a; head -c 401 /dev/zero | tr '\\0' b >&2");
    assert.equal(!over.ok && over.error.kind, 'protocol');
    const again = await ssh.run('echo alive');
    assert.equal(again.ok && again.value.stdout, 'alive');
  });
});

describe('SshRunner without a working server', () => {
  const pin = sshFingerprint(Buffer.from('any'));

  test('connection refused is unreachable', async () => {
    const port = await freePort();
    const ssh = new SshRunner({ host: '127.0.0.1', port, username: 'x', password: 'p', hostKey: pin });
    const r = await ssh.run('true');
    assert.deepEqual(!r.ok && [r.error.kind, r.error.detail], ['unreachable', 'connection refused']);
  });

  test('a server that never speaks SSH times out', async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((s) => sockets.push(s));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const addr = silent.address();
    const port = typeof addr === 'object' && addr ? addr.port : 0;
    try {
      const ssh = new SshRunner({ host: '127.0.0.1', port, username: 'x', password: 'p', hostKey: pin, timeoutMs: 300 });
      const r = await ssh.run('true');
      assert.equal(!r.ok && r.error.kind, 'timeout');
      await ssh.close();
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  test('a missing or malformed host key pin is refused at construction', () => {
    assert.throws(() => new SshRunner({ host: '127.0.0.1', username: 'x', password: 'p', hostKey: '' }));
    assert.throws(() => new SshRunner({ host: '127.0.0.1', username: 'x', password: 'p', hostKey: 'aa:bb' }));
  });

  test('sshFingerprint matches the ssh-keygen format', () => {
    assert.match(sshFingerprint(Buffer.from('key')), /^SHA256:[A-Za-z0-9+/]{43}$/);
  });
});
