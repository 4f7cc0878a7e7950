/**
 * An SSH server on 127.0.0.1 for demo mode, built on the `ssh2` server that node-ssh's client
 * comes from: a fresh ed25519 host key per run (the bot pins its SHA256 fingerprint like a
 * real one), password auth for one user, and `exec` requests answered by a handler that plays
 * the remote commands (occ, /proc/mdstat, the off-site check). No shell, no PTY, no SFTP.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';

/** The part of ssh2's server API the demo uses (typed here so no @types package is needed). */
interface Ssh2Channel {
  write(data: string): void;
  readonly stderr: { write(data: string): void };
  exit(code: number): void;
  end(): void;
}
interface Ssh2Connection {
  on(
    event: 'authentication',
    cb: (ctx: { method: string; username: string; password: string; accept(): void; reject(methods: string[]): void }) => void,
  ): void;
  on(
    event: 'session',
    cb: (
      accept: () => { on(event: 'exec', cb: (accept: () => Ssh2Channel, reject: () => void, info: { command: string }) => void): void },
    ) => void,
  ): void;
  on(event: 'close' | 'error', cb: () => void): void;
  end(): void;
}
interface Ssh2Server {
  listen(port: number, host: string, cb: () => void): void;
  once(event: 'error', cb: (e: Error) => void): void;
  address(): AddressInfo | string | null;
  close(cb: () => void): void;
}
interface Ssh2Module {
  Server: new (config: { hostKeys: string[] }, onClient: (client: Ssh2Connection) => void) => Ssh2Server;
  utils: {
    generateKeyPairSync(type: 'ed25519'): { private: string; public: string };
    parseKey(key: string): { getPublicSSH(): Buffer } | Error;
  };
}

// ssh2 is CommonJS (and node-ssh's own transport); required here for its SSH *server*.
const { Server, utils } = createRequire(import.meta.url)('ssh2') as Ssh2Module;

/** What one command printed and its exit status. */
export interface DemoCommandResult {
  readonly stdout: string;
  readonly stderr?: string;
  readonly code: number;
}

/** Plays one remote command line (exactly as the bot sent it). */
export type DemoCommandHandler = (command: string) => DemoCommandResult;

/** A running demo SSH server and the settings that reach it. */
export interface DemoSshServer {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly password: string;
  /** `SHA256:…` as `ssh-keygen -lf` prints it. */
  readonly hostKey: string;
  /** Every command line received, oldest first. */
  readonly commands: readonly string[];
  /** The config `ssh` section pointing at this server. */
  readonly config: { host: string; port: number; username: string; password: string; hostKey: string };
  close(): Promise<void>;
}

/**
 * A new ed25519 host key. ssh2's generator now and then writes a key its own parser rejects
 * ("Malformed OpenSSH private key", about 1 in 250), so draw again until it parses.
 */
export function freshHostKey(): { keys: { private: string; public: string }; parsed: Exclude<ReturnType<typeof utils.parseKey>, Error> } {
  for (let attempt = 1; ; attempt++) {
    const keys = utils.generateKeyPairSync('ed25519');
    const parsed = utils.parseKey(keys.private);
    if (!(parsed instanceof Error)) return { keys, parsed };
    if (attempt >= 20) throw parsed;
  }
}

/** Starts the server on 127.0.0.1 (ephemeral port). */
export async function startDemoSshServer(handle: DemoCommandHandler, username = 'homelab-bot'): Promise<DemoSshServer> {
  const { keys, parsed } = freshHostKey();
  const hostKey = `SHA256:${createHash('sha256').update(parsed.getPublicSSH()).digest('base64').replace(/=+$/, '')}`;
  const password = randomBytes(18).toString('base64url');
  const commands: string[] = [];
  const connections = new Set<Ssh2Connection>();
  const same = (a: string, b: string): boolean =>
    a.length === b.length && createHash('sha256').update(a).digest().equals(createHash('sha256').update(b).digest());

  const server = new Server({ hostKeys: [keys.private] }, (client) => {
    connections.add(client);
    client.on('close', () => connections.delete(client));
    client.on('authentication', (ctx) => {
      if (ctx.method === 'password' && ctx.username === username && same(ctx.password, password)) return ctx.accept();
      return ctx.reject(['password']);
    });
    client.on('session', (accept) => {
      const session = accept();
      session.on('exec', (acceptExec, _reject, info) => {
        const channel = acceptExec();
        commands.push(info.command);
        let result: DemoCommandResult;
        try {
          result = handle(info.command);
        } catch {
          result = { stdout: '', stderr: 'internal error\n', code: 1 };
        }
        if (result.stdout) channel.write(result.stdout);
        if (result.stderr) channel.stderr.write(result.stderr);
        channel.exit(result.code);
        channel.end();
      });
    });
    client.on('error', () => undefined); // a client that hangs up mid-handshake is not our problem
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = '127.0.0.1';
  return {
    host,
    port,
    username,
    password,
    hostKey,
    commands,
    config: { host, port, username, password, hostKey },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const c of connections) c.end(); // the bot keeps its connections alive
      }),
  };
}

/** Splits a command line the way the bot quotes it: words, and single-quoted words with `'\''`. */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] ?? '';
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      cur += line.slice(i + 1, end < 0 ? line.length : end);
      i = end < 0 ? line.length : end;
      inWord = true;
    } else if (c === '\\' && i + 1 < line.length) {
      cur += line[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (inWord) words.push(cur);
  return words;
}
