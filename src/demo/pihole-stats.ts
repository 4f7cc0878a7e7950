/**
 * The fake Pi-hole's read-only metrics: /api/stats/* and the /api/queries log, computed from
 * the remembered queries (FTL src/api/stats.c and queries.c semantics: the `blocklist`,
 * `cache` and `permitted` pseudo-upstreams, `*` wildcards, cursor paging, newest first).
 */
import { ALL_STATUSES, BLOCKED_STATUSES, type FakeQuery } from './pihole-data.ts';

/** A reply to send: status and JSON body (without `took`). */
export interface StatsReply {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

const isBlocked = (q: FakeQuery): boolean => BLOCKED_STATUSES.includes(q.status);
const errBody = (key: string, message: string, hint: string | null) => ({ error: { key, message, hint } });

/** Answers a GET on a stats or queries path (relative to /api), or undefined when it is not one. */
export function statsRoute(path: string, url: URL, queries: readonly FakeQuery[], nowSec: number): StatsReply | undefined {
  switch (path) {
    case '/stats/summary':
      return { status: 200, body: summary(queries, nowSec) };
    case '/stats/top_domains':
      return { status: 200, body: topDomains(queries, url) };
    case '/stats/top_clients':
      return { status: 200, body: topClients(queries, url) };
    case '/stats/recent_blocked': {
      const count = intParam(url, 'count') ?? 1;
      return {
        status: 200,
        body: {
          blocked: queries
            .filter(isBlocked)
            .slice(-count)
            .reverse()
            .map((q) => q.domain),
        },
      };
    }
    case '/queries':
      return queryLog(queries, url);
    default:
      return undefined;
  }
}

function summary(queries: readonly FakeQuery[], nowSec: number): Record<string, unknown> {
  const blocked = queries.filter(isBlocked).length;
  const cached = queries.filter((q) => q.status === 'CACHE').length;
  const total = queries.length;
  const status: Record<string, number> = {};
  for (const s of ALL_STATUSES) status[s] = queries.filter((q) => q.status === s).length;
  const types: Record<string, number> = {};
  for (const t of [
    'A',
    'AAAA',
    'ANY',
    'SRV',
    'SOA',
    'PTR',
    'TXT',
    'NAPTR',
    'MX',
    'DS',
    'RRSIG',
    'DNSKEY',
    'NS',
    'SVCB',
    'HTTPS',
    'OTHER',
  ]) {
    types[t] = queries.filter((q) => q.type === t).length;
  }
  const dayAgo = nowSec - 86400;
  return {
    queries: {
      total,
      blocked,
      percent_blocked: total === 0 ? 0 : Math.round((blocked / total) * 1000) / 10,
      unique_domains: new Set(queries.map((q) => q.domain)).size,
      forwarded: total - blocked - cached,
      cached,
      frequency: Math.round((total / 86400) * 100) / 100,
      types,
      status,
      replies: {
        UNKNOWN: 0,
        NODATA: 0,
        NXDOMAIN: 0,
        CNAME: 0,
        IP: total,
        DOMAIN: 0,
        RRNAME: 0,
        SERVFAIL: 0,
        REFUSED: 0,
        NOTIMP: 0,
        OTHER: 0,
        DNSSEC: 0,
        NONE: 0,
        BLOB: 0,
      },
    },
    clients: {
      active: new Set(queries.filter((q) => q.time >= dayAgo).map((q) => q.clientIp)).size,
      total: new Set(queries.map((q) => q.clientIp)).size,
    },
    gravity: { domains_being_blocked: 121_557, last_update: nowSec - 3 * 86400 },
  };
}

function topDomains(queries: readonly FakeQuery[], url: URL): Record<string, unknown> {
  const blocked = url.searchParams.get('blocked') === 'true';
  const count = intParam(url, 'count') ?? 10;
  const counts = tally(queries.filter((q) => isBlocked(q) === blocked).map((q) => q.domain));
  const domains = counts.slice(0, count).map(([domain, n]) => ({ domain, count: n }));
  return { domains, total_queries: queries.length, blocked_queries: queries.filter(isBlocked).length };
}

function topClients(queries: readonly FakeQuery[], url: URL): Record<string, unknown> {
  const blocked = url.searchParams.get('blocked') === 'true';
  const count = intParam(url, 'count') ?? 10;
  const pool = blocked ? queries.filter(isBlocked) : queries;
  const names = new Map(queries.map((q) => [q.clientIp, q.clientName]));
  const clients = tally(pool.map((q) => q.clientIp))
    .slice(0, count)
    .map(([ip, n]) => ({ ip, name: names.get(ip) ?? '', count: n }));
  return { clients, total_queries: queries.length, blocked_queries: queries.filter(isBlocked).length };
}

function queryLog(queries: readonly FakeQuery[], url: URL): StatsReply {
  const p = url.searchParams;
  const status = p.get('status');
  if (status && !ALL_STATUSES.some((s) => s.toLowerCase() === status.toLowerCase())) {
    return { status: 400, body: errBody('bad_request', 'Requested status is invalid', status) };
  }
  const largest = queries.length === 0 ? 0 : queries[queries.length - 1]!.id;
  const cursorRaw = p.get('cursor');
  const cursor = cursorRaw === null ? largest : Number(cursorRaw);
  if (!Number.isInteger(cursor) || cursor < 0 || cursor > largest) {
    return { status: 400, body: errBody('bad_request', 'Requested cursor is invalid', 'Cursor larger than largest database index') };
  }
  const like = (value: string | null, pattern: string | null): boolean =>
    pattern === null || pattern === '' || (value !== null && wildcard(pattern).test(value));
  const upstream = p.get('upstream');
  const from = p.get('from');
  const until = p.get('until');
  const filtered = queries
    .filter(
      (q) =>
        q.id <= cursor &&
        (from === null || q.time >= Number(from)) &&
        (until === null || q.time < Number(until)) &&
        like(q.domain, p.get('domain')) &&
        like(q.clientIp, p.get('client_ip')) &&
        like(q.clientName, p.get('client_name')) &&
        (status === null || q.status.toLowerCase() === status.toLowerCase()) &&
        (upstream === null ||
          upstream === '' ||
          (upstream === 'blocklist'
            ? isBlocked(q)
            : upstream === 'cache'
              ? q.status === 'CACHE'
              : upstream === 'permitted'
                ? !isBlocked(q)
                : like(q.upstream, upstream))),
    )
    .reverse();
  let length = intParam(url, 'length') ?? 100;
  if (length <= 0 || length > 10_000) length = 10_000;
  const start = intParam(url, 'start') ?? 0;
  const page = filtered.slice(start, start + length).map((q) => ({
    id: q.id,
    time: q.time,
    type: q.type,
    domain: q.domain,
    cname: null,
    status: q.status,
    client: { ip: q.clientIp, name: q.clientName },
    dnssec: 'INSECURE',
    reply: { type: 'IP', time: isBlocked(q) ? 0.1 : 12.5 },
    list_id: isBlocked(q) ? 1 : null,
    upstream: q.upstream,
    ede: { code: -1, text: null },
  }));
  return {
    status: 200,
    body: { queries: page, cursor, recordsTotal: queries.length, recordsFiltered: filtered.length, draw: intParam(url, 'draw') ?? 0 },
  };
}

function intParam(url: URL, name: string): number | undefined {
  const v = url.searchParams.get(name);
  if (v === null || v === '') return undefined;
  const n = Number(v);
  return Number.isInteger(n) ? n : undefined;
}

/** FTL filter semantics: `*` matches anything, otherwise the whole value must match. */
function wildcard(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`, 'i');
}

function tally(values: string[]): [string, number][] {
  const m = new Map<string, number>();
  for (const v of values) m.set(v, (m.get(v) ?? 0) + 1);
  return [...m.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}
