import { connect, type Socket } from 'node:net';
import { err, ok, reasonedError, serviceError, type Result, type ServiceError } from '../../core/errors.ts';
import { errorFromReply, NAME_RE, quote, tokenize } from './protocol.ts';
import { toUpsState, type UpsInfo, type UpsState } from './state.ts';

/** Connection settings for one upsd. */
export interface NutClientOptions {
  readonly host: string;
  /** Default 3493. */
  readonly port?: number;
  /** Sent as USERNAME/PASSWORD only when set; the bot never sends LOGIN (it is not an upsmon). */
  readonly username?: string;
  readonly password?: string;
  /** Deadline for one whole exchange (connect + commands), default 5000 ms. */
  readonly timeoutMs?: number;
}

const SERVICE = 'nut';
const MAX_BUFFER = 1024 * 1024;

/** One short-lived TCP conversation with upsd; every failure becomes a ServiceError. */
class Session {
  private buf = '';
  private readonly lines: string[] = [];
  private waiter: (() => void) | undefined;
  private failure: ServiceError | undefined;
  private readonly timer: NodeJS.Timeout;

  private constructor(
    private readonly socket: Socket,
    timeoutMs: number,
  ) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buf += chunk;
      if (this.buf.length > MAX_BUFFER) return this.fail(serviceError(SERVICE, 'protocol', 'reply too large'));
      let i: number;
      while ((i = this.buf.indexOf('\n')) >= 0) {
        this.lines.push(this.buf.slice(0, i).replace(/\r$/, ''));
        this.buf = this.buf.slice(i + 1);
      }
      this.wake();
    });
    socket.on('error', (e: NodeJS.ErrnoException) => this.fail(socketError(e.code)));
    socket.on('close', () => this.fail(reasonedError(SERVICE, 'unreachable', 'connection-closed', 'upsd closed the connection')));
    this.timer = setTimeout(() => this.fail(serviceError(SERVICE, 'timeout', `no answer from upsd within ${timeoutMs} ms`)), timeoutMs);
  }

  static open(opts: NutClientOptions): Promise<Result<Session>> {
    const timeoutMs = opts.timeoutMs ?? 5000;
    return new Promise((resolve) => {
      const socket = connect({ host: opts.host, port: opts.port ?? 3493 });
      const session = new Session(socket, timeoutMs);
      const onConnect = (): void => resolve(ok(session));
      socket.once('connect', onConnect);
      session.waiter = () => {
        if (session.failure) {
          socket.off('connect', onConnect);
          resolve(err(session.failure));
        }
      };
    });
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }

  private fail(e: ServiceError): void {
    if (this.failure) return;
    this.failure = e;
    clearTimeout(this.timer);
    this.socket.destroy();
    this.wake();
  }

  private async readLine(): Promise<Result<string>> {
    for (;;) {
      const line = this.lines.shift();
      if (line !== undefined) return ok(line);
      if (this.failure) return err(this.failure);
      await new Promise<void>((r) => (this.waiter = r));
    }
  }

  /** Sends one command and reads its single-line reply, tokenized. */
  async command(line: string, context: string): Promise<Result<string[]>> {
    if (this.failure) return err(this.failure);
    this.socket.write(`${line}\n`);
    const reply = await this.readLine();
    if (!reply.ok) return reply;
    const words = tokenize(reply.value);
    if (!words) return err(serviceError(SERVICE, 'protocol', `${context}: unbalanced quotes in reply`));
    if (words[0] === 'ERR') return err(errorFromReply(SERVICE, words, context));
    return ok(words);
  }

  /** Sends a LIST command and returns the tokenized lines between BEGIN and END. */
  async list(what: string, context: string): Promise<Result<string[][]>> {
    const first = await this.command(`LIST ${what}`, context);
    if (!first.ok) return first;
    if (first.value.join(' ') !== `BEGIN LIST ${what}`) {
      return err(serviceError(SERVICE, 'protocol', `${context}: expected BEGIN LIST`));
    }
    const rows: string[][] = [];
    for (;;) {
      const line = await this.readLine();
      if (!line.ok) return line;
      const words = tokenize(line.value);
      if (!words) return err(serviceError(SERVICE, 'protocol', `${context}: unbalanced quotes in reply`));
      if (words[0] === 'END') return ok(rows);
      if (words[0] === 'ERR') return err(errorFromReply(SERVICE, words, context));
      rows.push(words);
    }
  }

  /** Says goodbye politely and closes; never fails. */
  close(): void {
    clearTimeout(this.timer);
    if (!this.failure) {
      this.failure = serviceError(SERVICE, 'unreachable', 'session closed');
      this.socket.end('LOGOUT\n');
      // upsd answers "OK Goodbye" and hangs up; do not wait for it longer than a second.
      setTimeout(() => this.socket.destroy(), 1000).unref();
    }
  }
}

/**
 * Read-only NUT client: one short-lived connection per call, so a restarted upsd or a dead
 * connection never wedges the 2-second poll. Returns Results, never throws.
 */
export class NutClient {
  constructor(private readonly opts: NutClientOptions) {}

  /** The UPSes upsd serves (`LIST UPS`). */
  listUps(): Promise<Result<UpsInfo[]>> {
    return this.session(async (s) => {
      const rows = await s.list('UPS', 'LIST UPS');
      if (!rows.ok) return rows;
      return ok(rows.value.filter((w) => w[0] === 'UPS' && w[1]).map((w) => ({ name: w[1]!, description: w[2] ?? '' })));
    });
  }

  /** Every variable of one UPS (`LIST VAR`), typed. */
  vars(ups: string): Promise<Result<UpsState>> {
    if (!NAME_RE.test(ups)) return Promise.resolve(err(serviceError(SERVICE, 'rejected', 'invalid UPS name')));
    return this.session(async (s) => {
      const rows = await s.list(`VAR ${ups}`, `LIST VAR ${ups}`);
      if (!rows.ok) return rows;
      const raw: Record<string, string> = {};
      for (const w of rows.value) if (w[0] === 'VAR' && w[2] !== undefined) raw[w[2]] = w[3] ?? '';
      return ok(toUpsState(ups, raw));
    });
  }

  /** One variable (`GET VAR`). */
  get(ups: string, name: string): Promise<Result<string>> {
    if (!NAME_RE.test(ups) || !NAME_RE.test(name)) {
      return Promise.resolve(err(serviceError(SERVICE, 'rejected', 'invalid UPS or variable name')));
    }
    return this.session(async (s) => {
      const r = await s.command(`GET VAR ${ups} ${name}`, `GET VAR ${ups} ${name}`);
      if (!r.ok) return r;
      if (r.value[0] !== 'VAR' || r.value[3] === undefined) return err(serviceError(SERVICE, 'protocol', 'unexpected GET VAR reply'));
      return ok(r.value[3]);
    });
  }

  private async session<T>(run: (s: Session) => Promise<Result<T>>): Promise<Result<T>> {
    const opened = await Session.open(this.opts);
    if (!opened.ok) return opened;
    const s = opened.value;
    try {
      if (this.opts.username !== undefined) {
        const u = await s.command(`USERNAME ${quote(this.opts.username)}`, 'USERNAME');
        if (!u.ok) return u;
        // The password goes on the wire only; the context string never contains it.
        const p = await s.command(`PASSWORD ${quote(this.opts.password ?? '')}`, 'PASSWORD');
        if (!p.ok) return p;
      }
      return await run(s);
    } finally {
      s.close();
    }
  }
}

/** A socket error code in the words every other client uses (a named reason, translated in replies). */
function socketError(code: string | undefined): ServiceError {
  if (code === 'ECONNREFUSED') return reasonedError(SERVICE, 'unreachable', 'connection-refused', 'connection refused');
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return reasonedError(SERVICE, 'unreachable', 'host-not-found', 'host name not found');
  if (code === 'ECONNRESET' || code === 'EPIPE') return reasonedError(SERVICE, 'unreachable', 'connection-reset', 'connection reset');
  return reasonedError(SERVICE, 'unreachable', 'connection-failed', `connection failed (${code ?? 'error'})`);
}
