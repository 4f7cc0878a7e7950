import { createHash } from 'node:crypto';
import type { NodeSSH } from 'node-ssh';
import { err, ok, reasonedError, type Result, type ServiceError } from '../core/errors.ts';
import { formatBytes } from './http.ts';

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
  /** Most bytes of output (stdout and stderr together) one command may print (default 4 MiB). */
  readonly maxOutputBytes?: number;
}

/** Output cap when the host names none: far above mdstat, occ or a backup report. */
export const DEFAULT_MAX_OUTPUT_BYTES = 4 * 1024 * 1024;

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
  removeListener(event: 'error', listener: (...args: unknown[]) => void): void;
  exec(command: string, callback: (error: Error | undefined, channel: RawChannel) => void): void;
  end(): void;
}
interface RawChannel {
  on(event: 'data', listener: (chunk: Buffer) => void): void;
  on(event: 'exit', listener: (code?: number | null) => void): void;
  on(event: 'close', listener: () => void): void;
  readonly stderr: { on(event: 'data', listener: (chunk: Buffer) => void): void };
  end(): void;
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
  private readonly maxOutputBytes: number;
  private ssh: NodeSSH | undefined;
  private connecting: Promise<Result<NodeSSH>> | undefined;
  /** Counts close() calls: a connection being made when close() came is not kept once made. */
  private closes = 0;

  constructor(private readonly opts: SshOptions) {
    if (!FINGERPRINT.test(opts.hostKey)) {
      // A missing or malformed pin is a configuration bug, never something to run with.
      throw new Error('SshRunner needs hostKey as SHA256:<43 base64 chars> (ssh-keygen -lf)');
    }
    this.service = opts.service ?? 'ssh';
    this.timeoutMs = opts.timeoutMs ?? 15_000;
    this.maxOutputBytes = opts.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
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

  /** Closes the connection, and one still being made as soon as it is; a later run reconnects. */
  async close(): Promise<void> {
    this.closes++;
    this.connecting = undefined;
    this.drop();
  }

  /**
   * Runs one command on the raw ssh2 connection, counting output as it streams: past the cap
   * (or the timeout) the channel is closed and nothing more is kept, so a runaway command
   * cannot fill memory. Output is trimmed like node-ssh's execCommand.
   */
  private async exec(command: string, timeoutMs: number): Promise<Result<CommandOutput>> {
    const conn = await this.connection();
    if (!conn.ok) return conn;
    const raw = conn.value.connection as unknown as RawConnection;
    return new Promise<Result<CommandOutput>>((resolve) => {
      let channel: RawChannel | undefined;
      let settled = false;
      const finish = (r: Result<CommandOutput>, closeChannel = false): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        raw.removeListener('error', onConnectionError);
        if (closeChannel) closeQuietly(channel);
        resolve(r);
      };
      const onConnectionError = (e: unknown): void => {
        this.drop();
        finish(err(this.mapError(e, {})));
      };
      const timer = setTimeout(
        () => finish(err(reasonedError(this.service, 'timeout', 'command-too-slow', 'the command did not finish in time')), true),
        timeoutMs,
      );
      raw.on('error', onConnectionError);
      try {
        raw.exec(command, (e, ch) => {
          if (e) return onConnectionError(e);
          channel = ch;
          if (settled) return closeQuietly(ch);
          const stdout: Buffer[] = [];
          const stderr: Buffer[] = [];
          let total = 0;
          let code: number | null = null;
          const keep = (into: Buffer[]) => (chunk: Buffer) => {
            if (settled) return;
            total += chunk.length;
            if (total > this.maxOutputBytes) {
              finish(
                err(
                  reasonedError(
                    this.service,
                    'protocol',
                    'output-too-large',
                    `the command printed more than ${formatBytes(this.maxOutputBytes)}`,
                  ),
                ),
                true,
              );
              return;
            }
            into.push(chunk);
          };
          ch.on('data', keep(stdout));
          ch.stderr.on('data', keep(stderr));
          ch.on('exit', (c) => (code = c ?? null));
          ch.on('close', () => finish(ok({ stdout: text(stdout), stderr: text(stderr), code })));
          ch.end(); // no stdin
        });
      } catch (e) {
        onConnectionError(e); // "Not connected": the kept-alive link died in between
      }
    });
  }

  private connection(): Promise<Result<NodeSSH>> {
    if (this.ssh?.isConnected()) return Promise.resolve(ok(this.ssh));
    this.ssh = undefined;
    if (this.connecting) return this.connecting;
    // Cleared only if still the current attempt: close() may have let it go and a newer one started.
    const attempt: Promise<Result<NodeSSH>> = this.connect().finally(() => {
      if (this.connecting === attempt) this.connecting = undefined;
    });
    this.connecting = attempt;
    return attempt;
  }

  private async connect(): Promise<Result<NodeSSH>> {
    const o = this.opts;
    const state: AttemptState = {};
    const closes = this.closes;
    const closedMeanwhile = () => reasonedError(this.service, 'unreachable', 'connection-closed', 'the connection was closed');
    // Loaded on first use: ssh2 is the largest package at start-up and many setups never use SSH.
    const { NodeSSH } = await import('node-ssh');
    if (this.closes !== closes) return err(closedMeanwhile());
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
    // close() came while connecting (a shutdown as the first poll started): kept, it would stay open for good.
    if (this.closes !== closes) {
      ssh.dispose();
      return err(closedMeanwhile());
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
      return reasonedError(
        s,
        'unreachable',
        'ssh-host-key-mismatch',
        `its host key ${state.seenHostKey} does not match the pinned ${this.opts.hostKey} (check hostKey with ssh-keygen -lf)`,
        { seen: state.seenHostKey, pinned: this.opts.hostKey },
      );
    }
    if (level === 'client-authentication') {
      return reasonedError(s, 'auth', 'ssh-login-refused', `the SSH login as ${this.opts.username} was refused (check the user and key)`);
    }
    if (level === 'client-timeout' || (code === 'ETIMEDOUT' && /Timed out/i.test(message))) {
      return reasonedError(s, 'timeout', 'no-answer', 'no answer in time');
    }
    if (/privateKeyPath does not exist/.test(message)) {
      return reasonedError(s, 'auth', 'ssh-key-missing', 'the private key file does not exist');
    }
    if (/Cannot parse privateKey|Encrypted private OpenSSH key/i.test(message)) {
      return reasonedError(s, 'auth', 'ssh-key-unreadable', 'the private key cannot be read (wrong format or passphrase)');
    }
    if (code === 'ECONNREFUSED') return reasonedError(s, 'unreachable', 'connection-refused', 'connection refused');
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || level === 'client-dns') {
      return reasonedError(s, 'unreachable', 'host-not-found', 'host name not found');
    }
    if (code === 'ECONNRESET' || code === 'EPIPE') return reasonedError(s, 'unreachable', 'connection-reset', 'connection reset');
    if (code === 'ETIMEDOUT' || /Not connected|No response/i.test(message)) {
      return reasonedError(s, 'unreachable', 'connection-closed', 'the connection closed unexpectedly');
    }
    return reasonedError(s, 'unreachable', 'connection-failed', code ? `connection failed (${code})` : 'connection failed');
  }
}

function text(chunks: Buffer[]): string {
  return Buffer.concat(chunks).toString('utf8').trim();
}

function closeQuietly(channel: RawChannel | undefined): void {
  try {
    channel?.close();
  } catch {
    // the channel may already be gone
  }
}
