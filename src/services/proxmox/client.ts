import type { Dispatcher } from 'undici';
import * as z from 'zod';
import { systemClock, type Clock } from '../../core/clock.ts';
import { err, ok, serviceError, type Result, type ServiceError } from '../../core/errors.ts';
import { HttpClient, parseJson, type HttpResponse } from '../http.ts';
import {
  envelope,
  errorBody,
  guestConfigSchema,
  guestSchema,
  nodeStatusSchema,
  notBackedUpSchema,
  storageSchema,
  taskLogSchema,
  taskSchema,
  taskStatusSchema,
  ticketSchema,
  versionSchema,
} from './schemas.ts';
import type {
  Guest,
  GuestConfig,
  GuestRef,
  GuestType,
  NodeStatus,
  NotBackedUp,
  PowerAction,
  Storage,
  Task,
  TaskLog,
  TaskStatus,
} from './types.ts';
import { parseUpid } from './upid.ts';

export type * from './types.ts';

/** How to reach the Proxmox VE API. Token auth wins when both are given. */
export interface ProxmoxOptions {
  /** e.g. `https://192.168.1.6:8006` (`/api2/json` is appended). */
  readonly baseUrl: string;
  /** Node the bot manages, e.g. `proxmox1`. */
  readonly node: string;
  /** `USER@REALM!TOKENID` and its secret (recommended). */
  readonly tokenId?: string;
  readonly tokenSecret?: string;
  /** Ticket login (`root@pam` + password) for setups without a token. */
  readonly username?: string;
  readonly password?: string;
  readonly fingerprint?: string;
  readonly ca?: string;
  readonly timeoutMs?: number;
  /** Service name used in errors (default `proxmox`). */
  readonly service?: string;
  readonly clock?: Clock;
}

/** Options for following a task until it ends. */
export interface WaitOptions {
  readonly timeoutMs?: number;
  /** Pause between polls; grows by half each time up to `maxIntervalMs` (quick tasks end quickly). */
  readonly intervalMs?: number;
  readonly maxIntervalMs?: number;
  /** Called with every status read, including the final one. */
  readonly onProgress?: (status: TaskStatus) => void | Promise<void>;
  /** Stops following early (shutdown); the result is then a `timeout`. */
  readonly signal?: AbortSignal;
}

/** Tickets live 2 h; renew well before (PROTOCOLS §1.2). */
const TICKET_RENEW_MS = 100 * 60_000;

interface Ticket {
  readonly cookie: string;
  readonly csrf: string;
  readonly at: number;
}

type Query = Record<string, string | number | boolean | undefined>;

/** Typed Proxmox VE REST client (PROTOCOLS §1); never throws for backend failures. */
export class ProxmoxClient {
  readonly node: string;
  private readonly http: HttpClient;
  private readonly service: string;
  private readonly clock: Clock;
  private ticket: Ticket | undefined;
  private loggingIn: Promise<Result<Ticket>> | undefined;

  constructor(private readonly opts: ProxmoxOptions) {
    const base = opts.baseUrl.replace(/\/+$/, '');
    this.service = opts.service ?? 'proxmox';
    this.http = new HttpClient(this.service, { ...opts, baseUrl: base.endsWith('/api2/json') ? base : `${base}/api2/json` });
    this.node = opts.node;
    this.clock = opts.clock ?? systemClock;
    if (!(opts.tokenId && opts.tokenSecret) && !(opts.username && opts.password)) {
      throw new Error('ProxmoxClient needs tokenId + tokenSecret or username + password');
    }
  }

  private get usesToken(): boolean {
    return Boolean(this.opts.tokenId && this.opts.tokenSecret);
  }

  /** `GET /version`: the cheapest health check. */
  async version(): Promise<Result<z.infer<typeof versionSchema>>> {
    return this.call('GET', 'version', versionSchema);
  }

  /** CPU, load, memory, root filesystem and uptime of a node. */
  async nodeStatus(node = this.node): Promise<Result<NodeStatus>> {
    const r = await this.call('GET', `nodes/${enc(node)}/status`, nodeStatusSchema);
    if (!r.ok) return r;
    const s = r.value;
    const [l1 = 0, l5 = 0, l15 = 0] = s.loadavg;
    const kernel = s['current-kernel']?.release ?? s.kversion;
    return ok({
      node,
      cpu: s.cpu,
      cpus: s.cpuinfo?.cpus ?? 0,
      cpuModel: s.cpuinfo?.model ?? '',
      loadavg: [l1, l5, l15],
      memory: s.memory,
      rootfs: s.rootfs,
      uptime: s.uptime ?? 0,
      pveVersion: s.pveversion ?? '',
      ...(kernel ? { kernel } : {}),
    });
  }

  /** Every VM and container on a node, sorted by vmid. */
  async guests(node = this.node): Promise<Result<Guest[]>> {
    const list = z.array(guestSchema);
    const [vms, cts] = await Promise.all([
      // `full=1`: qemu-server's vmstatus() returns before asking QMP without it, so `qmpstatus`
      // (paused VMs) and the balloon-based memory the web UI shows are missing.
      this.call('GET', `nodes/${enc(node)}/qemu`, list, { query: { full: 1 } }),
      this.call('GET', `nodes/${enc(node)}/lxc`, list),
    ]);
    if (!vms.ok) return vms;
    if (!cts.ok) return cts;
    const all = [...vms.value.map((g) => toGuest(g, 'qemu', node)), ...cts.value.map((g) => toGuest(g, 'lxc', node))];
    return ok(all.sort((a, b) => a.vmid - b.vmid));
  }

  /** Live state of one guest. */
  async guestStatus(ref: GuestRef): Promise<Result<Guest>> {
    const node = ref.node ?? this.node;
    const r = await this.call('GET', `${guestPath(ref, node)}/status/current`, guestSchema);
    return r.ok ? ok(toGuest({ ...r.value, vmid: r.value.vmid || ref.vmid }, ref.type, node)) : r;
  }

  /** Starts a power action; the reply is the task's UPID (follow it with waitForTask). */
  async power(ref: GuestRef, action: PowerAction): Promise<Result<string>> {
    return this.startTask(`${guestPath(ref, ref.node ?? this.node)}/status/${action}`, {});
  }

  /** Shuts the node down (`POST /nodes/{node}/status command=shutdown`); Proxmox stops the guests first. */
  async nodeShutdown(node = this.node): Promise<Result<void>> {
    const r = await this.call('POST', `nodes/${enc(node)}/status`, z.null(), { form: { command: 'shutdown' } });
    return r.ok ? ok(undefined) : r;
  }

  /** Status of a task; the node is taken from the UPID. */
  async taskStatus(upid: string): Promise<Result<TaskStatus>> {
    const path = this.taskPath(upid);
    if (!path.ok) return path;
    const r = await this.call('GET', `${path.value}/status`, taskStatusSchema);
    if (!r.ok) return r;
    const s = r.value;
    return ok({
      upid: s.upid,
      node: s.node,
      type: s.type,
      id: s.id ?? '',
      running: s.status === 'running',
      starttime: s.starttime,
      ...(s.status === 'stopped' ? { exitstatus: s.exitstatus ?? 'unexpected status' } : {}),
    });
  }

  /** One page of a task's log (`start` is 0-based). */
  async taskLog(upid: string, opts: { start?: number; limit?: number } = {}): Promise<Result<TaskLog>> {
    const path = this.taskPath(upid);
    if (!path.ok) return path;
    const r = await this.callEnvelope('GET', `${path.value}/log`, taskLogSchema, {
      query: { start: opts.start ?? 0, limit: opts.limit ?? 50 },
    });
    if (!r.ok) return r;
    return ok({ lines: r.value.data, total: r.value.total ?? r.value.data.length });
  }

  /** The last `lines` lines of a task's log (a failed backup's reason is at the end). */
  async taskLogTail(upid: string, lines = 10): Promise<Result<string[]>> {
    const first = await this.taskLog(upid, { start: 0, limit: lines });
    if (!first.ok) return first;
    if (first.value.total <= lines) return ok(first.value.lines.map((l) => l.t));
    const tail = await this.taskLog(upid, { start: first.value.total - lines, limit: lines });
    return tail.ok ? ok(tail.value.lines.map((l) => l.t)) : tail;
  }

  /**
   * Polls a task until it stops. Success means "the task ended", whatever its exit status
   * (check `taskSucceeded(status.exitstatus)`); a timeout means it is still running.
   */
  async waitForTask(upid: string, opts: WaitOptions = {}): Promise<Result<TaskStatus>> {
    const timeoutMs = opts.timeoutMs ?? 120_000;
    let intervalMs = opts.intervalMs ?? 1_000;
    const maxIntervalMs = Math.max(intervalMs, opts.maxIntervalMs ?? intervalMs);
    const started = Date.now();
    let lastError: ServiceError | undefined;
    for (;;) {
      const r = await this.taskStatus(upid);
      if (r.ok) {
        lastError = undefined;
        await opts.onProgress?.(r.value);
        if (!r.value.running) return r;
      } else if (r.error.kind === 'auth' || r.error.kind === 'protocol' || r.error.kind === 'rejected') {
        return r;
      } else {
        lastError = r.error; // a blip while the task runs; keep following until the deadline
      }
      if (Date.now() - started >= timeoutMs || opts.signal?.aborted) {
        return err(lastError ?? serviceError(this.service, 'timeout', 'the task is still running'));
      }
      await sleep(Math.min(intervalMs, Math.max(0, timeoutMs - (Date.now() - started))), opts.signal);
      intervalMs = Math.min(maxIntervalMs, Math.round(intervalMs * 1.5));
    }
  }

  /** Storages of a node with usage (root `local`, thin pool `local-lvm`, backup shares). */
  async storage(node = this.node): Promise<Result<Storage[]>> {
    const r = await this.call('GET', `nodes/${enc(node)}/storage`, z.array(storageSchema));
    if (!r.ok) return r;
    return ok(
      r.value.map((s) => ({
        storage: s.storage,
        type: s.type,
        content: (s.content ?? '').split(',').filter(Boolean),
        active: s.active ?? false,
        enabled: s.enabled ?? true,
        shared: s.shared ?? false,
        total: s.total ?? 0,
        used: s.used ?? 0,
        avail: s.avail ?? 0,
      })),
    );
  }

  /** Recent vzdump tasks of a node, newest first (running ones included). */
  async vzdumpTasks(opts: { node?: string; since?: number; limit?: number; errorsOnly?: boolean } = {}): Promise<Result<Task[]>> {
    const node = opts.node ?? this.node;
    const r = await this.call('GET', `nodes/${enc(node)}/tasks`, z.array(taskSchema), {
      query: {
        typefilter: 'vzdump',
        source: 'all',
        limit: opts.limit ?? 200,
        since: opts.since,
        errors: opts.errorsOnly ? 1 : undefined,
      },
    });
    if (!r.ok) return r;
    return ok(
      r.value
        .map((t) => ({
          upid: t.upid,
          node: t.node,
          type: t.type,
          id: t.id ?? '',
          user: t.user,
          starttime: t.starttime,
          ...(t.endtime !== undefined ? { endtime: t.endtime } : {}),
          ...(t.status !== undefined ? { status: t.status } : {}),
        }))
        .sort((a, b) => b.starttime - a.starttime),
    );
  }

  /** Starts a one-off backup of one guest; the reply is the vzdump task's UPID. */
  async startBackup(
    vmid: number,
    opts: { storage?: string; mode?: 'snapshot' | 'suspend' | 'stop'; node?: string } = {},
  ): Promise<Result<string>> {
    const node = opts.node ?? this.node;
    return this.startTask(`nodes/${enc(node)}/vzdump`, {
      vmid,
      mode: opts.mode ?? 'snapshot',
      ...(opts.storage ? { storage: opts.storage } : {}),
    });
  }

  /** Guests that no scheduled backup job covers. */
  async notBackedUp(): Promise<Result<NotBackedUp[]>> {
    const r = await this.call('GET', 'cluster/backup-info/not-backed-up', notBackedUpSchema);
    if (!r.ok) return r;
    return ok(r.value.map((g) => ({ vmid: g.vmid, type: g.type, ...(g.name ? { name: g.name } : {}) })));
  }

  /** A guest's stored configuration: `startup`, the container `hostname`, NIC MACs (GET …/config). */
  async guestConfig(ref: GuestRef): Promise<Result<GuestConfig>> {
    const r = await this.call('GET', `${guestPath(ref, ref.node ?? this.node)}/config`, guestConfigSchema);
    if (!r.ok) return r;
    const c = r.value;
    const macs = Object.entries(c)
      .filter(([k, v]) => /^net\d+$/.test(k) && typeof v === 'string')
      .flatMap(([, v]) => nicMac(v as string) ?? []);
    return ok({
      ...(typeof c.startup === 'string' ? { startup: c.startup } : {}),
      ...(typeof c.hostname === 'string' ? { hostname: c.hostname } : {}),
      ...(typeof c.name === 'string' ? { name: c.name } : {}),
      onboot: c.onboot === 1 || c.onboot === '1' || c.onboot === true,
      macs,
    });
  }

  /** Sets a guest's `startup` property (PUT …/config, synchronous for both VMs and containers). */
  async setStartup(ref: GuestRef, startup: string): Promise<Result<void>> {
    const r = await this.call('PUT', `${guestPath(ref, ref.node ?? this.node)}/config`, z.null(), { form: { startup } });
    return r.ok ? ok(undefined) : r;
  }

  /**
   * `POST /nodes/{node}/stopall`: the node stops the listed guests itself, by descending startup
   * order. `timeout` and `force-stop` exist from PVE 8 on; older servers refuse unknown
   * parameters (additionalProperties 0), so pass them only when `version()` says ≥ 8.
   */
  async stopAll(opts: { vms: readonly number[]; timeoutSeconds?: number; forceStop?: boolean; node?: string }): Promise<Result<string>> {
    return this.startTask(`nodes/${enc(opts.node ?? this.node)}/stopall`, {
      vms: opts.vms.join(','),
      ...(opts.timeoutSeconds !== undefined ? { timeout: opts.timeoutSeconds } : {}),
      ...(opts.forceStop !== undefined ? { 'force-stop': opts.forceStop ? 1 : 0 } : {}),
    });
  }

  /** `POST /nodes/{node}/startall` with `force=1` (start even without onboot): ascending startup order. */
  async startAll(opts: { vms: readonly number[]; node?: string }): Promise<Result<string>> {
    return this.startTask(`nodes/${enc(opts.node ?? this.node)}/startall`, { vms: opts.vms.join(','), force: 1 });
  }

  /** Closes pooled connections. */
  async close(): Promise<void> {
    await this.http.close();
  }

  private async startTask(path: string, form: Record<string, string | number>): Promise<Result<string>> {
    const r = await this.call('POST', path, z.string(), { form });
    if (!r.ok) return r;
    if (!parseUpid(r.value)) return err(serviceError(this.service, 'protocol', 'the reply is not a task id (UPID)'));
    return r;
  }

  private taskPath(upid: string): Result<string> {
    const u = parseUpid(upid);
    if (!u) return err(serviceError(this.service, 'rejected', 'not a valid task id (UPID)'));
    return ok(`nodes/${enc(u.node)}/tasks/${encodeURIComponent(upid)}`);
  }

  private async call<S extends z.ZodType>(
    method: Dispatcher.HttpMethod,
    path: string,
    schema: S,
    opts: { query?: Query; form?: Record<string, string | number> } = {},
  ): Promise<Result<z.infer<S>>> {
    const r = await this.callEnvelope(method, path, schema, opts);
    return r.ok ? ok(r.value.data as z.infer<S>) : r;
  }

  private async callEnvelope<S extends z.ZodType>(
    method: Dispatcher.HttpMethod,
    path: string,
    schema: S,
    opts: { query?: Query; form?: Record<string, string | number> },
  ): Promise<Result<{ data: z.infer<S>; total?: number }>> {
    for (let attempt = 0; ; attempt++) {
      const headers = await this.authHeaders(method);
      if (!headers.ok) return headers;
      const sentWith = this.ticket;
      const res = await this.http.request(method, path, {
        headers: headers.value,
        ...(opts.query ? { query: opts.query } : {}),
        ...(opts.form ? { form: opts.form } : {}),
      });
      if (!res.ok) return res;
      // An expired or revoked ticket: log in again once, then give up.
      if (res.value.status === 401 && !this.usesToken && attempt === 0) {
        // Parallel calls all see the 401: only the first forgets the ticket, so one login serves all.
        if (this.ticket === sentWith) this.ticket = undefined;
        continue;
      }
      if (res.value.status !== 200) return err(this.httpError(res.value));
      const parsed = parseJson(this.service, res.value.text, envelope(schema));
      if (!parsed.ok) return parsed;
      const { data, total } = parsed.value as { data: z.infer<S>; total?: number };
      return ok(total === undefined ? { data } : { data, total });
    }
  }

  private async authHeaders(method: string): Promise<Result<Record<string, string>>> {
    if (this.usesToken) return ok({ authorization: `PVEAPIToken=${this.opts.tokenId}=${this.opts.tokenSecret}` });
    if (!this.ticket || this.clock.now() - this.ticket.at > TICKET_RENEW_MS) {
      this.loggingIn ??= this.login().finally(() => {
        this.loggingIn = undefined;
      });
      const t = await this.loggingIn;
      if (!t.ok) return t;
    }
    const t = this.ticket;
    if (!t) return err(serviceError(this.service, 'auth', 'not logged in'));
    return ok({ cookie: t.cookie, ...(method === 'GET' ? {} : { csrfpreventiontoken: t.csrf }) });
  }

  private async login(): Promise<Result<Ticket>> {
    const res = await this.http.request('POST', 'access/ticket', {
      form: { username: this.opts.username ?? '', password: this.opts.password ?? '' },
    });
    if (!res.ok) return res;
    if (res.value.status !== 200) return err(this.httpError(res.value, true));
    const parsed = parseJson(this.service, res.value.text, envelope(ticketSchema));
    if (!parsed.ok) return parsed;
    const d = parsed.value.data;
    this.ticket = { cookie: `PVEAuthCookie=${encodeURIComponent(d.ticket)}`, csrf: d.CSRFPreventionToken, at: this.clock.now() };
    return ok(this.ticket);
  }

  /** Maps an HTTP error status to a ServiceError; PVE 7 has the message only in the reason phrase. */
  private httpError(res: HttpResponse, login = false): ServiceError {
    const s = this.service;
    let body: z.infer<typeof errorBody> = {};
    try {
      const p = errorBody.safeParse(JSON.parse(res.text));
      if (p.success) body = p.data;
    } catch {
      // not JSON: the reason phrase is all we have
    }
    const params = Object.entries(body.errors ?? {}).map(([k, v]) => `${k}: ${tidy(v)}`);
    const message = tidy(body.message ?? '') || tidy(res.statusText) || `HTTP ${res.status}`;
    const text = params.length ? `${message} (${params.join('; ')})` : message;
    if (res.status === 401) {
      const what = login
        ? `the login as ${this.opts.username} was refused (check username and password)`
        : this.usesToken
          ? `the API token ${this.opts.tokenId} was refused (check the token id and secret, and that it still exists)`
          : 'the login ticket was refused twice (check the account)';
      return serviceError(s, 'auth', what, 401);
    }
    if (res.status === 403) return serviceError(s, 'rejected', `permission denied: ${text}`, 403);
    return serviceError(s, 'rejected', text, res.status);
  }
}

/** Waits, or less when the signal fires. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Trims PVE messages (they end with a newline) and bounds their length. */
function tidy(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > 300 ? `${t.slice(0, 297)}...` : t;
}

const enc = (s: string): string => encodeURIComponent(s);

/** The MAC of a `netN` value: `virtio=AA:…` (VM) or `…,hwaddr=AA:…` (container). */
function nicMac(value: string): string | undefined {
  const m = /(?:^|,)(?:hwaddr|[a-z0-9]+)=([0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5})(?:,|$)/.exec(value);
  return m?.[1]?.toUpperCase();
}

function guestPath(ref: GuestRef, node: string): string {
  return `nodes/${enc(node)}/${ref.type}/${ref.vmid}`;
}

function toGuest(g: z.infer<typeof guestSchema>, type: GuestType, node: string): Guest {
  return {
    vmid: g.vmid,
    type,
    node,
    name: g.name ?? `${type === 'qemu' ? 'VM' : 'CT'} ${g.vmid}`,
    // A paused VM still reports status "running"; qmpstatus tells the truth.
    status: g.qmpstatus === 'paused' ? 'paused' : g.status,
    cpu: g.cpu ?? 0,
    cpus: g.cpus ?? 0,
    mem: g.mem ?? 0,
    maxmem: g.maxmem ?? 0,
    uptime: g.uptime ?? 0,
    template: g.template ?? false,
    ...(g.lock ? { lock: g.lock } : {}),
    ...(g.tags ? { tags: g.tags } : {}),
  };
}
