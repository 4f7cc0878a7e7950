/**
 * A protocol-faithful fake Pi-hole v6 (FTL) API on 127.0.0.1, for tests and demo mode.
 * Follows the OpenAPI spec and FTL's src/api/{auth,list,queries}.c: password login with a
 * seat limit, SID by body/header/cookie(+CSRF)/query, 401/429 shapes, sliding session
 * validity, blocking with a timer that flips back, domain lists, stats and the query log.
 * Time comes from `now()` and is evaluated lazily, so tests move it by hand.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { domainToASCII, domainToUnicode } from 'node:url';
import { SEED_DOMAINS, seedQueries, type FakeQuery } from './pihole-data.ts';
import { closeServer, JSON_UTF8, readBody, sendJson, serveLocal } from './http.ts';
import { statsRoute } from './pihole-stats.ts';
import { createGroupsAndClients } from './pihole-groups.ts';

/** The fake Pi-hole's password, session limits, clock, how it reports a duplicate, and whether to seed a day of data. */
export interface FakePiholeOptions {
  /** Web password; `''` means "no password set" (every endpoint open, sid null). */
  readonly password?: string;
  /** `webserver.api.max_sessions` (FTL default 16). */
  readonly maxSessions?: number;
  /** `webserver.session.timeout` in seconds (FTL default 1800). */
  readonly sessionTimeoutSec?: number;
  /** Milliseconds since the epoch; defaults to Date.now. */
  readonly now?: () => number;
  /**
   * How a duplicate domain is reported: `400` = `database_error` (spec example, PROTOCOLS §2.3);
   * `processed` = 201 with the UNIQUE error in `processed.errors` (FTL ≥ 6.1 list.c).
   */
  readonly duplicateMode?: '400' | 'processed';
  /** Seed the demo day of queries and list entries (default true). */
  readonly seed?: boolean;
}

/** Every route the fake serves, as spec path templates (checked by the contract test). */
export const PIHOLE_FAKE_ROUTES: readonly { readonly method: string; readonly specPath: string }[] = [
  { method: 'get', specPath: '/auth' },
  { method: 'post', specPath: '/auth' },
  { method: 'delete', specPath: '/auth' },
  { method: 'get', specPath: '/auth/sessions' },
  { method: 'delete', specPath: '/auth/session/{id}' },
  { method: 'get', specPath: '/dns/blocking' },
  { method: 'post', specPath: '/dns/blocking' },
  { method: 'get', specPath: '/stats/summary' },
  { method: 'get', specPath: '/stats/top_domains' },
  { method: 'get', specPath: '/stats/top_clients' },
  { method: 'get', specPath: '/stats/recent_blocked' },
  { method: 'get', specPath: '/queries' },
  // `{type}`, `{kind}` and `{domain}` are optional for GET (domains.yaml description).
  { method: 'get', specPath: '/domains/{type}/{kind}/{domain}' },
  { method: 'post', specPath: '/domains/{type}/{kind}' },
  { method: 'delete', specPath: '/domains/{type}/{kind}/{domain}' },
  { method: 'put', specPath: '/domains/{type}/{kind}/{domain}' },
  { method: 'get', specPath: '/groups/{name}' },
  { method: 'post', specPath: '/groups' },
  { method: 'delete', specPath: '/groups/{name}' },
  { method: 'get', specPath: '/clients/{client}' },
  { method: 'post', specPath: '/clients' },
  { method: 'put', specPath: '/clients/{client}' },
  { method: 'delete', specPath: '/clients/{client}' },
];

interface Session {
  sid: string;
  csrf: string;
  loginAt: number;
  validUntil: number;
  remoteAddr: string;
  userAgent: string;
}
interface DomainRow {
  id: number;
  domain: string;
  unicode: string;
  type: 'allow' | 'deny';
  kind: 'exact' | 'regex';
  comment: string | null;
  groups: number[];
  enabled: boolean;
  date_added: number;
  date_modified: number;
}

/** Handle on a running fake Pi-hole. */
export interface FakePihole {
  /** Base URL of the Pi-hole (the API lives under `/api`). */
  readonly url: string;
  close(): Promise<void>;
  /** Sessions currently holding a seat (used and not expired). */
  sessionCount(): number;
  /** Successful logins so far. */
  loginCount(): number;
  /** Makes every session invalid, as after its timeout (the seats free up). */
  expireSessions(): void;
  /** Fills every free seat with someone else's session (a browser tab left open, a leaky script). */
  occupyAllSeats(): void;
  /** Login attempts answer 429 rate_limiting while on. */
  setLoginRateLimited(on: boolean): void;
  /** The next matching request gets this raw reply instead (500, broken JSON…). */
  failNext(reply: { status: number; body: string; path?: string }): void;
  /** Appends a blocked query from a client (e.g. the TV asked for an ad domain). */
  addBlockedQuery(q: { domain: string; clientIp: string; clientName?: string | null; status?: string }): void;
  /** Current list entries (copies). */
  domains(): DomainRow[];
  /** Client entries (address, groups): which per-person groups each device is in. */
  clients(): { client: string; groups: number[]; comment: string | null }[];
  /** Group id by name (undefined when there is no such group). */
  groupId(name: string): number | undefined;
  /**
   * Whether an exact allow entry lets `domain` through for the client at `clientIp`: an
   * enabled entry sharing a group with the client (FTL's per-client gravity views).
   */
  allowedFor(clientIp: string, domain: string): boolean;
  /** Current blocking state, timers applied. */
  blocking(): { enabled: boolean; timerSec: number | null };
  /** Method and path of every request, for assertions. */
  readonly requests: { method: string; path: string }[];
}

const TYPE_INT = { allow: { exact: 0, regex: 2 }, deny: { exact: 1, regex: 3 } } as const;

/** Starts the fake on 127.0.0.1 with an ephemeral port. */
export async function startFakePihole(opts: FakePiholeOptions = {}): Promise<FakePihole> {
  const now = opts.now ?? Date.now;
  const nowSec = (): number => Math.floor(now() / 1000);
  const password = opts.password ?? 'demo-pihole';
  const maxSessions = opts.maxSessions ?? 16;
  const timeout = opts.sessionTimeoutSec ?? 1800;
  const seats: (Session | undefined)[] = new Array(maxSessions).fill(undefined);
  const queries: FakeQuery[] = opts.seed === false ? [] : seedQueries(nowSec());
  const rows: DomainRow[] = [];
  let nextDomainId = 1;
  let logins = 0;
  let rateLimited = false;
  let blockingEnabled = true;
  let timerEndsAt: number | null = null; // ms
  const failures: { status: number; body: string; path?: string }[] = [];
  const requests: { method: string; path: string }[] = [];

  const gc = createGroupsAndClients(nowSec);
  const addRow = (
    domain: string,
    type: 'allow' | 'deny',
    kind: 'exact' | 'regex',
    comment: string | null,
    groups: number[] = [0],
  ): DomainRow => {
    const t = nowSec();
    const row: DomainRow = {
      id: nextDomainId++,
      domain,
      unicode: kind === 'exact' ? domainToUnicode(domain) || domain : domain,
      type,
      kind,
      comment,
      groups,
      enabled: true,
      date_added: t,
      date_modified: t,
    };
    rows.push(row);
    return row;
  };
  if (opts.seed !== false) for (const d of SEED_DOMAINS) addRow(d.domain, d.type, d.kind, d.comment);

  const applyTimer = (): void => {
    if (timerEndsAt !== null && now() >= timerEndsAt) {
      blockingEnabled = !blockingEnabled; // "the opposite blocking mode is automatically set"
      timerEndsAt = null;
    }
  };
  const liveSeat = (s: Session | undefined): s is Session => s !== undefined && s.validUntil >= nowSec();

  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    void handle(req, res).catch(() => send(res, 500, { error: { key: 'internal_error', message: 'Internal server error', hint: null } }));
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = (req.method ?? 'GET').toUpperCase();
    requests.push({ method, path: url.pathname });
    const raw = await readBody(req);
    const failIdx = failures.findIndex((f) => !f.path || url.pathname.startsWith(f.path));
    if (failIdx >= 0) {
      const f = failures.splice(failIdx, 1)[0]!;
      res.writeHead(f.status, { 'content-type': JSON_UTF8 }).end(f.body);
      return;
    }
    if (!url.pathname.startsWith('/api/')) return send(res, 404, errBody('not_found', 'Not found', url.pathname));
    const path = url.pathname.slice(4);
    let json: unknown;
    let jsonOk = true;
    if (raw.length > 0) {
      try {
        json = JSON.parse(raw);
      } catch {
        jsonOk = false;
      }
    }
    const body = (jsonOk && json && typeof json === 'object' ? json : {}) as Record<string, unknown>;
    applyTimer();

    const user = authenticate(req, url, body);
    if (path === '/auth') return authRoute(method, res, raw, jsonOk, body, user);
    if (user === -1) return send(res, 401, errBody('unauthorized', 'Unauthorized', null));

    if (path === '/auth/sessions' && method === 'GET') return sessionsRoute(res, user);
    const del = /^\/auth\/session\/(.*)$/.exec(path);
    if (del && method === 'DELETE') {
      const id = Number(del[1]);
      if (!Number.isInteger(id) || del[1] === '') return send(res, 400, errBody('bad_request', 'Missing or invalid session ID', null));
      if (id < 0 || id >= maxSessions) return send(res, 400, errBody('bad_request', 'Session ID out of bounds', null));
      if (!seats[id]) return send(res, 400, errBody('bad_request', 'Session ID not in use', null));
      seats[id] = undefined;
      return void res.writeHead(204).end();
    }
    if (path === '/dns/blocking') return blockingRoute(method, res, raw, jsonOk, body);
    const stats = method === 'GET' ? statsRoute(path, url, queries, nowSec()) : undefined;
    if (stats) return send(res, stats.status, stats.body);
    if (path === '/domains' || path.startsWith('/domains/')) return domainsRoute(method, path, res, raw, jsonOk, body);
    const gcReply = gc.route(method, path, raw.length > 0 && jsonOk && json && typeof json === 'object' ? body : undefined);
    if (gcReply) return gcReply.status === 204 ? void res.writeHead(204).end() : send(res, gcReply.status, gcReply.body ?? {});
    return send(res, 404, errBody('not_found', 'Not found', `/api${path}`));
  }

  /** FTL check_client_auth: seat index, -2 when no password is set, -1 when unauthorised. */
  function authenticate(req: IncomingMessage, url: URL, body: Record<string, unknown>): number {
    if (password === '') return -2;
    let sid: string | undefined;
    let viaCookie = false;
    if (typeof body.sid === 'string') sid = body.sid;
    const header = req.headers.sid ?? req.headers['x-ftl-sid'];
    if (sid === undefined && typeof header === 'string') sid = header;
    if (sid === undefined) {
      const m = /(?:^|;\s*)sid=([^;]+)/.exec(req.headers.cookie ?? '');
      if (m?.[1]) {
        sid = decodeURIComponent(m[1]);
        viaCookie = true;
      }
    }
    if (sid === undefined) sid = url.searchParams.get('sid')?.replace(/ /g, '+') ?? undefined;
    if (sid === undefined) return -1;
    const i = seats.findIndex((s) => liveSeat(s) && s.sid === sid);
    if (i < 0) return -1;
    const s = seats[i]!;
    if (viaCookie && req.headers['x-csrf-token'] !== s.csrf) return -1;
    s.validUntil = nowSec() + timeout; // every authenticated request extends the session
    return i;
  }

  function sessionObject(user: number): Record<string, unknown> {
    if (user === -2) return { valid: true, totp: false, sid: null, csrf: null, validity: -1, message: 'no password set' };
    const s = user >= 0 ? seats[user] : undefined;
    if (s) return { valid: true, totp: false, sid: s.sid, csrf: s.csrf, validity: s.validUntil - nowSec(), message: 'correct password' };
    return { valid: false, totp: false, sid: null, csrf: null, validity: -1, message: 'password incorrect' };
  }

  function authRoute(method: string, res: ServerResponse, raw: string, jsonOk: boolean, body: Record<string, unknown>, user: number): void {
    if (method === 'GET') return send(res, user === -1 ? 401 : 200, { session: sessionObject(user) });
    if (method === 'DELETE') {
      if (user >= 0) {
        seats[user] = undefined;
        return void res.writeHead(204).end();
      }
      return send(res, 401, { session: sessionObject(user) });
    }
    if (method !== 'POST') return send(res, 404, errBody('not_found', 'Not found', '/api/auth'));
    if (raw.length === 0 || !jsonOk) return send(res, 400, errBody('bad_request', 'No valid JSON payload found', null));
    if (!('password' in body)) return send(res, 400, errBody('bad_request', 'No password found in JSON payload', null));
    if (typeof body.password !== 'string') return send(res, 400, errBody('bad_request', "Field password has to be of type 'string'", null));
    if (user !== -1 && body.password === '') return send(res, 200, { session: sessionObject(user) });
    if (user === -2) return send(res, 200, { session: sessionObject(-2) });
    if (rateLimited) return send(res, 429, errBody('rate_limiting', 'Rate-limiting login attempts', null));
    if (body.password !== password) return send(res, 401, { session: sessionObject(-1) });
    const free = seats.findIndex((s) => !liveSeat(s));
    if (free < 0) return send(res, 429, errBody('api_seats_exceeded', 'API seats exceeded', 'increase webserver.api.max_sessions'));
    const t = nowSec();
    seats[free] = { sid: token(), csrf: token(), loginAt: t, validUntil: t + timeout, remoteAddr: '127.0.0.1', userAgent: '' };
    logins++;
    return send(res, 200, { session: sessionObject(free) });
  }

  function sessionsRoute(res: ServerResponse, user: number): void {
    const sessions = seats.flatMap((s, id) =>
      s
        ? [
            {
              id,
              current_session: id === user,
              valid: s.validUntil >= nowSec(),
              tls: { login: false, mixed: false },
              app: false,
              cli: false,
              login_at: s.loginAt,
              last_active: s.validUntil - timeout,
              valid_until: s.validUntil,
              remote_addr: s.remoteAddr,
              user_agent: s.userAgent || null,
              x_forwarded_for: null,
            },
          ]
        : [],
    );
    send(res, 200, { sessions });
  }

  function blockingState(): Record<string, unknown> {
    const timer = timerEndsAt === null ? null : Math.max(0, (timerEndsAt - now()) / 1000);
    return { blocking: blockingEnabled ? 'enabled' : 'disabled', timer };
  }

  function blockingRoute(method: string, res: ServerResponse, raw: string, jsonOk: boolean, body: Record<string, unknown>): void {
    if (method === 'GET') return send(res, 200, blockingState());
    if (method !== 'POST') return send(res, 404, errBody('not_found', 'Not found', '/api/dns/blocking'));
    if (raw.length === 0 || !jsonOk) return send(res, 400, errBody('bad_request', 'Invalid request body data (no valid JSON)', null));
    if (typeof body.blocking !== 'boolean') return send(res, 400, errBody('body_error', 'No "blocking" boolean in body data', null));
    if (body.timer !== undefined && body.timer !== null && (typeof body.timer !== 'number' || body.timer < 0)) {
      return send(res, 400, errBody('body_error', 'Invalid "timer" value in body data', null));
    }
    blockingEnabled = body.blocking;
    timerEndsAt = typeof body.timer === 'number' && body.timer > 0 ? now() + body.timer * 1000 : null;
    send(res, 200, blockingState());
  }

  function domainsRoute(
    method: string,
    path: string,
    res: ServerResponse,
    raw: string,
    jsonOk: boolean,
    body: Record<string, unknown>,
  ): void {
    const parts = path.split('/').slice(2); // after "/domains"
    let type: 'allow' | 'deny' | undefined;
    let kind: 'exact' | 'regex' | undefined;
    if (parts[0] === 'allow' || parts[0] === 'deny') type = parts.shift() as 'allow' | 'deny';
    if (parts[0] === 'exact' || parts[0] === 'regex') kind = parts.shift() as 'exact' | 'regex';
    const item = parts.length > 0 ? decodeURIComponent(parts.join('/')) : '';
    const pick = (r: DomainRow): boolean => (!type || r.type === type) && (!kind || r.kind === kind) && (!item || r.domain === item);
    if (method === 'GET') return send(res, 200, { domains: rows.filter(pick) });
    if (!type || !kind) return send(res, 400, errBody('uri_error', 'Invalid request: Specify list to modify more precisely', null));
    if (method === 'DELETE') {
      if (!item) return send(res, 400, errBody('uri_error', 'Invalid request: Specify item in URI', null));
      const i = rows.findIndex(pick);
      if (i < 0) return send(res, 404, {});
      rows.splice(i, 1);
      return void res.writeHead(204).end();
    }
    if (method === 'PUT') {
      // Replace (or create: "Created or Updated domain", domains.yaml) one entry, groups included.
      if (!item) return send(res, 400, errBody('uri_error', 'Invalid request: Specify item in URI', null));
      if (raw.length === 0 || !jsonOk) return send(res, 400, errBody('bad_request', 'Invalid request body data (no valid JSON)', null));
      const ids = gc.groupIds(body.groups, [0]);
      if (!Array.isArray(ids)) return send(res, ids.status, ids.body ?? {});
      const c = typeof body.comment === 'string' && body.comment.length > 0 ? body.comment : null;
      let row = rows.find(pick);
      if (row) Object.assign(row, { comment: c, groups: ids, enabled: body.enabled !== false, date_modified: nowSec() });
      else row = addRow(kind === 'exact' ? domainToASCII(item) || item : item, type, kind, c, ids);
      return send(res, 200, { domains: [row], processed: { success: [{ item }], errors: [] } });
    }
    if (method !== 'POST') return send(res, 404, errBody('not_found', 'Not found', `/api${path}`));
    if (item) return send(res, 400, errBody('uri_error', 'Invalid request: Specify item in payload, not as URI parameter', null));
    const postGroups = gc.groupIds(body.groups, [0]);
    if (!Array.isArray(postGroups)) return send(res, postGroups.status, postGroups.body ?? {});
    if (raw.length === 0 || !jsonOk) return send(res, 400, errBody('bad_request', 'Invalid request body data (no valid JSON)', null));
    const items =
      typeof body.domain === 'string' && body.domain.length > 0
        ? [body.domain]
        : Array.isArray(body.domain) && body.domain.length > 0
          ? body.domain
          : undefined;
    if (!items || !items.every((d): d is string => typeof d === 'string')) {
      return send(res, 400, errBody('bad_request', 'Invalid request: No valid "domain" in payload (must be either string or array)', null));
    }
    const names: string[] = [];
    for (const d of items) {
      if (kind === 'regex') {
        try {
          new RegExp(d);
        } catch (e) {
          return send(res, 400, errBody('regex_error', 'Regex validation failed', (e as Error).message));
        }
        names.push(d);
        continue;
      }
      if (/[ \t\n]/.test(d))
        return send(res, 400, errBody('bad_request', 'Spaces, newlines and tabs are not allowed in domains and URLs', d));
      const ascii = domainToASCII(d);
      if (!ascii || !/^[a-z0-9_.-]+$/.test(ascii) || ascii.split('.').some((l) => l.length === 0 || l.length > 63)) {
        return send(res, 400, errBody('bad_request', 'Invalid domain', d));
      }
      names.push(ascii);
    }
    const comment = typeof body.comment === 'string' && body.comment.length > 0 ? body.comment : null;
    const success: { item: string }[] = [];
    const errors: { item: string; error: string }[] = [];
    const unique = 'UNIQUE constraint failed: domainlist.domain, domainlist.type';
    for (const d of names) {
      const dup = rows.some((r) => r.domain === d && TYPE_INT[r.type][r.kind] === TYPE_INT[type][kind]);
      if (dup && opts.duplicateMode !== 'processed') {
        return send(res, 400, errBody('database_error', 'Could not add to gravity database', unique));
      }
      if (dup) errors.push({ item: d, error: unique });
      else {
        addRow(d, type, kind, comment, postGroups);
        success.push({ item: d });
      }
    }
    const last = names[names.length - 1]!;
    res.setHeader('Location', `/api/domains/${type}/${kind}/${encodeURIComponent(last)}`);
    send(res, 201, {
      domains: rows.filter((r) => r.type === type && r.kind === kind && names.includes(r.domain)),
      processed: { success, errors },
    });
  }

  const { server, url } = await serveLocal(listener);
  return {
    url,
    requests,
    close: () => closeServer(server),
    sessionCount: () => seats.filter(liveSeat).length,
    loginCount: () => logins,
    expireSessions: () => {
      for (const s of seats) if (s) s.validUntil = nowSec() - 1;
    },
    occupyAllSeats: () => {
      const t = nowSec();
      for (let i = 0; i < seats.length; i++) {
        if (!liveSeat(seats[i]))
          seats[i] = { sid: token(), csrf: token(), loginAt: t, validUntil: t + timeout, remoteAddr: '192.168.1.21', userAgent: 'Firefox' };
      }
    },
    setLoginRateLimited: (on) => {
      rateLimited = on;
    },
    failNext: (reply) => {
      failures.push(reply);
    },
    addBlockedQuery: (q) => {
      const id = (queries[queries.length - 1]?.id ?? 0) + 1;
      queries.push({
        id,
        time: now() / 1000,
        type: 'A',
        domain: q.domain,
        status: q.status ?? 'GRAVITY',
        clientIp: q.clientIp,
        clientName: q.clientName ?? null,
        upstream: null,
      });
    },
    domains: () => rows.map((r) => ({ ...r, groups: [...r.groups] })),
    clients: () => gc.clients(),
    groupId: (name) => gc.groupId(name),
    allowedFor: (clientIp, domain) => {
      const mine = gc.groupsOf(clientIp);
      return rows.some(
        (r) => r.type === 'allow' && r.kind === 'exact' && r.enabled && r.domain === domain && r.groups.some((g) => mine.includes(g)),
      );
    },
    blocking: () => {
      applyTimer();
      return { enabled: blockingEnabled, timerSec: timerEndsAt === null ? null : (timerEndsAt - now()) / 1000 };
    },
  };
}

function send(res: ServerResponse, status: number, body: Record<string, unknown>): void {
  sendJson(res, status, { ...body, took: 0.003 }, { 'content-type': JSON_UTF8 });
}

function errBody(key: string, message: string, hint: string | null): Record<string, unknown> {
  return { error: { key, message, hint } };
}

function token(): string {
  return randomBytes(16).toString('base64');
}
