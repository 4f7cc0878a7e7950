/**
 * A protocol-faithful fake Nextcloud on 127.0.0.1 for tests and demo mode: status.php, the
 * serverinfo OCS API and the provisioning user list, with OCS v2 envelopes and status codes
 * (V2Response: 997 → HTTP 401, 998 → 404), NC-Token or Basic auth with an app password,
 * `OCS-APIRequest` enforcement, maintenance mode (503 for OCS) and an XML default format.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { closeServer, JSON_UTF8, sendJson, serveLocal } from './http.ts';

/** The fake Nextcloud's admin, credentials, accounts, brute-force limit and version. */
export interface FakeNextcloudOptions {
  readonly adminUser?: string;
  readonly appPassword?: string;
  /** serverinfo token; `undefined` disables NC-Token auth. */
  readonly serverinfoToken?: string;
  /** Accounts; the first is the admin. */
  readonly users?: readonly string[];
  /** App passwords of non-admin accounts (they log in, but serverinfo refuses them). */
  readonly userAppPasswords?: Readonly<Record<string, string>>;
  /**
   * Failed logins from the bot's address before every Basic-auth request gets 429 "Reached
   * maximum delay" (the brute-force throttler's end state; lib/private/Security/Bruteforce).
   */
  readonly maxFailedLogins?: number;
  readonly version?: string;
}

/** Handle on a running fake Nextcloud. */
export interface FakeNextcloud {
  readonly url: string;
  close(): Promise<void>;
  setMaintenance(on: boolean): void;
  setNeedsDbUpgrade(on: boolean): void;
  /** The app password stops working (revoked in Settings → Security, or expired). */
  revokeAppPassword(): void;
  /** status.php answers 500 with an empty body (Nextcloud cannot boot). */
  setBroken(on: boolean): void;
  /** The next matching request gets this raw reply instead. */
  failNext(reply: { status: number; body: string; path?: string }): void;
  /** Failed logins counted by the brute-force throttler (bad passwords, serverinfo refusals). */
  readonly failedLogins: number;
  /** Method, path and the auth kind of each request. */
  readonly requests: { method: string; path: string; auth: 'token' | 'basic' | 'none'; ocsHeader: boolean }[];
}

/** Starts the fake on 127.0.0.1 with an ephemeral port. */
export async function startFakeNextcloud(opts: FakeNextcloudOptions = {}): Promise<FakeNextcloud> {
  const adminUser = opts.adminUser ?? 'admin';
  let appPassword: string | undefined = opts.appPassword ?? 'demo-app-password';
  const token = opts.serverinfoToken;
  const users = [...(opts.users ?? [adminUser, 'ana', 'lucia', 'pablo'])];
  const version = opts.version ?? '30.0.4.1';
  let maintenance = false;
  let needsDbUpgrade = false;
  let broken = false;
  const failures: { status: number; body: string; path?: string }[] = [];
  const userPasswords = opts.userAppPasswords ?? {};
  const maxFailed = opts.maxFailedLogins ?? 10;
  let failedLogins = 0;
  const requests: FakeNextcloud['requests'] = [];

  const same = (a: string, b: string): boolean => {
    const x = Buffer.from(a);
    const y = Buffer.from(b);
    return x.length === y.length && timingSafeEqual(x, y);
  };

  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    try {
      handle(req, res);
    } catch {
      res.writeHead(500).end();
    }
  };

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const basic = /^Basic (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const ncToken = typeof req.headers['nc-token'] === 'string' ? req.headers['nc-token'] : undefined;
    const ocsHeader = req.headers['ocs-apirequest'] === 'true';
    requests.push({ method: req.method ?? 'GET', path: url.pathname, auth: ncToken ? 'token' : basic ? 'basic' : 'none', ocsHeader });
    const i = failures.findIndex((f) => !f.path || url.pathname.startsWith(f.path));
    if (i >= 0) {
      const f = failures.splice(i, 1)[0]!;
      res.writeHead(f.status, { 'content-type': JSON_UTF8 }).end(f.body);
      return;
    }

    if (url.pathname === '/status.php') {
      if (broken) return void res.writeHead(500).end();
      return json(res, 200, {
        installed: true,
        maintenance,
        needsDbUpgrade,
        version,
        versionstring: version.split('.').slice(0, 3).join('.'),
        edition: '',
        productname: 'Nextcloud',
        extendedSupport: false,
      });
    }
    if (!url.pathname.startsWith('/ocs/v2.php/'))
      return void res.writeHead(404, { 'content-type': 'text/html' }).end('<html>Not found</html>');
    const wantsJson = url.searchParams.get('format') === 'json' || /application\/json/.test(req.headers.accept ?? '');
    const ocs = (status: number, ocsCode: number, message: string, data: unknown): void => {
      const meta = { status: status >= 200 && status < 300 ? 'ok' : 'failure', statuscode: ocsCode, message };
      if (wantsJson) return json(res, status, { ocs: { meta, data } });
      res
        .writeHead(status, { 'content-type': 'application/xml; charset=utf-8' })
        .end(
          `<?xml version="1.0"?>\n<ocs><meta><status>${meta.status}</status><statuscode>${ocsCode}</statuscode><message>${message}</message></meta><data/></ocs>`,
        );
    };
    if (maintenance) return ocs(503, 503, 'Service unavailable', []);

    // Basic auth: who is this? (a wrong or revoked app password is simply "not logged in")
    let user: string | undefined;
    if (basic) {
      if (failedLogins >= maxFailed) return json(res, 429, { message: 'Reached maximum delay' });
      const [name = '', ...rest] = Buffer.from(basic, 'base64').toString('utf8').split(':');
      const given = rest.join(':');
      const expected = name === adminUser ? appPassword : userPasswords[name];
      if (expected !== undefined && same(given, expected)) user = name;
      else {
        failedLogins++;
        return ocs(401, 997, 'Current user is not logged in', []);
      }
      // Without OCS-APIRequest, Basic-authenticated OCS calls trip the CSRF check.
      if (!ocsHeader) return ocs(401, 997, 'CSRF check failed', []);
    }
    const route = url.pathname.slice('/ocs/v2.php'.length);
    if (route === '/apps/serverinfo/api/v1/info') {
      const tokenOk = token !== undefined && ncToken !== undefined && same(ncToken, token);
      // serverinfo ApiController: neither the NC-Token nor an admin → 401 {"message":"Unauthorized"},
      // and the response is throttled (a valid non-admin account counts as a failed attempt).
      if (!tokenOk && user !== adminUser) {
        failedLogins++;
        return ocs(401, 401, '', { message: 'Unauthorized' });
      }
      return ocs(200, 200, 'OK', serverInfo());
    }
    if (route === '/cloud/users') {
      if (!user) return ocs(401, 997, 'Current user is not logged in', []);
      const search = (url.searchParams.get('search') ?? '').toLowerCase();
      const offset = Number(url.searchParams.get('offset') ?? 0) || 0;
      const limitRaw = url.searchParams.get('limit');
      const found = users.filter((u) => u.toLowerCase().includes(search));
      const page = limitRaw ? found.slice(offset, offset + Number(limitRaw)) : found.slice(offset);
      return ocs(200, 200, 'OK', { users: page });
    }
    return ocs(
      404,
      998,
      'Invalid query, please check the syntax. API specifications are here: http://www.freedesktop.org/wiki/Specifications/open-collaboration-services.',
      [],
    );
  }

  function serverInfo(): Record<string, unknown> {
    return {
      nextcloud: {
        system: {
          version,
          theme: '',
          enable_avatars: 'yes',
          enable_previews: 'yes',
          'memcache.local': 'OC\\Memcache\\APCu',
          'memcache.distributed': 'none',
          'filelocking.enabled': 'yes',
          'memcache.locking': 'OC\\Memcache\\Redis',
          debug: 'no',
          freespace: 412_316_860_416,
          cpuload: [0.42, 0.35, 0.31],
          mem_total: 4_194_304,
          mem_free: 1_258_291,
          swap_total: 524_288,
          swap_free: 511_000,
        },
        storage: {
          num_users: users.length,
          num_files: 48_213,
          num_storages: 6,
          num_storages_local: 1,
          num_storages_home: users.length,
          num_storages_other: 1,
        },
        shares: {
          num_shares: 12,
          num_shares_user: 7,
          num_shares_groups: 2,
          num_shares_link: 3,
          num_shares_mail: 0,
          num_shares_room: 0,
          num_shares_link_no_password: 1,
          num_fed_shares_sent: 0,
          num_fed_shares_received: 0,
        },
      },
      server: {
        webserver: 'Apache/2.4.62 (Debian)',
        php: { version: '8.2.26', memory_limit: 536_870_912, max_execution_time: 3600, upload_max_filesize: 536_870_912 },
        database: { type: 'mysql', version: '10.11.6', size: '318767104' },
      },
      activeUsers: { last5minutes: 1, last1hour: 2, last24hours: 4 },
    };
  }

  const { server, url } = await serveLocal(listener);
  return {
    url,
    requests,
    get failedLogins() {
      return failedLogins;
    },
    close: () => closeServer(server),
    setMaintenance: (on) => {
      maintenance = on;
    },
    setNeedsDbUpgrade: (on) => {
      needsDbUpgrade = on;
    },
    revokeAppPassword: () => {
      appPassword = undefined;
    },
    setBroken: (on) => {
      broken = on;
    },
    failNext: (reply) => {
      failures.push(reply);
    },
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  sendJson(res, status, body, { 'content-type': JSON_UTF8 });
}
