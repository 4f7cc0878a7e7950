import type { Agent, buildConnector, Dispatcher } from 'undici';
import type { TLSSocket } from 'node:tls';
import type * as z from 'zod';
import { err, ok, reasonedError, type Result, type ServiceError } from '../core/errors.ts';
import { readCapped } from '../core/capped-body.ts';
import { loadUndici, type Undici } from '../core/undici.ts';

/** Connection settings shared by every HTTP backend. */
export interface HttpOptions {
  /** e.g. `https://192.0.2.10:8006`; no trailing slash needed. */
  readonly baseUrl: string;
  readonly timeoutMs?: number;
  /**
   * SHA-256 fingerprint of a self-signed certificate to trust (`AA:BB:…` or plain hex).
   * Chain verification stays on for every backend without a pin.
   */
  readonly fingerprint?: string;
  /** Extra CA certificate (PEM) to trust, e.g. Proxmox's pve-root-ca.pem. */
  readonly ca?: string;
  /** Most bytes one reply may have (default {@link DEFAULT_MAX_RESPONSE_BYTES}); more is a `protocol` error. */
  readonly maxResponseBytes?: number;
}

/** Reply-size cap when a client names none: far above any normal reply, far below harm. */
export const DEFAULT_MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

/** Cap for calls known to return long lists (all torrents with their files, a task log). */
export const LARGE_RESPONSE_BYTES = 32 * 1024 * 1024;

/** A response of any HTTP status; the client decides what each status means. */
export interface HttpResponse {
  readonly status: number;
  /** HTTP reason phrase; Proxmox 7 puts its error message only here. */
  readonly statusText: string;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  /** Raw bytes (binary bodies). */
  readonly bytes: Buffer;
}

/** One request's headers, query, body and per-call bounds (the client's defaults otherwise). */
export interface RequestOptions {
  readonly headers?: Record<string, string>;
  readonly query?: Record<string, string | number | boolean | undefined>;
  /** JSON body (serialised), form body (urlencoded) or raw text. */
  readonly json?: unknown;
  readonly form?: Record<string, string | number | boolean>;
  readonly body?: string | Buffer;
  readonly timeoutMs?: number;
  /** Overrides the client's reply-size cap for this call. */
  readonly maxBytes?: number;
}

/** Normalises `AA:bb:cc` / `aabbcc` fingerprints for comparison. */
export function normaliseFingerprint(fp: string): string {
  return fp
    .replace(/^sha256[:/]?/i, '')
    .replace(/[^0-9a-f]/gi, '')
    .toLowerCase();
}

class PinMismatchError extends Error {
  readonly code = 'ERR_CERT_PIN_MISMATCH';
}

/**
 * undici wrapper for one backend: keep-alive, per-request timeout, optional certificate
 * pinning, and transport failures mapped to typed ServiceErrors (grammY's error.ts idea).
 */
export class HttpClient {
  /** Created on the first request (see loadUndici). */
  private agent: Promise<{ agent: Agent; request: Undici['request'] }> | undefined;
  private readonly base: URL;
  private readonly timeoutMs: number;
  private readonly maxResponseBytes: number;
  private readonly pin: string | undefined;
  /** Aborted by abortRequests()/close(): requests still waiting on the backend end then, not at their timeout. */
  private inFlight = new AbortController();

  constructor(
    readonly service: string,
    private readonly opts: HttpOptions,
  ) {
    this.base = new URL(opts.baseUrl.endsWith('/') ? opts.baseUrl : `${opts.baseUrl}/`);
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.maxResponseBytes = opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    this.pin = opts.fingerprint ? normaliseFingerprint(opts.fingerprint) : undefined;
  }

  /** The keep-alive pool of this backend, with the pin checked on every new connection. */
  private dispatcher(): Promise<{ agent: Agent; request: Undici['request'] }> {
    this.agent ??= loadUndici().then((u) => ({ agent: this.createAgent(u), request: u.request }));
    return this.agent;
  }

  private createAgent(u: Undici): Agent {
    const pin = this.pin;
    // With a pin the CA chain is not consulted: the pin itself is the trust decision,
    // checked below before a single byte of the request is written.
    const connector = u.buildConnector({
      rejectUnauthorized: pin === undefined,
      // A resumed TLS session presents no certificate, so the pin could not be checked:
      // with a pin every connection does a full handshake.
      ...(pin ? { maxCachedSessions: 0 } : {}),
      ...(this.opts.ca ? { ca: this.opts.ca } : {}),
      timeout: this.timeoutMs,
    });
    const connect: buildConnector.connector = (options, callback) => {
      connector(options, (error, socket) => {
        if (error || !socket) return callback(error ?? new Error('no socket'), null);
        if (pin && 'getPeerCertificate' in socket) {
          const cert = (socket as TLSSocket).getPeerCertificate();
          if (!cert?.fingerprint256 || normaliseFingerprint(cert.fingerprint256) !== pin) {
            socket.destroy();
            return callback(new PinMismatchError('certificate does not match the pinned fingerprint'), null);
          }
        }
        return callback(null, socket);
      });
    };
    return new u.Agent({
      connect,
      keepAliveTimeout: 30_000,
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
    });
  }

  /** Sends one request; only transport failures become errors, every status is returned. */
  async request(method: Dispatcher.HttpMethod, path: string, opts: RequestOptions = {}): Promise<Result<HttpResponse>> {
    const url = new URL(path.replace(/^\//, ''), this.base);
    for (const [k, v] of Object.entries(opts.query ?? {})) {
      if (v !== undefined) url.searchParams.set(k, String(v));
    }
    const headers: Record<string, string> = { ...opts.headers };
    let body: string | Buffer | undefined = opts.body;
    if (opts.json !== undefined) {
      body = JSON.stringify(opts.json);
      headers['content-type'] ??= 'application/json';
    } else if (opts.form) {
      body = new URLSearchParams(Object.entries(opts.form).map(([k, v]): [string, string] => [k, String(v)])).toString();
      headers['content-type'] ??= 'application/x-www-form-urlencoded';
    }
    const timeout = opts.timeoutMs ?? this.timeoutMs;
    try {
      const { agent, request } = await this.dispatcher();
      const res = await request(url, {
        method,
        headers,
        body,
        dispatcher: agent,
        headersTimeout: timeout,
        bodyTimeout: timeout,
        signal: AbortSignal.any([AbortSignal.timeout(timeout), this.inFlight.signal]),
      });
      const bytes = await readCapped(res.body, opts.maxBytes ?? this.maxResponseBytes, res.headers['content-length']);
      if (bytes === 'too-large') {
        return err(
          reasonedError(
            this.service,
            'protocol',
            'reply-too-large',
            `the reply is larger than ${formatBytes(opts.maxBytes ?? this.maxResponseBytes)}`,
          ),
        );
      }
      return ok({ status: res.statusCode, statusText: res.statusText ?? '', headers: res.headers, bytes, text: bytes.toString('utf8') });
    } catch (e) {
      return err(this.transportError(e));
    }
  }

  /** Ends every request in flight now (as "no answer in time"); later requests go out as usual. */
  abortRequests(): void {
    this.inFlight.abort();
    this.inFlight = new AbortController();
  }

  /**
   * Closes pooled connections, aborting requests in flight first: a backend that accepted a
   * request and never answers would otherwise hold close() (and shutdown) until its timeout.
   */
  async close(): Promise<void> {
    this.abortRequests();
    if (this.agent) await (await this.agent).agent.close();
  }

  private transportError(e: unknown): ServiceError {
    const code = errorCode(e);
    const s = this.service;
    if (code === 'ERR_CERT_PIN_MISMATCH') {
      return reasonedError(s, 'unreachable', 'tls-pin-mismatch', 'its TLS certificate does not match the pinned fingerprint');
    }
    if (
      code === 'UND_ERR_HEADERS_TIMEOUT' ||
      code === 'UND_ERR_BODY_TIMEOUT' ||
      code === 'UND_ERR_CONNECT_TIMEOUT' ||
      code === 'ABORT_ERR' ||
      code === 'TimeoutError' ||
      code === 'ETIMEDOUT'
    ) {
      return reasonedError(s, 'timeout', 'no-answer', 'no answer in time');
    }
    if (code && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(code)) {
      return reasonedError(s, 'unreachable', 'tls-untrusted', 'its TLS certificate is not trusted (pin its fingerprint in the config)');
    }
    if (code === 'ECONNREFUSED') return reasonedError(s, 'unreachable', 'connection-refused', 'connection refused');
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return reasonedError(s, 'unreachable', 'host-not-found', 'host name not found');
    if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE') {
      return reasonedError(s, 'unreachable', 'connection-reset', 'connection reset');
    }
    return reasonedError(s, 'unreachable', 'connection-failed', code ? `connection failed (${code})` : 'connection failed');
  }
}

/** `4 MiB`, `512 KiB`: a cap as people read it. */
export function formatBytes(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}

function errorCode(e: unknown): string | undefined {
  let cur: unknown = e;
  for (let depth = 0; cur && depth < 4; depth++) {
    const o = cur as { code?: unknown; name?: unknown; cause?: unknown };
    if (typeof o.code === 'string') return o.code;
    if (o.name === 'TimeoutError' || o.name === 'AbortError') return o.name === 'AbortError' ? 'ABORT_ERR' : 'TimeoutError';
    cur = o.cause;
  }
  return undefined;
}

/** Parses a JSON body against a zod schema; a mismatch is a `protocol` error naming the service. */
export function parseJson<S extends z.ZodType>(service: string, text: string, schema: S): Result<z.infer<S>> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return err(reasonedError(service, 'protocol', 'reply-not-json', 'the reply is not valid JSON'));
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : 'reply';
    return err(reasonedError(service, 'protocol', 'reply-unexpected', `unexpected reply shape at ${where}`, { where }));
  }
  return ok(parsed.data);
}
