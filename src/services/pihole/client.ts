/**
 * Typed Pi-hole v6 client: blocking on/off with a timer, today's stats, the blocked-query log
 * and the allow/deny lists. Every reply is zod-parsed; failures come back as ServiceErrors.
 * Domains are expected to be validated already (see domain.ts).
 */
import { err, mapResult, ok, serviceError, type Result } from '../../core/errors.ts';
import { parseJson } from '../http.ts';
import {
  BlockingReply,
  ClientsReply,
  DomainsReply,
  GroupsReply,
  QueriesReply,
  RecentBlockedReply,
  SummaryReply,
  TopClientsReply,
  TopDomainsReply,
  ErrorEnvelope,
  type DomainRowT,
} from './schemas.ts';
import { PiholeSession, type PiholeOptions } from './session.ts';

export type { PiholeOptions } from './session.ts';

/** Allow or deny list. */
export type DomainType = 'allow' | 'deny';
/** Exact domain or regular expression. */
export type DomainKind = 'exact' | 'regex';

/** Blocking state; `timerSec` counts down to the automatic flip, null when permanent. */
export interface BlockingState {
  readonly state: 'enabled' | 'disabled' | 'failed' | 'unknown';
  readonly timerSec: number | null;
}

/** Today's numbers from /api/stats/summary. */
export interface PiholeSummary {
  readonly queriesTotal: number;
  readonly queriesBlocked: number;
  readonly percentBlocked: number;
  readonly uniqueDomains: number | null;
  readonly clientsActive: number;
  readonly clientsTotal: number;
  readonly gravityDomains: number | null;
  /** Last gravity (blocklist) update, ms since the epoch; null when unknown. */
  readonly gravityUpdatedAt: number | null;
}

/** A domain with how often it was asked for. */
export interface TopDomain {
  readonly domain: string;
  readonly count: number;
}

/** A client with its query count. */
export interface TopClient {
  readonly ip: string;
  readonly name: string | null;
  readonly count: number;
}

/** One blocked DNS query from the query log. */
export interface BlockedQuery {
  readonly id: number;
  /** ms since the epoch. */
  readonly at: number;
  readonly domain: string;
  readonly status: string;
  readonly clientIp: string;
  readonly clientName: string | null;
}

/** Filter for the blocked-query log; FTL supports `*` wildcards in each field. */
export interface BlockedQueryFilter {
  readonly clientIp?: string;
  readonly clientName?: string;
  readonly domain?: string;
  /** Most recent N (default 20, at most 500). */
  readonly limit?: number;
}

/** An allow/deny list entry. */
export interface DomainEntry {
  readonly id: number;
  readonly domain: string;
  readonly unicode: string;
  readonly type: DomainType;
  readonly kind: DomainKind;
  readonly comment: string | null;
  readonly enabled: boolean;
  /** ms since the epoch, when known. */
  readonly addedAt: number | null;
  /** Group ids the entry applies to (clients in those groups); `[0]` = Default = everyone. */
  readonly groups: readonly number[];
}

/** A client entry: an address (IP, MAC, host name) and the groups it belongs to. */
export interface ClientEntry {
  readonly client: string;
  readonly comment: string | null;
  readonly groups: readonly number[];
}

/** Outcome of adding an entry: `created: false` means it was already on that list. */
export type AddDomainOutcome = { readonly created: true; readonly entry: DomainEntry } | { readonly created: false };

/**
 * Statuses FTL counts as blocked: FTL src/datastructure.c `is_blocked()` (and the
 * `query->flags.blocked` switch in dnsmasq_interface.c), which include DBBUSY — a query
 * answered as blocked because the gravity database was busy.
 */
export const BLOCKED_STATUSES: ReadonlySet<string> = new Set([
  'GRAVITY',
  'REGEX',
  'DENYLIST',
  'EXTERNAL_BLOCKED_IP',
  'EXTERNAL_BLOCKED_NULL',
  'EXTERNAL_BLOCKED_NXRA',
  'GRAVITY_CNAME',
  'REGEX_CNAME',
  'DENYLIST_CNAME',
  'DBBUSY',
  'SPECIAL_DOMAIN',
  'EXTERNAL_BLOCKED_EDE15',
]);

const UNIQUE = /UNIQUE constraint failed/i;
const MAX_TIMER_SEC = 7 * 24 * 3600;

/** Pi-hole v6 API client holding one reusable session. Call close() on shutdown. */
export class PiholeClient {
  private readonly s: PiholeSession;

  constructor(opts: PiholeOptions) {
    this.s = new PiholeSession(opts);
  }

  /** Service name used in errors. */
  get service(): string {
    return this.s.service;
  }

  /** Logins performed so far (one per session lifetime when all is well). */
  get loginCount(): number {
    return this.s.loginCount;
  }

  /** Current blocking state and timer. */
  async blockingStatus(): Promise<Result<BlockingState>> {
    return mapResult(await this.s.json('GET', 'dns/blocking', BlockingReply), toBlocking);
  }

  /** Turns blocking on/off; with a timer Pi-hole flips back by itself after that many seconds. */
  async setBlocking(enabled: boolean, timerSeconds?: number): Promise<Result<BlockingState>> {
    if (timerSeconds !== undefined && !(Number.isInteger(timerSeconds) && timerSeconds > 0 && timerSeconds <= MAX_TIMER_SEC)) {
      return err(serviceError(this.service, 'rejected', 'timer must be a whole number of seconds, at most 7 days'));
    }
    const json = { blocking: enabled, timer: timerSeconds ?? null };
    return mapResult(await this.s.json('POST', 'dns/blocking', BlockingReply, { json }), toBlocking);
  }

  /** Queries and blocked queries today, clients, blocklist size. */
  async summary(): Promise<Result<PiholeSummary>> {
    return mapResult(await this.s.json('GET', 'stats/summary', SummaryReply), (r) => ({
      queriesTotal: r.queries.total,
      queriesBlocked: r.queries.blocked,
      percentBlocked: r.queries.percent_blocked,
      uniqueDomains: r.queries.unique_domains ?? null,
      clientsActive: r.clients.active,
      clientsTotal: r.clients.total,
      gravityDomains: r.gravity?.domains_being_blocked ?? null,
      gravityUpdatedAt: r.gravity?.last_update ? r.gravity.last_update * 1000 : null,
    }));
  }

  /** The most often blocked domains. */
  async topBlocked(count = 10): Promise<Result<TopDomain[]>> {
    const query = { blocked: true, count: clamp(count, 1, 100) };
    return mapResult(await this.s.json('GET', 'stats/top_domains', TopDomainsReply, { query }), (r) => r.domains);
  }

  /** The busiest clients. */
  async topClients(count = 10): Promise<Result<TopClient[]>> {
    const query = { count: clamp(count, 1, 100) };
    return mapResult(await this.s.json('GET', 'stats/top_clients', TopClientsReply, { query }), (r) =>
      r.clients.map((c) => ({ ip: c.ip, name: c.name ? c.name : null, count: c.count })),
    );
  }

  /** The last N blocked domain names (no client information). */
  async recentBlocked(count = 10): Promise<Result<string[]>> {
    const query = { count: clamp(count, 1, 100) };
    return mapResult(await this.s.json('GET', 'stats/recent_blocked', RecentBlockedReply, { query }), (r) => r.blocked);
  }

  /**
   * Recent blocked queries, newest first, optionally for one client or domain. Uses FTL's
   * `upstream=blocklist` pseudo-filter and re-checks the status here, because older FTL
   * versions ignore that filter.
   */
  async blockedQueries(filter: BlockedQueryFilter = {}): Promise<Result<BlockedQuery[]>> {
    const limit = clamp(filter.limit ?? 20, 1, 500);
    const query = {
      upstream: 'blocklist',
      length: limit,
      client_ip: filter.clientIp,
      client_name: filter.clientName,
      domain: filter.domain,
    };
    return mapResult(await this.s.json('GET', 'queries', QueriesReply, { query }), (r) =>
      r.queries
        .filter((q) => q.status !== null && BLOCKED_STATUSES.has(q.status))
        .map((q) => ({
          id: q.id,
          at: Math.round(q.time * 1000),
          domain: q.domain,
          status: q.status ?? 'UNKNOWN',
          clientIp: q.client.ip,
          clientName: q.client.name ? q.client.name : null,
        })),
    );
  }

  /** Entries of one list (or all lists when type/kind are omitted). */
  async listDomains(type?: DomainType, kind?: DomainKind): Promise<Result<DomainEntry[]>> {
    const path = ['domains', type, type ? kind : undefined].filter(Boolean).join('/');
    return mapResult(await this.s.json('GET', path, DomainsReply), (r) => r.domains.map(toEntry));
  }

  /** Adds an entry; an entry already on that list is reported as `created: false`, not an error. */
  async addDomain(type: DomainType, kind: DomainKind, domain: string, comment?: string): Promise<Result<AddDomainOutcome>> {
    if (domain.length === 0) return err(serviceError(this.service, 'rejected', 'empty domain'));
    const json = { domain, comment: comment ?? null, enabled: true };
    const res = await this.s.request('POST', `domains/${type}/${kind}`, { json });
    if (!res.ok) return res;
    const { status, text } = res.value;
    if (status === 400) {
      // Duplicate as documented in the spec: 400 database_error, hint "UNIQUE constraint failed".
      const env = ErrorEnvelope.safeParse(safeJson(text));
      if (env.success && env.data.error.key === 'database_error' && UNIQUE.test(String(env.data.error.hint ?? env.data.error.message))) {
        return ok({ created: false });
      }
    }
    if (status !== 201 && status !== 200) return err(this.s.replyError(res.value));
    const parsed = parseJson(this.service, text, DomainsReply);
    if (!parsed.ok) return parsed;
    // Newer FTL answers 201 and lists a duplicate under processed.errors instead.
    const failed = parsed.value.processed?.errors?.find((e) => e.item === domain || UNIQUE.test(e.error ?? ''));
    if (failed) {
      return UNIQUE.test(failed.error ?? '')
        ? ok({ created: false })
        : err(serviceError(this.service, 'rejected', failed.error ?? 'not added', status));
    }
    const row = parsed.value.domains.find((d) => d.type === type && d.kind === kind) ?? parsed.value.domains[0];
    if (!row) return err(serviceError(this.service, 'protocol', 'the new entry is missing from the reply'));
    return ok({ created: true, entry: toEntry(row) });
  }

  /** Removes an entry; `false` when it was not there (already removed by someone else). */
  async removeDomain(type: DomainType, kind: DomainKind, domain: string): Promise<Result<boolean>> {
    if (domain.length === 0) return err(serviceError(this.service, 'rejected', 'empty domain'));
    const res = await this.s.request('DELETE', `domains/${type}/${kind}/${encodeURIComponent(domain)}`);
    if (!res.ok) return res;
    if (res.value.status === 204 || res.value.status === 200) return ok(true);
    if (res.value.status === 404) return ok(false);
    return err(this.s.replyError(res.value));
  }

  /** The id of the group called `name`, creating it when missing (groups.yaml POST /groups). */
  async ensureGroup(name: string, comment: string): Promise<Result<number>> {
    const found = await this.s.json('GET', `groups/${encodeURIComponent(name)}`, GroupsReply);
    if (!found.ok) return found;
    const have = found.value.groups.find((g) => g.name === name);
    if (have) return ok(have.id);
    const made = await this.s.json('POST', 'groups', GroupsReply, { json: { name, comment, enabled: true } });
    if (!made.ok) return made;
    const g = made.value.groups.find((x) => x.name === name);
    return g ? ok(g.id) : err(serviceError(this.service, 'protocol', 'the new group is missing from the reply'));
  }

  /** One client entry, undefined when Pi-hole has none for that address. */
  async clientEntry(client: string): Promise<Result<ClientEntry | undefined>> {
    const r = await this.s.json('GET', `clients/${encodeURIComponent(client)}`, ClientsReply);
    if (!r.ok) return r;
    const c = r.value.clients.find((x) => x.client === client);
    return ok(c ? { client: c.client, comment: c.comment ?? null, groups: c.groups } : undefined);
  }

  /** Creates or replaces a client entry with exactly these groups (PUT "Created or Updated Item"). */
  async putClient(client: string, groups: readonly number[], comment: string): Promise<Result<void>> {
    const r = await this.s.json('PUT', `clients/${encodeURIComponent(client)}`, ClientsReply, { json: { comment, groups } });
    return r.ok ? ok(undefined) : r;
  }

  /** One list entry, undefined when absent. */
  async domainEntry(type: DomainType, kind: DomainKind, domain: string): Promise<Result<DomainEntry | undefined>> {
    const r = await this.s.json('GET', `domains/${type}/${kind}/${encodeURIComponent(domain)}`, DomainsReply);
    if (!r.ok) return r;
    const d = r.value.domains.find((x) => x.domain === domain && x.type === type && x.kind === kind);
    return ok(d ? toEntry(d) : undefined);
  }

  /** Creates or replaces a list entry applying to exactly these groups (domains.yaml PUT). */
  async putDomain(type: DomainType, kind: DomainKind, domain: string, groups: readonly number[], comment: string): Promise<Result<void>> {
    if (domain.length === 0 || groups.length === 0) return err(serviceError(this.service, 'rejected', 'empty domain or no group'));
    const json = { type, kind, comment, groups, enabled: true };
    const r = await this.s.json('PUT', `domains/${type}/${kind}/${encodeURIComponent(domain)}`, DomainsReply, { json });
    return r.ok ? ok(undefined) : r;
  }

  /** Logs out so the API seat is free again, and closes connections. */
  close(): Promise<void> {
    return this.s.close();
  }
}

function toBlocking(r: { blocking: BlockingState['state']; timer?: number | null | undefined }): BlockingState {
  return { state: r.blocking, timerSec: typeof r.timer === 'number' ? Math.round(r.timer) : null };
}

function toEntry(d: DomainRowT): DomainEntry {
  return {
    id: d.id,
    domain: d.domain,
    unicode: d.unicode ?? d.domain,
    type: d.type,
    kind: d.kind,
    comment: d.comment ?? null,
    enabled: d.enabled,
    addedAt: d.date_added ? d.date_added * 1000 : null,
    groups: d.groups ?? [0],
  };
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, Math.trunc(Number.isFinite(n) ? n : lo)));
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
