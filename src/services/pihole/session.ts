/**
 * Pi-hole v6 session handling: one SID per bot, reused for every call, renewed only when the
 * API answers 401, and given back (DELETE /api/auth) on close. Pi-hole has a small number of
 * API seats (webserver.api.max_sessions, default 16, held for 30 min each); a bot that logs in
 * per request locks out the household's own browser within minutes.
 */
import type { Dispatcher } from 'undici';
import type * as z from 'zod';
import { err, ok, serviceError, type Result, type ServiceError } from '../../core/errors.ts';
import { HttpClient, parseJson, type HttpOptions, type HttpResponse, type RequestOptions } from '../http.ts';
import { AuthReply, ErrorEnvelope } from './schemas.ts';

/** Where the Pi-hole is, its password, and the name it has in errors and logs. */
export interface PiholeOptions extends HttpOptions {
  /** Web password or (better) an app password; never logged, never in errors. */
  readonly password: string;
  /** Name in ServiceErrors and logs (default `pihole`). */
  readonly service?: string;
}

/** Authenticated transport for the Pi-hole API; the client builds on it. */
export class PiholeSession {
  readonly service: string;
  private readonly http: HttpClient;
  /** undefined = no session yet; null = this Pi-hole needs no password. */
  private sid: string | null | undefined;
  private pendingLogin: Promise<Result<string | null>> | undefined;
  private closed = false;
  private logins = 0;

  constructor(private readonly opts: PiholeOptions) {
    this.service = opts.service ?? 'pihole';
    this.http = new HttpClient(this.service, opts);
  }

  /** How many times this client logged in (tests check that the SID is reused). */
  get loginCount(): number {
    return this.logins;
  }

  /** Sends an authenticated request; a 401 triggers one re-login and one retry. */
  async request(method: Dispatcher.HttpMethod, path: string, opts: RequestOptions = {}): Promise<Result<HttpResponse>> {
    if (this.closed) return err(serviceError(this.service, 'rejected', 'the Pi-hole client is closed'));
    for (let attempt = 0; ; attempt++) {
      const sid = await this.session();
      if (!sid.ok) return sid;
      const headers = { ...opts.headers, ...(sid.value ? { 'X-FTL-SID': sid.value } : {}) };
      const res = await this.http.request(method, `api/${path}`, { ...opts, headers });
      if (!res.ok || res.value.status !== 401 || attempt > 0) return res;
      // Expired or revoked (timeout, FTL restart, new app password): forget it, log in again.
      if (this.sid === sid.value) this.sid = undefined;
    }
  }

  /** Sends a request and parses a 2xx JSON reply; anything else becomes a ServiceError. */
  async json<S extends z.ZodType>(
    method: Dispatcher.HttpMethod,
    path: string,
    schema: S,
    opts: RequestOptions = {},
  ): Promise<Result<z.infer<S>>> {
    const res = await this.request(method, path, opts);
    if (!res.ok) return res;
    if (res.value.status < 200 || res.value.status >= 300) return err(this.replyError(res.value));
    return parseJson(this.service, res.value.text, schema);
  }

  /** Maps a non-2xx reply (Pi-hole error envelope) to a ServiceError without secrets. */
  replyError(res: HttpResponse): ServiceError {
    const s = this.service;
    const env = ErrorEnvelope.safeParse(safeJson(res.text));
    const key = env.success ? env.data.error.key : undefined;
    const message = env.success ? (env.data.error.message ?? '') : '';
    const hint = env.success && typeof env.data.error.hint === 'string' ? env.data.error.hint : '';
    const said = [message, hint].filter(Boolean).join(': ');
    switch (res.status) {
      case 400:
        return serviceError(s, 'rejected', said || 'bad request', 400);
      case 401:
        return serviceError(s, 'auth', 'the session was refused right after logging in', 401);
      case 403:
        return serviceError(s, 'rejected', 'not allowed for this session (app password without app_sudo?)', 403);
      case 404:
        return serviceError(s, 'rejected', 'not found', 404);
      case 429:
        return key === 'api_seats_exceeded'
          ? serviceError(s, 'rejected', 'all API sessions are in use (webserver.api.max_sessions); wait for old ones to expire', 429)
          : serviceError(s, 'rejected', 'too many requests; try again in a minute', 429);
      case 502:
      case 503:
      case 504:
        return serviceError(s, 'unreachable', `not available (HTTP ${res.status})`, res.status);
      default:
        return res.status >= 500
          ? serviceError(s, 'protocol', `internal error on the Pi-hole (HTTP ${res.status})`, res.status)
          : serviceError(s, 'protocol', `unexpected HTTP ${res.status}`, res.status);
    }
  }

  /** Logs out (frees the API seat) and closes connections. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // A poll or login hung on the backend ends now; the logout below has its own short bound.
    this.http.abortRequests();
    await this.pendingLogin;
    if (typeof this.sid === 'string') {
      await this.http.request('DELETE', 'api/auth', { headers: { 'X-FTL-SID': this.sid }, timeoutMs: 3000 });
    }
    this.sid = undefined;
    await this.http.close();
  }

  private session(): Promise<Result<string | null>> {
    if (this.sid !== undefined) return Promise.resolve(ok(this.sid));
    // Concurrent callers share one login, so a burst of commands costs one seat.
    this.pendingLogin ??= this.login().finally(() => {
      this.pendingLogin = undefined;
    });
    return this.pendingLogin;
  }

  private async login(): Promise<Result<string | null>> {
    const s = this.service;
    const res = await this.http.request('POST', 'api/auth', { json: { password: this.opts.password } });
    if (!res.ok) return res;
    const { status, text } = res.value;
    if (status === 200) {
      const parsed = parseJson(s, text, AuthReply);
      if (!parsed.ok) return parsed;
      if (!parsed.value.session.valid) return err(serviceError(s, 'auth', 'password rejected', 200));
      this.sid = parsed.value.session.sid;
      this.logins++;
      return ok(this.sid);
    }
    if (status === 401) {
      const env = ErrorEnvelope.safeParse(safeJson(text));
      const totp = env.success && /2FA/i.test(env.data.error.message ?? '');
      return err(serviceError(s, 'auth', totp ? 'two-factor code refused; use an app password' : 'password rejected', 401));
    }
    if (status === 400) {
      const env = ErrorEnvelope.safeParse(safeJson(text));
      if (env.success && /2FA/i.test(env.data.error.message ?? '')) {
        return err(serviceError(s, 'auth', 'two-factor authentication is on; use an app password', 400));
      }
    }
    return err(this.replyError(res.value));
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
