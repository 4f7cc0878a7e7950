import { createHash } from 'node:crypto';
import type { NodeSSH } from 'node-ssh';
import { err, ok, serviceError, type Result, type ServiceError } from '../core/errors.ts';

/** Connection settings for one SSH host; the host key pin is mandatory (no trust on first use). */
export interface SshOptions {
  readonly host: string;
  readonly port?: number;
  readonly username: string;
  /** PEM/OpenSSH private key text. */
  readonly privateKey?: string;
  readonly privateKeyPath?: string;
  readonly passphrase?: string;
  readonly password?: string;
  /** Host key fingerprint as printed by `ssh-keygen -lf`: `SHA256:` + 43 base64 chars. */
  readonly hostKey: string;
  /** Connect and per-command timeout (default 15 s). */
  readonly timeoutMs?: number;
  /** Service name used in errors (default `ssh`). */
  readonly service?: string;
}

/** What a remote command produced. `code` is null when it died by a signal. */
export interface CommandOutput {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number | null;
}

/** `SHA256:…` fingerprint of a raw SSH public key blob, exactly as `ssh-keygen -l` prints it. */
export function sshFingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

const FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}$/;

/** Minimal view of the ssh2 client that node-ssh exposes (ssh2 ships no types here). */
interface RawConnection {
  on(event: 'error' | 'close' | 'end', listener: (...args: unknown[]) => void): void;
  end(): void;
}
interface RawChannel {
  close(): void;
}

/** Why a connection attempt failed, noticed in callbacks before ssh2 reports it. */
interface AttemptState {
  seenHostKey?: string;
}

/**
 * Runs commands on one host over a reused SSH connection. The host key is pinned by
 * fingerprint; failures come back as ServiceErrors and never carry key or password text.
 */
export class SshRunner {
  private readonly service: string;
  private readonly timeoutMs: number;
  private ssh: NodeSSH | undefined;
  private connecting: Promise<Result<NodeSSH>> | undefined;

  constructor(private readonly opts: SshOptions) {
    if (!FINGERPRINT.test(opts.hostKey)) {
      // A missing or malformed pin is a configuration bug, never something to run with.
      throw new Error('SshRunner needs hostKey as SHA256:<43 base64 chars> (ssh-keygen -lf)');
    }
    this.service = opts.service ?? 'ssh';
    this.timeoutMs = opts.timeoutMs ?? 15_000;
  }

  /** Runs one command; a non-zero exit is a successful result carrying the code. */
  async run(command: string, opts: { timeoutMs?: number } = {}): Promise<Result<CommandOutput>> {
    const reused = this.ssh !== undefined;
    const first = await this.exec(command, opts.timeoutMs ?? this.timeoutMs);
    // A kept-alive connection may have died quietly (sshd restart, NAT timeout): one fresh try.
    if (!first.ok && reused && first.error.kind === 'unreachable' && !/host key/.test(first.error.detail)) {
      this.drop();
      return this.exec(command, opts.timeoutMs ?? this.timeoutMs);
    }
    return first;
  }

  /** Closes the connection; a later run reconnects. */
  async close(): Promise<void> {
    this.drop();
  }

  private async exec(command: string, timeoutMs: number): Promise<Result<CommandOutput>> {
    const conn = await this.connection();
    if (!conn.ok) return conn;
    const ssh = conn.value;
    let channel: RawChannel | undefined;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    try {
      const out = await Promise.race([ssh.execCommand(command, { onChannel: (c) => (channel = c as unknown as RawChannel) }), timedOut]);
      if (out === 'timeout') {
        try {
          channel?.close();
        } catch {
          // the channel may already be gone
        }
        return err(serviceError(this.service, 'timeout', 'the command did not finish in time'));
      }
      return ok({ stdout: out.stdout, stderr: out.stderr, code: out.code });
    } catch (e) {
      this.drop();
      return err(this.mapError(e, {}));
    } finally {
      clearTimeout(timer);
    }
  }

  private connection(): Promise<Result<NodeSSH>> {
    if (this.ssh?.isConnected()) return Promise.resolve(ok(this.ssh));
    this.ssh = undefined;
    this.connecting ??= this.connect().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async connect(): Promise<Result<NodeSSH>> {
    const o = this.opts;
    const state: AttemptState = {};
    // Loaded on first use: ssh2 is the largest package at start-up and many setups never use SSH.
    const { NodeSSH } = await import('node-ssh');
    const ssh = new NodeSSH();
    const config = {
      host: o.host,
      port: o.port ?? 22,
      username: o.username,
      readyTimeout: this.timeoutMs,
      keepaliveInterval: 30_000,
      hostVerifier: (key: Buffer): boolean => {
        state.seenHostKey = sshFingerprint(key);
        return state.seenHostKey === o.hostKey;
      },
      ...(o.privateKey !== undefined ? { privateKey: o.privateKey } : {}),
      ...(o.privateKey === undefined && o.privateKeyPath !== undefined ? { privateKeyPath: o.privateKeyPath } : {}),
      ...(o.passphrase !== undefined ? { passphrase: o.passphrase } : {}),
      ...(o.password !== undefined ? { password: o.password } : {}),
    };
    try {
      await ssh.connect(config);
    } catch (e) {
      try {
        ssh.dispose();
      } catch {
        // nothing to clean up
      }
      return err(this.mapError(e, state));
    }
    const raw = ssh.connection as unknown as RawConnection | null;
    // ssh2 emits 'error' after login too (socket reset); without a listener that would crash
    // the process. Forget the connection instead; the next run reconnects.
    raw?.on('error', () => {
      if (this.ssh === ssh) this.ssh = undefined;
    });
    raw?.on('close', () => {
      if (this.ssh === ssh) this.ssh = undefined;
    });
    this.ssh = ssh;
    return ok(ssh);
  }

  private drop(): void {
    const ssh = this.ssh;
    this.ssh = undefined;
    try {
      ssh?.dispose();
    } catch {
      // already closed
    }
  }

  private mapError(e: unknown, state: AttemptState): ServiceError {
    const s = this.service;
    const o = e as { level?: unknown; code?: unknown; message?: unknown };
    const level = typeof o?.level === 'string' ? o.level : '';
    const code = typeof o?.code === 'string' ? o.code : '';
    const message = typeof o?.message === 'string' ? o.message : '';
    if (state.seenHostKey !== undefined && state.seenHostKey !== this.opts.hostKey) {
      return serviceError(
        s,
        'unreachable',
        `its host key ${state.seenHostKey} does not match the pinned ${this.opts.hostKey} (check hostKey with ssh-keygen -lf)`,
      );
    }
    if (level === 'client-authentication') {
      return serviceError(s, 'auth', `the SSH login as ${this.opts.username} was refused (check the user and key)`);
    }
    if (level === 'client-timeout' || (code === 'ETIMEDOUT' && /Timed out/i.test(message))) {
      return serviceError(s, 'timeout', 'no answer in time');
    }
    if (/privateKeyPath does not exist/.test(message)) {
      return serviceError(s, 'auth', 'the private key file does not exist');
    }
    if (/Cannot parse privateKey|Encrypted private OpenSSH key/i.test(message)) {
      return serviceError(s, 'auth', 'the private key cannot be read (wrong format or passphrase)');
    }
    if (code === 'ECONNREFUSED') return serviceError(s, 'unreachable', 'connection refused');
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || level === 'client-dns') {
      return serviceError(s, 'unreachable', 'host name not found');
    }
    if (code === 'ECONNRESET' || code === 'EPIPE') return serviceError(s, 'unreachable', 'connection reset');
    if (code === 'ETIMEDOUT' || /Not connected|No response/i.test(message)) {
      return serviceError(s, 'unreachable', 'the connection closed unexpectedly');
    }
    return serviceError(s, 'unreachable', code ? `connection failed (${code})` : 'connection failed');
  }
}
