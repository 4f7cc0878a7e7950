import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { closeServer, serveLocal, readBody, sendJson } from './http.ts';
import {
  SHARES,
  mdadmDetail,
  seedDisks,
  seedFilesystems,
  smartAttributes,
  type FakeDisk,
  type FakeFilesystem,
  type FakeMdMember,
} from './omv-data.ts';

/**
 * A protocol-faithful fake of OpenMediaVault's JSON-RPC API (PROTOCOLS §3) for demo mode and
 * tests: `POST /rpc.php` with `{service, method, params}`, `{response, error}` envelopes,
 * a PHP session cookie set by Session.login (name per OMV version), 400 for a bad login,
 * 401 for a missing/expired session, and the `nas` RAID 1 that tests can degrade and rebuild.
 */

export interface OmvFakeOptions {
  readonly tls?: { readonly key: string; readonly cert: string };
  /** 6: RaidMgmt built in, cookie `X-OPENMEDIAVAULT-SESSIONID`; 7: MdMgmt plugin, `OPENMEDIAVAULT-SESSIONID` + sessionid. */
  readonly version?: 6 | 7;
  /** Idle session timeout (0 = none, like the web-admin setting). */
  readonly sessionIdleMs?: number;
  readonly now?: () => number;
}

/** The running fake, its credentials and its controls. */
export interface OmvFake {
  readonly url: string;
  readonly username: string;
  readonly password: string;
  readonly requestCount: number;
  readonly loginCount: number;
  /** "Your user account was used to log in" emails OMV would have sent (logins without the marker cookie). */
  readonly loginEmails: number;
  close(): Promise<void>;
  /** Every session ends (as after the idle timeout or a php-fpm restart). */
  expireSessions(): void;
  /** A member drops out of md0: `clean, degraded`, listed devices without it. */
  degrade(device?: string): void;
  /** The member is re-added and md0 rebuilds from `percent`, finishing after `durationMs` (never, if omitted). */
  startRebuild(opts?: { device?: string; percent?: number; durationMs?: number }): void;
  /** md0 is whole again. */
  recover(): void;
  /** The member is marked failed: still a component (listed in `devices`), `faulty` in getDetail. */
  failMember(device?: string): void;
  /** A hot spare joins md0 (listed in `devices`, `spare` in getDetail). */
  addSpare(device?: string): void;
  disk(devicefile: string): FakeDisk | undefined;
  filesystem(devicefile: string): FakeFilesystem | undefined;
  /** The next RPC fails with this HTTP status and OMV error message. */
  failNext(status: number, message: string): void;
  /** Every call of `Service.method` fails with this status and message until called with undefined. */
  failMethod(name: string | undefined, status?: number, message?: string): void;
  /** The next RPC answers 200 with this raw body. */
  malformedNext(body?: string): void;
  /** The next request never gets an answer. */
  hangNext(): void;
}

interface RaidState {
  missing?: string;
  /** Marked failed (still a component, listed in `devices`). */
  faulty?: string;
  /** A hot spare (also listed in `devices`). */
  spare?: string;
  rebuild?: { device: string; fromPercent: number; startedAt: number; durationMs?: number };
}

type RpcReply = { status: number; response?: unknown; error?: { code: number; message: string } };

/** Starts the fake OMV on 127.0.0.1 (port 0 unless given). */
export async function startOmvFake(opts: OmvFakeOptions = {}, port = 0): Promise<OmvFake> {
  const now = opts.now ?? Date.now;
  const version = opts.version ?? 6;
  const cookieName = version >= 7 ? 'OPENMEDIAVAULT-SESSIONID' : 'X-OPENMEDIAVAULT-SESSIONID';
  const user = { name: 'admin', password: 'omv-demo-pass' };
  const disks = seedDisks();
  const filesystems = seedFilesystems();
  const raid: RaidState = {};
  const sessions = new Map<string, { lastAccess: number }>();
  let planned: { kind: 'fail'; status: number; message: string } | { kind: 'malformed'; body: string } | { kind: 'hang' } | undefined;
  let requestCount = 0;
  let loginCount = 0;
  let loginEmails = 0;
  // OMV 6 names its cookies X-OPENMEDIAVAULT-*, OMV 7+ OPENMEDIAVAULT-* (like the session cookie).
  const markPrefix = version >= 7 ? 'OPENMEDIAVAULT-LOGIN-' : 'X-OPENMEDIAVAULT-LOGIN-';
  let methodFailure: { name: string; status: number; message: string } | undefined;
  const hung = new Set<ServerResponse>();

  const rpcError = (status: number, message: string, code = 0): RpcReply => ({ status, error: { code, message } });

  /**
   * md0 as RaidMgmt/MdMgmt.getList shows it (progress appended to the state like OMV does) and
   * as getDetail prints it. `devices` comes from `mdadm --detail --brief --verbose`, which lists
   * every component — spares and failed ones too — without saying which is which.
   */
  const raidView = (): { row: Record<string, unknown>; detail: string } => {
    const total = 976_630_464;
    let state = 'clean';
    let rebuildPercent: number | undefined;
    const members: FakeMdMember[] = [];
    disks.forEach((d, slot) => {
      const dev = d.devicefile;
      if (raid.rebuild?.device === dev) members.push({ device: dev, state: 'spare rebuilding', slot });
      else if (raid.missing === dev) members.push({ device: '', state: 'removed', slot });
      else if (raid.faulty === dev) members.push({ device: '', state: 'removed', slot }, { device: dev, state: 'faulty' });
      else members.push({ device: dev, state: 'active sync', slot });
    });
    if (raid.spare) members.push({ device: raid.spare, state: 'spare' });
    const rb = raid.rebuild;
    if (rb) {
      const elapsed = now() - rb.startedAt;
      const pct = rb.durationMs ? rb.fromPercent + ((100 - rb.fromPercent) * elapsed) / rb.durationMs : rb.fromPercent;
      if (pct >= 100) {
        delete raid.rebuild;
        return raidView();
      }
      const p = Math.floor(pct * 10) / 10;
      const done = Math.floor((total * p) / 100);
      const left = rb.durationMs ? Math.max(0.1, (rb.durationMs - elapsed) / 60_000) : ((100 - p) / 100) * 80;
      state = `active, degraded, recovering (${p}% (${done}/${total}) finish=${left.toFixed(1)}min speed=199836K/sec)`;
      rebuildPercent = p;
    } else if (raid.missing || raid.faulty) {
      state = 'clean, degraded';
    }
    const devices = members.map((m) => m.device).filter(Boolean);
    const mdadmState = state.replace(/ \(.*$/, '');
    return {
      row: {
        name: 'nas:0',
        devicefile: '/dev/md0',
        uuid: '3b6c1a2e:8f2d4c11:9a0b7e55:c4d21f08',
        level: 'raid1',
        numdevices: 2,
        devices: devices.sort(),
        size: String(total * 1024),
        state,
        description: 'Mirror on /dev/sda and /dev/sdb',
        _used: true,
      },
      detail: mdadmDetail({ state: mdadmState, members, sizeKiB: total, ...(rebuildPercent !== undefined ? { rebuildPercent } : {}) }),
    };
  };

  const list = <T>(rows: T[]): { total: number; data: T[] } => ({ total: rows.length, data: rows });

  const methods: Record<string, (params: Record<string, unknown>) => RpcReply> = {
    'System.getInformation': () => ({
      status: 200,
      response: {
        ts: Math.floor(now() / 1000),
        time: new Date(now()).toUTCString(),
        hostname: 'nas',
        version: '6.9.16-1 (Shaitan)',
        cpuModelName: 'Common KVM processor',
        cpuCores: 2,
        cpuMhz: '2000.000',
        cpuUtilization: 3.2,
        // system.inc getInformation: memory figures arrive as strings of bytes.
        memTotal: String(3 * 1024 ** 3),
        memFree: String(Math.round(1.6 * 1024 ** 3)),
        memUsed: String(Math.round(1.4 * 1024 ** 3)),
        memAvailable: String(Math.round(1.6 * 1024 ** 3)),
        memUtilization: 0.47,
        kernel: 'Linux 5.16.0-0.bpo.4-amd64',
        uptime: 1_036_500,
        loadAverage: { '1min': 0.08, '5min': 0.12, '15min': 0.1 },
        configDirty: false,
        dirtyModules: [],
        rebootRequired: false,
        availablePkgUpdates: 0,
        pkgUpdatesAvailable: false,
        displayName: 'nas',
      },
    }),
    [`${version >= 7 ? 'MdMgmt' : 'RaidMgmt'}.getList`]: () => ({ status: 200, response: list([raidView().row]) }),
    [`${version >= 7 ? 'MdMgmt' : 'RaidMgmt'}.getDetail`]: (params) =>
      params.devicefile === '/dev/md0'
        ? { status: 200, response: raidView().detail }
        : rpcError(500, `Device '${String(params.devicefile)}' not found.`),
    'Smart.getList': () => ({
      status: 200,
      response: list(
        disks.map((d) => ({
          devicename: d.devicefile.replace('/dev/', ''),
          canonicaldevicefile: d.devicefile,
          devicefile: d.devicefile,
          devicelinks: [],
          model: d.model,
          size: String(d.size),
          temperature: d.temperature,
          description: `${d.model} [${d.devicefile}, 931.51 GiB]`,
          vendor: 'ATA',
          serialnumber: d.serial,
          wwn: '',
          overallstatus: d.status,
          uuid: 'fa4b1c76-8f5b-4f9a-9c3e-000000000000',
          monitor: true,
          _used: false,
        })),
      ),
    }),
    'Smart.getAttributes': (params) => {
      const d = disks.find((x) => x.devicefile === params.devicefile);
      if (!d) return rpcError(500, `No S.M.A.R.T. support for device '${String(params.devicefile)}'.`);
      return { status: 200, response: smartAttributes(d) };
    },
    'FileSystemMgmt.getList': () => ({
      status: 200,
      response: list(
        filesystems.map((f) => {
          if (f.missing) {
            // filesystemmgmt.inc getList: a mntent whose device is gone, "status" => 3 (Missing).
            return {
              devicefile: f.devicefile,
              uuid: '',
              label: 'n/a',
              type: f.type,
              blocks: '-1',
              mounted: false,
              mountpoint: f.mountpoint,
              used: '-1',
              available: '-1',
              size: '-1',
              percentage: -1,
              description: '',
              status: 3,
              _used: true,
            };
          }
          const used = Math.round((f.size * f.percent) / 100);
          return {
            devicefile: f.devicefile,
            canonicaldevicefile: f.devicefile,
            uuid: '5f1c2b7e-3a4d-4e8f-9b0a-1c2d3e4f5a6b',
            label: f.label,
            type: f.type,
            blocks: String(Math.round(f.size / 1024)),
            mounted: true,
            mountpoint: f.mountpoint,
            used: `${(used / 1024 ** 3).toFixed(2)} GiB`,
            available: String(f.size - used),
            size: String(f.size),
            percentage: f.percent,
            description: f.label || f.devicefile,
            status: 1,
            _readonly: false,
            _used: true,
          };
        }),
      ),
    }),
    'SMB.getShareList': () => ({
      status: 200,
      response: list(
        SHARES.map((s, i) => ({
          uuid: `7c9e6679-7425-40de-944b-e07fc1f90ae${i}`,
          enable: true,
          sharedfolderref: `4b2f1a3c-0000-4000-8000-00000000000${i}`,
          name: '',
          comment: s.comment,
          guest: 'no',
          readonly: false,
          browseable: true,
          recyclebin: false,
          recyclemaxsize: 0,
          recyclemaxage: 0,
          hidedotfiles: true,
          inheritacls: true,
          inheritpermissions: false,
          easupport: false,
          storedosattributes: false,
          hostsallow: '',
          hostsdeny: '',
          audit: false,
          extraoptions: '',
          // smb.inc getShareList adds the shared folder's name to each share object.
          sharedfoldername: s.name,
        })),
      ),
    }),
  };

  const needsList = new Set(['Smart.getList', 'FileSystemMgmt.getList', 'SMB.getShareList', 'RaidMgmt.getList', 'MdMgmt.getList']);

  const session = (req: IncomingMessage): RpcReply | undefined => {
    const jar = req.headers.cookie ?? '';
    const id =
      new RegExp(`(?:^|;\\s*)${cookieName}=([^;]+)`).exec(jar)?.[1] ??
      (version >= 7 ? (req.headers['x-openmediavault-sessionid'] as string | undefined) : undefined);
    const s = id ? sessions.get(id) : undefined;
    if (!id || !s) return rpcError(401, id ? 'Session expired.' : 'Session not authenticated.', 5001);
    if (opts.sessionIdleMs && now() - s.lastAccess > opts.sessionIdleMs) {
      sessions.delete(id);
      return rpcError(401, 'Session expired.', 5001);
    }
    s.lastAccess = now();
    return undefined;
  };

  const handle = (req: IncomingMessage, body: string): { reply: RpcReply; headers?: Record<string, string | string[]> } => {
    let rpc: { service?: unknown; method?: unknown; params?: unknown };
    try {
      rpc = JSON.parse(body) as typeof rpc;
    } catch {
      return { reply: rpcError(400, 'Invalid RPC request: the body is not JSON.') };
    }
    if (typeof rpc.service !== 'string' || typeof rpc.method !== 'string' || typeof rpc.params !== 'object' || rpc.params === null) {
      return { reply: rpcError(400, 'Invalid RPC request: service, method and params are required.') };
    }
    const params = rpc.params as Record<string, unknown>;
    const name = `${rpc.service}.${rpc.method}`;
    if (name === 'Session.login') {
      if (params.username !== user.name || params.password !== user.password)
        return { reply: rpcError(400, 'Incorrect username or password.') };
      const id = randomBytes(16).toString('hex');
      sessions.set(id, { lastAccess: now() });
      loginCount++;
      // rpc/session.inc: a login from a "browser" without the marker cookie mails the admin and
      // sets the marker for 60 days; only the cookie's name (a salted hash of the user) is checked.
      const firstFromBrowser = !hasLoginMark(req.headers.cookie ?? '', markPrefix, user.name);
      if (firstFromBrowser) loginEmails++;
      const cookies = [`${cookieName}=${id}; path=/; HttpOnly`];
      if (firstFromBrowser)
        cookies.push(
          `${newLoginMark(markPrefix, user.name)}=${BOOK_QUOTE}; expires=${new Date(now() + 60 * 86_400_000).toUTCString()}; Max-Age=5184000; path=/; HttpOnly`,
        );
      return {
        reply: {
          status: 200,
          response: {
            authenticated: true,
            username: user.name,
            permissions: { role: 'admin' },
            ...(version >= 7 ? { sessionid: id } : {}),
          },
        },
        headers: { 'set-cookie': cookies },
      };
    }
    const denied = session(req);
    if (denied) return { reply: denied };
    if (name === 'Session.logout') {
      return { reply: { status: 200, response: null } };
    }
    if (methodFailure?.name === name) return { reply: rpcError(methodFailure.status, methodFailure.message) };
    const m = methods[name];
    if (!m) {
      const known = Object.keys(methods).some((k) => k.startsWith(`${rpc.service}.`));
      return {
        reply: known
          ? rpcError(500, `The method '${rpc.method}' does not exist for the RPC service '${rpc.service}'.`)
          : rpcError(500, `RPC service '${rpc.service}' not found.`),
      };
    }
    if (needsList.has(name) && (typeof params.start !== 'number' || !('limit' in params))) {
      return { reply: rpcError(400, "The property 'start' is required; 'limit' is required.") };
    }
    return { reply: m(params) };
  };

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    requestCount++;
    void readBody(req).then(
      (raw) => {
        const p = planned;
        planned = undefined;
        if (p?.kind === 'hang') {
          hung.add(res);
          return;
        }
        if (req.method !== 'POST' || new URL(req.url ?? '/', 'http://x').pathname !== '/rpc.php') {
          res.writeHead(404, { 'content-type': 'text/html' });
          res.end('<html><body><h1>404 Not Found</h1></body></html>');
          return;
        }
        if (p?.kind === 'malformed') {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(p.body);
          return;
        }
        const { reply, headers } = p?.kind === 'fail' ? { reply: rpcError(p.status, p.message), headers: undefined } : handle(req, raw);
        sendJson(
          res,
          reply.status,
          {
            response: reply.error ? null : (reply.response ?? null),
            error: reply.error ? { ...reply.error, trace: '#0 /usr/share/php/openmediavault/rpc/rpc.inc(86): ...' } : null,
          },
          headers,
        );
      },
      () => undefined,
    ); // the client hung up mid-request: nobody to answer
  };

  const { server, url } = await serveLocal(handler, { tls: opts.tls, port });

  return {
    url,
    username: user.name,
    password: user.password,
    get requestCount() {
      return requestCount;
    },
    get loginCount() {
      return loginCount;
    },
    get loginEmails() {
      return loginEmails;
    },
    close() {
      return closeServer(server, hung);
    },
    expireSessions() {
      sessions.clear();
    },
    degrade(device = '/dev/sdb') {
      delete raid.rebuild;
      raid.missing = device;
    },
    startRebuild(o = {}) {
      const device = o.device ?? raid.missing ?? raid.faulty ?? '/dev/sdb';
      delete raid.missing;
      delete raid.faulty;
      raid.rebuild = { device, fromPercent: o.percent ?? 0, startedAt: now(), ...(o.durationMs ? { durationMs: o.durationMs } : {}) };
    },
    recover() {
      delete raid.missing;
      delete raid.rebuild;
      delete raid.faulty;
      delete raid.spare;
    },
    failMember(device = '/dev/sdb') {
      delete raid.rebuild;
      raid.faulty = device;
    },
    addSpare(device = '/dev/sdc') {
      raid.spare = device;
    },
    disk: (devicefile) => disks.find((d) => d.devicefile === devicefile),
    filesystem: (devicefile) => filesystems.find((f) => f.devicefile === devicefile),
    failNext(status, message) {
      planned = { kind: 'fail', status, message };
    },
    failMethod(name, status = 500, message = 'internal error') {
      methodFailure = name ? { name, status, message } : undefined;
    },
    malformedNext(body = '{"response":{"unexpected":true},"error":null}') {
      planned = { kind: 'malformed', body };
    },
    hangNext() {
      planned = { kind: 'hang' };
    },
  };
}

/** OMV fills the marker cookie's value with a line from a book; only its name matters. */
const BOOK_QUOTE = encodeURIComponent('So it goes.');

/** A marker cookie name: the prefix and the hex of `salt:sha256(salt + user)` (OMV: hex of a bcrypt hash). */
function newLoginMark(prefix: string, user: string): string {
  const salt = randomBytes(8).toString('hex');
  const hash = createHash('sha256')
    .update(salt + user)
    .digest('hex');
  return `${prefix}${Buffer.from(`${salt}:${hash}`).toString('hex')}`;
}

/** True when the cookie header carries a marker minted for this user (the value is ignored). */
function hasLoginMark(cookieHeader: string, prefix: string, user: string): boolean {
  return cookieHeader.split(/;\s*/).some((c) => {
    const name = c.split('=')[0] ?? '';
    if (!name.startsWith(prefix)) return false;
    const [salt = '', hash = ''] = Buffer.from(name.slice(prefix.length), 'hex').toString('utf8').split(':');
    return (
      salt !== '' &&
      createHash('sha256')
        .update(salt + user)
        .digest('hex') === hash
    );
  });
}
