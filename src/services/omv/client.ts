import * as z from 'zod';
import { err, ok, serviceError, type Result, type ServiceError } from '../../core/errors.ts';
import { HttpClient, parseJson, type HttpResponse } from '../http.ts';
import { parseMdadmDetail } from '../mdadm/detail.ts';
import { parseMdStateText, type RaidArray } from '../mdadm/raid.ts';
import {
  filesystemRowSchema,
  listOf,
  loginSchema,
  raidRowSchema,
  rpcEnvelope,
  smartAttributeSchema,
  smartRowSchema,
  smbShareRowSchema,
  systemInfoSchema,
} from './schemas.ts';
import type { OmvFilesystem, OmvSystemInfo, SmartDisk, SmartHealth, SmbShare } from './types.ts';

/** The most close() waits for the logout answer. */
const LOGOUT_TIMEOUT_MS = 2000;

export type * from './types.ts';

/** How to reach OpenMediaVault's web API. */
export interface OmvOptions {
  /** e.g. `http://192.168.1.5` (`/rpc.php` is appended). */
  readonly baseUrl: string;
  readonly username: string;
  readonly password: string;
  readonly fingerprint?: string;
  readonly ca?: string;
  readonly timeoutMs?: number;
  /** Service name used in errors (default `omv`). */
  readonly service?: string;
  /** Keeps OMV's login-marker cookie across restarts, so OMV does not email the admin on every login. */
  readonly loginMarks?: OmvLoginMarkStore;
}

/**
 * Where the `X-OPENMEDIAVAULT-LOGIN-<hash>` (OMV 7+: `OPENMEDIAVAULT-LOGIN-<hash>`) cookies live.
 * OMV's Session.login (var/www/openmediavault/rpc/session.inc, isFirstLoginFromBrowser) emails
 * "your user account was used to log in…" whenever the browser brings no such cookie; it sets
 * one for 60 days on each login.
 */
export interface OmvLoginMarkStore {
  load(): ReadonlyMap<string, string>;
  save(marks: ReadonlyMap<string, string>): void;
}

/** Names of OMV's login-marker cookies (the hash part is OMV's own). */
const LOGIN_MARK = /^(X-)?OPENMEDIAVAULT-LOGIN-/i;

/** `rpc.common.getlist` parameters: start and limit are required. */
const ALL = { start: 0, limit: null, sortfield: null, sortdir: null } as const;

/** OMV ≤ 6 has RaidMgmt built in; OMV ≥ 7 has MdMgmt from the openmediavault-md plugin. */
const RAID_SERVICES = ['RaidMgmt', 'MdMgmt'] as const;
const UNKNOWN_SERVICE = /RPC service '[^']*' not found|does not exist for the RPC service/i;

/** Constant, because OMV checks the User-Agent of a session on logout. */
const USER_AGENT = 'homelab-chatops';

/** Typed OpenMediaVault JSON-RPC client with a cookie session (PROTOCOLS §3); never throws. */
export class OmvClient {
  private readonly http: HttpClient;
  private readonly service: string;
  /** Whatever cookies the login set (the session cookie's name differs between versions). */
  private cookies = new Map<string, string>();
  /** Login-marker cookies: kept when the session ends, sent with every login. */
  private marks: Map<string, string>;
  private sessionId: string | undefined;
  private loggingIn: Promise<Result<void>> | undefined;
  private raidService: (typeof RAID_SERVICES)[number] | undefined;

  constructor(private readonly opts: OmvOptions) {
    this.service = opts.service ?? 'omv';
    this.http = new HttpClient(this.service, opts);
    this.marks = new Map(opts.loginMarks?.load() ?? []);
  }

  /** Host name, version, CPU, memory, load, uptime, pending reboot/updates. */
  async systemInfo(): Promise<Result<OmvSystemInfo>> {
    const r = await this.call('System', 'getInformation', {}, systemInfoSchema);
    if (!r.ok) return r;
    const s = r.value;
    const load =
      typeof s.loadAverage === 'string'
        ? s.loadAverage
            .split(/[,\s]+/)
            .filter(Boolean)
            .map(Number)
        : s.loadAverage
          ? [s.loadAverage['1min'], s.loadAverage['5min'], s.loadAverage['15min']]
          : undefined;
    return ok({
      hostname: s.hostname,
      version: s.version,
      ...(s.cpuModelName ? { cpuModel: s.cpuModelName } : {}),
      ...(s.cpuUtilization !== undefined ? { cpuPercent: s.cpuUtilization } : {}),
      ...(s.memTotal !== undefined ? { memTotal: s.memTotal } : {}),
      ...(s.memUsed !== undefined ? { memUsed: s.memUsed } : {}),
      ...(s.uptime !== undefined ? { uptime: s.uptime } : {}),
      ...(load && load.length === 3 && load.every(Number.isFinite)
        ? { loadAverage: [load[0] ?? 0, load[1] ?? 0, load[2] ?? 0] as const }
        : {}),
      ...(s.kernel ? { kernel: s.kernel } : {}),
      rebootRequired: s.rebootRequired ?? false,
      updatesAvailable: s.pkgUpdatesAvailable ?? (s.availablePkgUpdates ?? 0) > 0,
    });
  }

  /**
   * md arrays, mapped to the shared RAID model; tries RaidMgmt, then MdMgmt. getList's
   * `devices` come from `mdadm --detail --brief --verbose`, which names spares and failed
   * members without saying so, so each member's state is read from getDetail (`mdadm
   * --detail`); when that fails the states stay unknown rather than guessed "active".
   */
  async raidList(): Promise<Result<RaidArray[]>> {
    const order = this.raidService ? [this.raidService] : RAID_SERVICES;
    let last: Result<{ total: number; data: z.infer<typeof raidRowSchema>[] }> | undefined;
    for (const svc of order) {
      last = await this.call(svc, 'getList', ALL, listOf(raidRowSchema));
      if (last.ok) {
        this.raidService = svc;
        const arrays: RaidArray[] = [];
        for (const row of last.value.data) {
          const detail = await this.call(svc, 'getDetail', { devicefile: row.devicefile }, z.string());
          arrays.push(toRaidArray(row, detail.ok ? parseMdadmDetail(detail.value) : undefined));
        }
        return ok(arrays);
      }
      if (!(last.error.kind === 'rejected' && UNKNOWN_SERVICE.test(last.error.detail))) return last;
    }
    return last && !last.ok ? last : err(serviceError(this.service, 'rejected', 'no RAID service'));
  }

  /** Disks with SMART support and their overall assessment. */
  async smartList(): Promise<Result<SmartDisk[]>> {
    const r = await this.call('Smart', 'getList', ALL, listOf(smartRowSchema));
    if (!r.ok) return r;
    return ok(
      r.value.data.map((d) => ({
        devicefile: d.devicefile,
        devicename: d.devicename ?? d.devicefile.replace(/^\/dev\//, ''),
        model: d.model ?? '',
        serial: d.serialnumber ?? '',
        ...(d.size !== undefined ? { sizeBytes: d.size } : {}),
        ...(d.temperature !== undefined ? { temperature: d.temperature } : {}),
        status: d.overallstatus,
      })),
    );
  }

  /** The SMART attributes that matter for one disk (sectors, temperature, hours). */
  async smartAttributes(devicefile: string): Promise<Result<SmartHealth>> {
    const r = await this.call('Smart', 'getAttributes', { devicefile }, z.array(smartAttributeSchema));
    if (!r.ok) return r;
    const attributes = r.value.map((a) => ({
      id: a.id,
      name: a.attrname,
      value: a.value,
      worst: a.worst,
      threshold: a.threshold,
      raw: a.rawvalue,
      prefailure: a.prefailure ?? false,
      assessment: a.assessment ?? 'GOOD',
    }));
    const raw = (...ids: number[]): number | undefined => {
      const a = attributes.find((x) => ids.includes(x.id));
      const m = a ? /^\s*(\d+)/.exec(a.raw) : null;
      return m?.[1] !== undefined ? Number(m[1]) : undefined;
    };
    const pick = (key: string, v: number | undefined): Record<string, number> => (v === undefined ? {} : { [key]: v });
    return ok({
      devicefile,
      ...pick('reallocatedSectors', raw(5)),
      ...pick('pendingSectors', raw(197)),
      ...pick('offlineUncorrectable', raw(198)),
      ...pick('temperature', raw(194, 190, 231)),
      ...pick('powerOnHours', raw(9)),
      failingAttributes: attributes.filter((a) => a.prefailure && a.assessment !== 'GOOD').map((a) => a.name),
      attributes,
    });
  }

  /** Filesystems with size, free space and usage. */
  async filesystems(): Promise<Result<OmvFilesystem[]>> {
    const r = await this.call('FileSystemMgmt', 'getList', ALL, listOf(filesystemRowSchema));
    if (!r.ok) return r;
    return ok(
      r.value.data.map((f) => ({
        devicefile: f.devicefile || f.uuid || '',
        state: f.status === 3 ? ('missing' as const) : f.status === 2 ? ('initializing' as const) : ('online' as const),
        label: f.status === 3 ? '' : (f.label ?? ''),
        type: f.type,
        mounted: f.mounted,
        mountpoint: f.mountpoint ?? '',
        sizeBytes: Math.max(0, f.size ?? 0),
        availableBytes: Math.max(0, f.available ?? 0),
        ...(f.percentage !== undefined && f.percentage >= 0 ? { percent: f.percentage } : {}),
      })),
    );
  }

  /** SMB shares. */
  async smbShares(): Promise<Result<SmbShare[]>> {
    const r = await this.call('SMB', 'getShareList', ALL, listOf(smbShareRowSchema));
    if (!r.ok) return r;
    return ok(
      r.value.data.map((s) => ({
        name: s.sharedfoldername ?? s.sharedfolderref ?? '',
        enabled: s.enable,
        comment: s.comment ?? '',
        readOnly: s.readonly ?? false,
        guest: s.guest ?? 'no',
      })),
    );
  }

  /** Ends the session (best effort) and closes connections. */
  async close(): Promise<void> {
    this.http.abortRequests(); // a poll hung on the backend ends now, not at its timeout
    // Bounded like Pi-hole's logout: shutdown must not wait a whole request timeout on a hung NAS.
    if (this.cookies.size) await this.post({ service: 'Session', method: 'logout', params: {} }, LOGOUT_TIMEOUT_MS);
    this.cookies.clear();
    await this.http.close();
  }

  /** One RPC with the session; an expired session (401) logs in again once. */
  async call<S extends z.ZodType>(service: string, method: string, params: unknown, schema: S): Promise<Result<z.infer<S>>> {
    for (let attempt = 0; ; attempt++) {
      if (!this.cookies.size) {
        this.loggingIn ??= this.login().finally(() => {
          this.loggingIn = undefined;
        });
        const l = await this.loggingIn;
        if (!l.ok) return l;
      }
      const res = await this.post({ service, method, params, options: null });
      if (!res.ok) return res;
      if (res.value.status === 401 && attempt === 0) {
        this.cookies.clear();
        continue;
      }
      if (res.value.status === 401) {
        return err(
          serviceError(this.service, 'auth', 'the session was refused right after logging in (check that the user is an admin)', 401),
        );
      }
      const env = this.envelope(res.value);
      if (!env.ok) return env;
      return parseJson(this.service, JSON.stringify(env.value ?? null), schema);
    }
  }

  private async login(): Promise<Result<void>> {
    const res = await this.post({
      service: 'Session',
      method: 'login',
      params: { username: this.opts.username, password: this.opts.password },
    });
    if (!res.ok) return res;
    if (res.value.status === 400 || res.value.status === 401) {
      return err(
        serviceError(
          this.service,
          'auth',
          `the login as ${this.opts.username} was refused (check username and password)`,
          res.value.status,
        ),
      );
    }
    const env = this.envelope(res.value);
    if (!env.ok) return env;
    const parsed = loginSchema.safeParse(env.value);
    if (!parsed.success) return err(serviceError(this.service, 'protocol', 'unexpected login reply'));
    if (parsed.data.status === 'challengeRequired') {
      return err(
        serviceError(
          this.service,
          'auth',
          'the account asks for a second factor, which the bot cannot answer (use an account without 2FA)',
        ),
      );
    }
    if (parsed.data.authenticated === false) {
      return err(serviceError(this.service, 'auth', `the login as ${this.opts.username} was refused (check username and password)`));
    }
    const jar = new Map<string, string>();
    const marks = new Map(this.marks);
    const set = res.value.headers['set-cookie'];
    for (const c of Array.isArray(set) ? set : set ? [set] : []) {
      const m = /^\s*([^=;\s]+)=([^;]*)/.exec(c);
      if (!m?.[1] || m[2] === undefined) continue;
      const target = LOGIN_MARK.test(m[1]) ? marks : jar;
      if (m[2] === 'deleted') target.delete(m[1]);
      else target.set(m[1], m[2]);
    }
    if (!sameEntries(marks, this.marks)) {
      this.marks = marks;
      this.opts.loginMarks?.save(marks);
    }
    const sid = (env.value as { sessionid?: unknown } | null)?.sessionid;
    this.sessionId = typeof sid === 'string' ? sid : undefined;
    if (!jar.size && !this.sessionId) return err(serviceError(this.service, 'protocol', 'the login set no session cookie'));
    if (!jar.size && this.sessionId) jar.set('OPENMEDIAVAULT-SESSIONID', this.sessionId);
    this.cookies = jar;
    return ok(undefined);
  }

  private post(body: unknown, timeoutMs?: number): Promise<Result<HttpResponse>> {
    const headers: Record<string, string> = { 'user-agent': USER_AGENT };
    const jar = [...this.marks, ...this.cookies];
    if (jar.length) headers.cookie = jar.map(([k, v]) => `${k}=${v}`).join('; ');
    if (this.sessionId) headers['x-openmediavault-sessionid'] = this.sessionId; // OMV ≥ 7 also reads it here
    return this.http.request('POST', 'rpc.php', { json: body, headers, ...(timeoutMs ? { timeoutMs } : {}) });
  }

  /** Reads `{response, error}`; an error object or a non-200 status becomes a ServiceError. */
  private envelope(res: HttpResponse): Result<unknown> {
    const parsed = parseJson(this.service, res.text, rpcEnvelope);
    if (!parsed.ok) {
      return res.status === 200 ? parsed : err(this.statusError(res.status, ''));
    }
    const e = parsed.value.error;
    if (e || res.status !== 200) return err(this.statusError(res.status, e?.message ?? ''));
    return ok(parsed.value.response);
  }

  private statusError(status: number, message: string): ServiceError {
    // The message is OMV's exception text; the trace is never passed on.
    const text = message.replace(/\s+/g, ' ').trim().slice(0, 300) || `HTTP ${status}`;
    return serviceError(this.service, 'rejected', text, status);
  }
}

function sameEntries(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): boolean {
  return a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);
}

/** Maps an OMV RAID row (RaidMgmt/MdMgmt.getList) to the shared RAID model. */
function toRaidArray(row: z.infer<typeof raidRowSchema>, detail: RaidArray | undefined): RaidArray {
  const st = parseMdStateText(row.state);
  return {
    name: row.devicefile.replace(/^\/dev\/(md\/)?/, ''),
    device: row.devicefile,
    level: row.level,
    active: !st.inactive,
    ...(row.numdevices !== undefined ? { raidDisks: row.numdevices } : {}),
    members: detail?.members ?? row.devices.map((device) => ({ device, state: 'unknown' as const })),
    degraded: st.degraded,
    failed: st.failed,
    ...(st.sync ? { sync: st.sync } : {}),
    ...(row.size !== undefined ? { sizeBytes: row.size } : {}),
    stateText: row.state,
  };
}
