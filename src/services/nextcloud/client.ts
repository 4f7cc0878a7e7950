/**
 * Typed Nextcloud client: liveness and maintenance from status.php (no auth), health from the
 * serverinfo OCS API (NC-Token or an admin's app password), users from the provisioning API.
 * Always OCS v2 with `OCS-APIRequest: true` and `format=json` (PROTOCOLS §5.2).
 */
import { systemClock, type Clock } from '../../core/clock.ts';
import { err, ok, serviceError, type Result, type ServiceError } from '../../core/errors.ts';
import { HttpClient, parseJson, type HttpOptions, type HttpResponse } from '../http.ts';
import { OcsEnvelope, ServerInfoData, StatusReply, UsersData, num } from './schemas.ts';
import type * as z from 'zod';

/** Where the Nextcloud is and how the client signs in (admin app password and/or serverinfo token). */
export interface NextcloudOptions extends HttpOptions {
  /** Admin user for Basic auth (needed for the user list; optional for serverinfo with a token). */
  readonly username?: string;
  /** App password of that user (Settings → Security); never logged, never in errors. */
  readonly appPassword?: string;
  /** serverinfo token (`occ config:app:set serverinfo token --value …`), sent as NC-Token. */
  readonly serverinfoToken?: string;
  /** Name in ServiceErrors and logs (default `nextcloud`). */
  readonly service?: string;
  readonly clock?: Clock;
}

/**
 * After a refused login the client waits before trying again: every failure feeds Nextcloud's
 * brute-force throttler against the bot's address (slower answers, then 429 for everyone
 * there), so asking every poll would lock the household out of its own cloud.
 */
const AUTH_BACKOFF_FIRST_MS = 5 * 60_000;
const AUTH_BACKOFF_MAX_MS = 6 * 3_600_000;

/** What status.php says. */
export interface NextcloudStatus {
  readonly installed: boolean;
  readonly maintenance: boolean;
  readonly needsDbUpgrade: boolean;
  /** Full version, e.g. `30.0.4.1`. */
  readonly version: string;
  /** Human version, e.g. `30.0.4`. */
  readonly versionString: string;
  readonly productName: string;
}

/** Health numbers from serverinfo; null where the server does not know. */
export interface NextcloudServerInfo {
  readonly version: string;
  readonly freeSpaceBytes: number | null;
  /** 1, 5, 15 minute load averages. */
  readonly cpuLoad: readonly number[] | null;
  readonly memTotalBytes: number | null;
  readonly memFreeBytes: number | null;
  readonly swapTotalBytes: number | null;
  readonly swapFreeBytes: number | null;
  readonly users: number;
  readonly files: number;
  readonly shares: number | null;
  readonly webserver: string | null;
  readonly php: { readonly version: string; readonly memoryLimitBytes: number | null; readonly uploadMaxBytes: number | null };
  readonly database: { readonly type: string; readonly version: string; readonly sizeBytes: number | null };
  readonly activeUsers: { readonly last5min: number; readonly last1h: number; readonly last24h: number };
}

const KIB = 1024;

/** Nextcloud HTTP client (status, serverinfo, users). */
export class NextcloudClient {
  readonly service: string;
  private readonly http: HttpClient;
  private readonly clock: Clock;
  /** The last refused login and when to try again. */
  private backoff: { readonly error: ServiceError; readonly until: number; readonly delayMs: number } | undefined;

  constructor(private readonly opts: NextcloudOptions) {
    this.service = opts.service ?? 'nextcloud';
    this.http = new HttpClient(this.service, opts);
    this.clock = opts.clock ?? systemClock;
  }

  /** status.php: installed, maintenance, needsDbUpgrade, version. Works without credentials. */
  async status(): Promise<Result<NextcloudStatus>> {
    const res = await this.http.request('GET', 'status.php', { headers: { accept: 'application/json' } });
    if (!res.ok) return res;
    if (res.value.status !== 200) {
      return err(
        res.value.status === 500
          ? serviceError(this.service, 'protocol', 'Nextcloud cannot start (HTTP 500 from status.php)', 500)
          : this.httpError(res.value, 'status'),
      );
    }
    const parsed = parseJson(this.service, res.value.text, StatusReply);
    if (!parsed.ok) return parsed;
    const s = parsed.value;
    return ok({
      installed: s.installed,
      maintenance: s.maintenance,
      needsDbUpgrade: s.needsDbUpgrade,
      version: s.version,
      versionString: s.versionstring ?? s.version,
      productName: s.productname ?? 'Nextcloud',
    });
  }

  /** serverinfo: storage, active users, PHP, database, CPU and memory. */
  async serverInfo(): Promise<Result<NextcloudServerInfo>> {
    const auth = this.opts.serverinfoToken ? { 'NC-Token': this.opts.serverinfoToken } : this.basic();
    if (!auth) return err(serviceError(this.service, 'auth', 'no serverinfo token or app password configured'));
    const data = await this.ocs('ocs/v2.php/apps/serverinfo/api/v1/info', ServerInfoData, auth, { skipApps: true, skipUpdate: true });
    if (!data.ok) return data;
    const { nextcloud: nc, server, activeUsers } = data.value;
    const sys = nc.system;
    const kib = (v: Parameters<typeof num>[0]): number | null => {
      const n = num(v);
      return n === null ? null : n * KIB; // serverinfo reports memory in KiB
    };
    return ok({
      version: sys.version,
      freeSpaceBytes: num(sys.freespace),
      cpuLoad: Array.isArray(sys.cpuload) ? sys.cpuload : null,
      memTotalBytes: kib(sys.mem_total),
      memFreeBytes: kib(sys.mem_free),
      swapTotalBytes: kib(sys.swap_total),
      swapFreeBytes: kib(sys.swap_free),
      users: nc.storage.num_users,
      files: nc.storage.num_files,
      shares: nc.shares?.num_shares ?? null,
      webserver: server.webserver ?? null,
      php: {
        version: server.php.version,
        memoryLimitBytes: positive(num(server.php.memory_limit)),
        uploadMaxBytes: positive(num(server.php.upload_max_filesize)),
      },
      database: { type: server.database.type, version: server.database.version, sizeBytes: num(server.database.size) },
      activeUsers: { last5min: activeUsers.last5minutes, last1h: activeUsers.last1hour, last24h: activeUsers.last24hours },
    });
  }

  /** User ids from the provisioning API (admin app password required). */
  async users(opts: { search?: string; limit?: number; offset?: number } = {}): Promise<Result<string[]>> {
    const auth = this.basic();
    if (!auth) return err(serviceError(this.service, 'auth', 'the user list needs an admin user and app password'));
    const query = { search: opts.search, limit: opts.limit, offset: opts.offset };
    const data = await this.ocs('ocs/v2.php/cloud/users', UsersData, auth, query);
    return data.ok ? ok(data.value.users) : data;
  }

  /** Number of accounts (provisioning API). */
  async userCount(): Promise<Result<number>> {
    const u = await this.users();
    return u.ok ? ok(u.value.length) : u;
  }

  /** Closes pooled connections. */
  close(): Promise<void> {
    return this.http.close();
  }

  private basic(): Record<string, string> | undefined {
    const { username, appPassword } = this.opts;
    if (!username || !appPassword) return undefined;
    return { authorization: `Basic ${Buffer.from(`${username}:${appPassword}`).toString('base64')}` };
  }

  /** One OCS v2 call: envelope checked, then `data` parsed with the given schema. */
  private async ocs<S extends z.ZodType>(
    path: string,
    schema: S,
    auth: Record<string, string>,
    query: Record<string, string | number | boolean | undefined>,
  ): Promise<Result<z.infer<S>>> {
    if (this.backoff && this.clock.now() < this.backoff.until) return err(this.backoff.error);
    const headers = { ...auth, 'OCS-APIRequest': 'true', accept: 'application/json' };
    const res = await this.http.request('GET', path, { headers, query: { ...query, format: 'json' } });
    if (!res.ok) return res;
    const r = res.value;
    if (r.status === 401 || r.status === 403 || r.status === 429)
      return err(this.refused(this.httpError(r, auth['NC-Token'] ? 'token' : 'basic')));
    this.backoff = undefined;
    if (r.status < 200 || r.status >= 300) return err(this.httpError(r, auth['NC-Token'] ? 'token' : 'basic'));
    const env = parseJson(this.service, r.text, OcsEnvelope);
    if (!env.ok) return env;
    const meta = env.value.ocs.meta;
    // OCS v1-style failures arrive as HTTP 200 with status "failure" and an OCS code.
    if (meta.status !== 'ok') {
      if (meta.statuscode === 997) return err(this.refused(serviceError(this.service, 'auth', 'app password rejected or expired', 401)));
      return err(serviceError(this.service, 'rejected', meta.message || `OCS error ${meta.statuscode}`, meta.statuscode));
    }
    const data = schema.safeParse(env.value.ocs.data);
    if (!data.success) {
      const where = data.error.issues[0]?.path.join('.') || 'data';
      return err(serviceError(this.service, 'protocol', `unexpected reply shape at ocs.data.${where}`));
    }
    return ok(data.data);
  }

  /** Remembers a refused login and doubles the wait before the next attempt. */
  private refused(error: ServiceError): ServiceError {
    const delayMs = this.backoff ? Math.min(this.backoff.delayMs * 2, AUTH_BACKOFF_MAX_MS) : AUTH_BACKOFF_FIRST_MS;
    this.backoff = { error, until: this.clock.now() + delayMs, delayMs };
    return error;
  }

  /** Maps a non-2xx OCS/HTTP reply to a ServiceError (no credentials in the text). */
  private httpError(r: HttpResponse, auth: 'token' | 'basic' | 'status'): ServiceError {
    const s = this.service;
    switch (r.status) {
      case 401:
        if (auth === 'token') return serviceError(s, 'auth', 'serverinfo token rejected', 401);
        // A wrong or revoked app password is OCS 997 "not logged in"; serverinfo's own 401
        // (`{"message":"Unauthorized"}`) comes for a valid account that is not an admin.
        return ocsCode(r.text) === 997 || ocsCode(r.text) === undefined
          ? serviceError(s, 'auth', 'app password rejected or expired', 401)
          : serviceError(s, 'auth', 'the account logged in but is not an admin (use an admin app password or the serverinfo token)', 401);
      case 403:
        return serviceError(s, 'auth', 'this account is not allowed (an admin account is needed)', 403);
      case 404:
        return serviceError(s, 'rejected', 'not found (is the serverinfo app enabled?)', 404);
      case 429:
        return serviceError(s, 'rejected', 'too many failed logins; Nextcloud is throttling this address', 429);
      case 502:
      case 504:
        return serviceError(s, 'unreachable', `not available (HTTP ${r.status})`, r.status);
      case 503:
        return serviceError(s, 'unreachable', 'in maintenance mode or not available (HTTP 503)', 503);
      default:
        return r.status >= 500
          ? serviceError(s, 'protocol', `internal error on Nextcloud (HTTP ${r.status})`, r.status)
          : serviceError(s, 'protocol', `unexpected HTTP ${r.status}`, r.status);
    }
  }
}

/** The OCS status code of a reply body, when it is an OCS envelope. */
function ocsCode(text: string): number | undefined {
  try {
    const parsed = OcsEnvelope.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data.ocs.meta.statuscode : undefined;
  } catch {
    return undefined;
  }
}

function positive(n: number | null): number | null {
  return n !== null && n > 0 ? n : null;
}
