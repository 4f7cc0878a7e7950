import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort, spawnServer } from './child.ts';
import { waitFor } from './real-server.ts';

export const SSHD = '/usr/sbin/sshd';

/** A real OpenSSH server on 127.0.0.1 for one test file. */
export interface TestSshd {
  readonly host: '127.0.0.1';
  readonly port: number;
  readonly username: string;
  /** Path and text of a client key the server accepts. */
  readonly clientKeyPath: string;
  readonly clientKey: string;
  /** `SHA256:…` of the server's host key (what `ssh-keygen -lf` prints). */
  readonly hostKey: string;
  /** How many logins sshd has accepted so far (connection reuse checks). */
  logins(): number;
  /** Replaces what the forced `cat /proc/mdstat` serves. */
  setMdstat(text: string): void;
  /** Stops sshd and removes the temp dir. */
  close(): Promise<void>;
}

const TEST_USER = 'homelab-sshtest';

/**
 * As root, logs in as a dedicated user with /bin/sh: root's own shell may read rc files that
 * make every command slow or noisy. Two test files may race to create it, hence the retries.
 */
function ensureTestUser(): string {
  const exists = (): boolean => {
    try {
      execFileSync('id', [TEST_USER], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  };
  const locked = (): boolean => {
    const shadow = readFileSync('/etc/shadow', 'utf8');
    return !shadow.split('\n').some((l) => l.startsWith(`${TEST_USER}:*:`));
  };
  // useradd leaves the account locked ('!'); with UsePAM no, sshd then refuses even keys.
  for (let attempt = 0; attempt < 30 && (!exists() || locked()); attempt++) {
    try {
      if (!exists()) execFileSync('useradd', ['--system', '-M', '-d', '/', '-s', '/bin/sh', TEST_USER], { stdio: 'ignore' });
      execFileSync('usermod', ['-p', '*', TEST_USER], { stdio: 'ignore' });
    } catch {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100); // passwd file locked by a parallel test file
    }
  }
  return TEST_USER;
}

/**
 * Starts sshd on a free port, logging in as a test user when we are root (CI and this sandbox)
 * or as ourselves otherwise, with a temp host key and client key.
 * A forced command serves fixture text for `cat /proc/mdstat` (the sandbox kernel has no md)
 * and runs any other command through the shell, so the runner can be tested on real exits.
 */
export async function startSshd(opts: { mdstat?: string } = {}): Promise<TestSshd> {
  const dir = mkdtempSync(join(tmpdir(), 'homelab-sshd-'));
  chmodSync(dir, 0o755);
  const root = process.getuid?.() === 0;
  const username = root ? ensureTestUser() : userInfo().username;
  const keygen = (name: string, comment: string): void => {
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', join(dir, name)]);
  };
  keygen('host_ed25519', 'testhost');
  keygen('client_key', 'testclient');
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'client_key.pub')));
  writeFileSync(join(dir, 'mdstat'), opts.mdstat ?? '');
  const forced = join(dir, 'forced.sh');
  writeFileSync(
    forced,
    [
      '#!/bin/sh',
      `if [ "$SSH_ORIGINAL_COMMAND" = "cat /proc/mdstat" ]; then exec cat '${join(dir, 'mdstat')}'; fi`,
      'exec /bin/sh -c "$SSH_ORIGINAL_COMMAND"',
      '',
    ].join('\n'),
  );
  chmodSync(forced, 0o755);
  const fp = execFileSync('ssh-keygen', ['-lf', join(dir, 'host_ed25519.pub')]).toString();
  const hostKey = /SHA256:[A-Za-z0-9+/]{43}/.exec(fp)?.[0];
  if (!hostKey) throw new Error(`cannot read host key fingerprint from ${fp}`);
  const port = await freePort();
  const config = [
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${join(dir, 'host_ed25519')}`,
    `PidFile ${join(dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    'StrictModes no',
    'PermitRootLogin no',
    `AllowUsers ${username}`,
    `ForceCommand ${forced}`,
    'LogLevel VERBOSE',
    '',
  ].join('\n');
  writeFileSync(join(dir, 'sshd_config'), config);
  // sshd running as root needs its privilege-separation directory.
  if (root) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const log: string[] = [];
  // -e: the log goes to stderr, where readiness and logins are read from.
  const sshd = spawnServer(SSHD, ['-D', '-e', '-f', join(dir, 'sshd_config')], { onOutput: (t) => log.push(t) });
  try {
    await waitFor(
      () => {
        if (sshd.exited()) throw new Error(`sshd exited: ${log.join('')}`);
        return log.join('').includes('Server listening on 127.0.0.1');
      },
      { timeoutMs: 10_000, what: 'sshd to listen' },
    );
  } catch (e) {
    await sshd.stop();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    host: '127.0.0.1',
    port,
    username,
    clientKeyPath: join(dir, 'client_key'),
    clientKey: readFileSync(join(dir, 'client_key'), 'utf8'),
    hostKey,
    logins() {
      return log.join('').split('Accepted publickey').length - 1;
    },
    setMdstat(text: string) {
      // Write then rename so a concurrent reader never sees half a file.
      writeFileSync(join(dir, 'mdstat.tmp'), text);
      renameSync(join(dir, 'mdstat.tmp'), join(dir, 'mdstat'));
    },
    async close() {
      await sshd.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
