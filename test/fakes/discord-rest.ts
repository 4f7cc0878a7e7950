/**
 * The REST side of the fake Discord (`/api/v10/...`): routing, Bot-token auth (interaction and
 * webhook routes take none), JSON and multipart bodies, rate-limit headers on every answer from
 * per-route buckets, injected faults (429 with retry_after, 5xx, 403) and the call log.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CallLog, FaultQueue, type CallBase } from './calls.ts';
import { DiscordError } from './discord-messages.ts';
import { multipartBoundary, parseMultipart, readBody, type FormPart } from './multipart.ts';

/** One REST request as the fake saw it. */
export interface DiscordCall extends CallBase {
  readonly method: string;
  /** Route key, e.g. `POST /channels/:channel/messages`; use it with waitForCall and failNext. */
  readonly route: string;
  readonly path: string;
  readonly params: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string>>;
  /** The Authorization header, if any. */
  readonly auth: string | undefined;
  /** JSON body, or the parsed payload_json of a multipart body. */
  readonly body: unknown;
  /** File parts of a multipart body (`files[n]`). */
  readonly files: readonly FormPart[];
  readonly response: unknown;
}

/** A fault to inject on a route: 429 (optionally global), a server error or any Discord error. */
export interface DiscordFault {
  readonly status: number;
  /** Seconds for a 429 (body retry_after; the Retry-After header is rounded up). Default 1. */
  readonly retryAfter?: number;
  /** A global rate limit (X-RateLimit-Global, scope global). */
  readonly global?: boolean;
  /** Discord JSON error code, e.g. 50013. */
  readonly code?: number;
  readonly message?: string;
}

/** What a route handler gets. */
export interface RouteContext {
  readonly params: Record<string, string>;
  readonly query: URLSearchParams;
  readonly body: unknown;
  readonly files: readonly FormPart[];
}

export type RouteHandler = (ctx: RouteContext) => { status: number; body?: unknown };

/** A route: method, template with :params, handler, and whether a Bot token is required. */
export interface Route {
  readonly method: string;
  readonly template: string;
  readonly handler: RouteHandler;
  readonly auth: boolean;
}

/** Buckets of `limit` requests per `windowMs`, keyed by route and major parameter. */
class Buckets {
  private readonly state = new Map<string, { used: number; resetAt: number }>();
  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  take(key: string, now = Date.now()): { limit: number; remaining: number; resetAt: number; exceeded: boolean } {
    let b = this.state.get(key);
    if (!b || now >= b.resetAt) this.state.set(key, (b = { used: 0, resetAt: now + this.windowMs }));
    const exceeded = b.used >= this.limit;
    if (!exceeded) b.used++;
    return { limit: this.limit, remaining: this.limit - b.used, resetAt: b.resetAt, exceeded };
  }
}

const MAJOR = ['channel', 'guild', 'webhook', 'interaction'];

function match(template: string, path: string): Record<string, string> | undefined {
  const t = template.split('/');
  const p = path.split('/');
  if (t.length !== p.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < t.length; i++) {
    const seg = decodeURIComponent(p[i] ?? '');
    const tk = t[i] ?? '';
    if (tk.startsWith(':')) params[tk.slice(1)] = seg;
    else if (tk !== seg) return undefined;
  }
  return params;
}

/** The REST request handler with its log, faults and bucket settings. */
export class FakeRest {
  readonly log = new CallLog<DiscordCall>();
  readonly faults = new FaultQueue<DiscordFault>();
  private readonly buckets: Buckets;

  constructor(
    private readonly routes: readonly Route[],
    private readonly token: string,
    rateLimit: { limit: number; windowMs: number },
  ) {
    this.buckets = new Buckets(rateLimit.limit, rateLimit.windowMs);
  }

  /** Serves one request under /api/v10. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = performance.now();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = (req.method ?? 'GET').toUpperCase();
    const path = url.pathname.replace(/^\/api\/v\d+/, '');
    const auth = req.headers.authorization;
    let route = `${method} ${path}`;
    let params: Record<string, string> = {};
    let body: unknown;
    let files: FormPart[] = [];
    const finish = (status: number, out: unknown, headers: Record<string, string> = {}): void => {
      if (!res.headersSent) {
        const json = out === undefined ? '' : JSON.stringify(out);
        res.writeHead(status, { ...headers, ...(json ? { 'content-type': 'application/json' } : {}) });
        res.end(json);
      }
      const query = Object.fromEntries(url.searchParams);
      this.log.add({ method, route, path, params, query, auth, body, files, status, response: out, at, doneAt: performance.now() });
    };
    const found = this.routes
      .filter((r) => r.method === method)
      .map((r) => ({ r, p: match(r.template, path) }))
      .find((x) => x.p !== undefined);
    if (!found || !found.p) return finish(404, { message: '404: Not Found', code: 0 });
    route = `${method} ${found.r.template}`;
    params = found.p;
    try {
      ({ body, files } = await parseBody(req));
    } catch {
      return finish(400, { message: '400: Bad Request', code: 0 });
    }
    const major =
      MAJOR.filter((k) => params[k] !== undefined)
        .map((k) => `${k}=${params[k]}`)
        .join('&') || '-';
    const bucketKey = `${found.r.template}|${major}`;
    const bucket = this.buckets.take(bucketKey);
    const hash = createHash('sha1').update(`${method} ${found.r.template}`).digest('hex').slice(0, 16);
    const rl = (remaining: number, resetAfterS: number): Record<string, string> => ({
      'x-ratelimit-limit': String(bucket.limit),
      'x-ratelimit-remaining': String(remaining),
      'x-ratelimit-reset': ((Date.now() + resetAfterS * 1000) / 1000).toFixed(3),
      'x-ratelimit-reset-after': resetAfterS.toFixed(3),
      'x-ratelimit-bucket': hash,
    });
    const natural = rl(bucket.remaining, Math.max(0, (bucket.resetAt - Date.now()) / 1000));
    if (found.r.auth && auth !== `Bot ${this.token}`) return finish(401, { message: '401: Unauthorized', code: 0 }, natural);
    const fault = this.faults.take(route);
    if (fault) return finish(fault.status, ...faultReply(fault, rl));
    if (bucket.exceeded) {
      const wait = Math.max(0.001, (bucket.resetAt - Date.now()) / 1000);
      return finish(429, ...faultReply({ status: 429, retryAfter: wait }, rl));
    }
    try {
      const out = found.r.handler({ params, query: url.searchParams, body, files });
      finish(out.status, out.body, natural);
    } catch (e) {
      if (!(e instanceof DiscordError)) throw e;
      finish(e.status, e.body, { ...natural, ...e.headers });
    }
  }
}

function faultReply(
  f: DiscordFault,
  rl: (remaining: number, resetAfterS: number) => Record<string, string>,
): [unknown, Record<string, string>] {
  if (f.status === 429) {
    const s = f.retryAfter ?? 1;
    const headers = {
      ...rl(0, s),
      'retry-after': String(Math.ceil(s)),
      'x-ratelimit-scope': f.global ? 'global' : 'user',
      ...(f.global ? { 'x-ratelimit-global': 'true' } : {}),
    };
    return [
      {
        message: f.message ?? 'You are being rate limited.',
        retry_after: s,
        global: Boolean(f.global),
        ...(f.code ? { code: f.code } : {}),
      },
      headers,
    ];
  }
  const defaults: Record<number, [number, string]> = {
    403: [50013, 'Missing Permissions'],
    404: [10003, 'Unknown Channel'],
    500: [0, '500: Internal Server Error'],
    502: [0, '502: Bad Gateway'],
  };
  const [code, message] = defaults[f.status] ?? [0, `${f.status}`];
  return [{ message: f.message ?? message, code: f.code ?? code }, rl(1, 1)];
}

async function parseBody(req: IncomingMessage): Promise<{ body: unknown; files: FormPart[] }> {
  const raw = await readBody(req);
  const type = req.headers['content-type'];
  const boundary = multipartBoundary(type);
  if (boundary) {
    const parts = parseMultipart(raw, boundary);
    const payload = parts.find((p) => p.name === 'payload_json');
    return {
      body: payload ? (JSON.parse(payload.data.toString('utf8')) as unknown) : {},
      files: parts.filter((p) => p.name !== 'payload_json' && p.filename !== undefined),
    };
  }
  if (raw.length === 0) return { body: undefined, files: [] };
  return { body: JSON.parse(raw.toString('utf8')) as unknown, files: [] };
}
