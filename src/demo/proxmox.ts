import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { closeServer, serveLocal, readBody } from './http.ts';
import { configRoute, startAll, startAllRoute, stopAll, stopAllRoute, type BulkContext } from './proxmox-bulk.ts';
import {
  newUpid,
  seedBackupHistory,
  seedGuests,
  seedStorage,
  settle,
  visibleLog,
  vzdumpLog,
  type VzdumpMode,
  type FakeGuest,
  type FakeStorage,
  type FakeTask,
} from './proxmox-state.ts';

/**
 * A protocol-faithful fake of the Proxmox VE API (PROTOCOLS §1) for demo mode and tests:
 * API-token and ticket auth (CSRF check on writes with a ticket), `{data: …}` envelopes,
 * errors in the HTTP reason phrase (PVE 7; `message` in the body too when `apiVersion: 8`),
 * 501 for unknown paths, and power/backup tasks that progress over time and can fail.
 */

export interface ProxmoxFakeOptions {
  /** PEM key and certificate: serve HTTPS like pveproxy. */
  readonly tls?: { readonly key: string; readonly cert: string };
  readonly node?: string;
  /** Delay before every 401 (the real server waits 3 s; tests want 0). */
  readonly unauthDelayMs?: number;
  /** How long power tasks run. */
  readonly taskDurationMs?: number;
  /** How long a one-guest backup runs. */
  readonly backupDurationMs?: number;
  /** 7: error text only in the reason phrase; 8: also `message` in the body. */
  readonly apiVersion?: 7 | 8;
  /** Time source (epoch ms), to line up with a test's ManualClock. */
  readonly now?: () => number;
}

/** The running fake, its credentials and its controls. */
export interface ProxmoxFake {
  /** Base URL without `/api2/json`. */
  readonly url: string;
  readonly node: string;
  readonly tokenId: string;
  readonly tokenSecret: string;
  /** A token without VM.PowerMgmt (power and backup get 403). */
  readonly readonlyTokenId: string;
  readonly username: string;
  readonly password: string;
  readonly requestCount: number;
  /** Successful ticket logins so far (re-login tests). */
  readonly loginCount: number;
  close(): Promise<void>;
  /** Live guests and storages (edit them to change state). */
  guest(vmid: number): FakeGuest | undefined;
  storage(name: string): FakeStorage | undefined;
  setGuestState(vmid: number, status: 'running' | 'stopped'): void;
  /** The next power task ends with this error instead of doing its job. */
  failNextTask(message?: string): void;
  /** Pauses (or resumes) a running VM in QEMU, as `qm suspend` does: only `qmpstatus` shows it. */
  setPaused(vmid: number, paused: boolean): void;
  /** The next backup of this guest fails with this reason. */
  failBackup(vmid: number, reason?: string): void;
  /** Runs the scheduled multi-guest backup job now (uses failBackup reasons); returns its UPID. */
  runBackupJob(mode?: VzdumpMode): string;
  /** The next stop-mode backup of this guest cannot start it again: it stays stopped after the job. */
  failRestartAfterBackup(vmid: number): void;
  /** Every ticket issued so far stops working (as after 2 h or a restart). */
  expireTickets(): void;
  /** The next request gets this status and reason phrase (and optional raw body). */
  failNext(status: number, reason: string, body?: string): void;
  /** Every request whose path matches gets this error until called again with undefined. */
  failRoute(match: RegExp | undefined, status?: number, reason?: string): void;
  /** The next request gets a 200 with a body that is not the documented shape. */
  malformedNext(body?: string): void;
  /** The next request never gets an answer (timeout tests). */
  hangNext(): void;
  /** Guests that no backup job covers (GET /cluster/backup-info/not-backed-up). */
  setNotBackedUp(vmids: number[]): void;
  /** How many times the node was asked to shut down (power-cut tests). */
  readonly nodeShutdowns: number;
  /** True once a node shutdown has stopped every guest and powered off: nothing answers. */
  readonly off: boolean;
  /** Power returns: the node boots and starts its `onboot` guests in startup order. */
  powerOn(): void;
  /** All tasks, newest first. */
  tasks(): readonly FakeTask[];
}

const isVzdumpMode = (m: string): m is VzdumpMode => m === 'snapshot' || m === 'suspend' || m === 'stop';

type Reply = { status: number; reason?: string; data?: unknown; total?: number; errors?: Record<string, string>; raw?: string };

/** Starts the fake Proxmox API on 127.0.0.1 (port 0 unless given). */
export async function startProxmoxFake(opts: ProxmoxFakeOptions = {}, port = 0): Promise<ProxmoxFake> {
  const now = opts.now ?? Date.now;
  const node = opts.node ?? 'proxmox1';
  const token = { id: 'root@pam!bot', secret: randomUUID() };
  const readonlyToken = { id: 'monitor@pve!ro', secret: token.secret };
  const user = { name: 'root@pam', password: 'proxmox-demo-pass' };
  const guests = seedGuests(now());
  const storages = seedStorage();
  const tasks: FakeTask[] = seedBackupHistory(guests, node, now());
  const tickets = new Map<string, string>(); // ticket → CSRF token
  const backupFailures = new Map<number, string>();
  const restartFailures = new Set<number>();
  let notBackedUp: number[] = [];
  let nextTaskFailure: string | undefined;
  let nextReply:
    { kind: 'fail'; status: number; reason: string; body?: string } | { kind: 'malformed'; body: string } | { kind: 'hang' } | undefined;
  let requestCount = 0;
  let routeFailure: { match: RegExp; status: number; reason: string } | undefined;
  let loginCount = 0;
  let nodeShutdowns = 0;
  let offAt: number | undefined;
  const hung = new Set<ServerResponse>();
  const v8 = opts.apiVersion === 8;

  const tick = (): void => {
    for (const t of tasks) settle(t, now());
  };
  const findGuest = (vmid: number): FakeGuest | undefined => guests.find((g) => g.vmid === vmid);

  const addTask = (t: Omit<FakeTask, 'finished' | 'node' | 'upid' | 'startedAt'> & { startedAt?: number }): FakeTask => {
    const startedAt = t.startedAt ?? now();
    const task: FakeTask = { ...t, node, startedAt, finished: false, upid: newUpid(node, t.type, t.id, t.user, startedAt) };
    tasks.unshift(task);
    settle(task, now());
    return task;
  };

  const backupTask = (list: FakeGuest[], who: string, storage: string, mode: VzdumpMode = 'snapshot'): FakeTask => {
    const start = now();
    const failures = new Map(list.filter((g) => backupFailures.has(g.vmid)).map((g) => [g.vmid, backupFailures.get(g.vmid) ?? '']));
    for (const g of list) backupFailures.delete(g.vmid);
    const noRestart = new Set(list.filter((g) => restartFailures.delete(g.vmid)).map((g) => g.vmid));
    const { log, exit } = vzdumpLog(list, start, failures, storage, node, mode, noRestart);
    for (const g of list) g.lock = 'backup';
    // Stop mode: running guests are shut down for the job and started again when it ends (PVE/VZDump.pm).
    const stopped = mode === 'stop' ? list.filter((g) => g.status === 'running') : [];
    for (const g of stopped) {
      g.status = 'stopped';
      g.stoppedAt = start;
      delete g.startedAt;
    }
    return addTask({
      type: 'vzdump',
      id: list.length === 1 ? String(list[0]?.vmid) : '',
      user: who,
      durationMs: (opts.backupDurationMs ?? 3_000) * list.length,
      exit,
      log,
      onFinish: () => {
        for (const g of list) delete g.lock;
        for (const g of stopped) {
          if (noRestart.has(g.vmid)) continue;
          g.status = 'running';
          g.startedAt = now();
        }
      },
    });
  };

  const bulk: BulkContext = {
    node,
    guests,
    now,
    addTask,
    stepMs: opts.taskDurationMs ?? 2_000,
    apiMajor: opts.apiVersion ?? 7,
  };
  const isOff = (): boolean => offAt !== undefined && now() >= offAt;

  const authenticate = (
    req: IncomingMessage,
    method: string,
  ): { ok: true; who: string; token?: string } | { ok: false; reason: string } => {
    const auth = req.headers.authorization ?? '';
    const tm = /^PVEAPIToken[= ](.+?)=(.+)$/.exec(auth);
    if (tm) {
      const [, id, secret] = tm;
      if ((id === token.id || id === readonlyToken.id) && secret === token.secret) return { ok: true, who: id, token: id };
      return { ok: false, reason: 'authentication failure' };
    }
    const cookie = /(?:^|;\s*)PVEAuthCookie=([^;]+)/.exec(req.headers.cookie ?? '')?.[1] ?? /^PVEAuthCookie=(.+)$/.exec(auth)?.[1];
    if (!cookie) return { ok: false, reason: 'No ticket' };
    const ticket = decodeURIComponent(cookie);
    const csrf = tickets.get(ticket);
    if (csrf === undefined) return { ok: false, reason: 'authentication failure' };
    if (method !== 'GET' && req.headers.csrfpreventiontoken !== csrf)
      return { ok: false, reason: 'Permission denied - invalid csrf token' };
    return { ok: true, who: user.name };
  };

  const issueTicket = (): { ticket: string; csrf: string } => {
    const ts = Math.floor(now() / 1000)
      .toString(16)
      .toUpperCase();
    const ticket = `PVE:${user.name}:${ts}::${randomBytes(48).toString('base64')}`;
    const csrf = `${ts}:${randomBytes(32).toString('base64').replace(/=+$/, '')}`;
    tickets.set(ticket, csrf);
    return { ticket, csrf };
  };

  /**
   * One guest row as qemu-server/pve-container report it. qemu-server's `vmstatus($vmid, $full)`
   * (PVE/QemuServer.pm) fills `mem` from /proc/<pid>/stat as rss/vsize × maxmem and
   * `return $res if !$full;` before asking QMP, so `qmpstatus` and the balloon memory
   * (`total_mem - free_mem`, what the web UI shows) only come with `full=1`; `status/current`
   * always asks with full. With full, QMP `query-status` goes only to VMs that have a pid, and a
   * last loop sets `qmpstatus` to `status` for every VM still without one: a stopped VM reads
   * `qmpstatus: "stopped"` (and has no balloon fields: nothing answered).
   */
  const guestRow = (g: FakeGuest, full: boolean): Record<string, unknown> => {
    const running = g.status === 'running';
    const qemuFull = g.type === 'qemu' && full;
    return {
      vmid: g.vmid,
      name: g.name,
      status: g.status,
      cpus: g.cpus,
      maxmem: g.maxmem,
      mem: !running ? 0 : g.type === 'qemu' && !full ? rssShare(g) : g.mem,
      cpu: running ? g.cpu : 0,
      uptime: running && g.startedAt !== undefined ? Math.floor((now() - g.startedAt) / 1000) : 0,
      maxdisk: 32 * 1024 ** 3,
      // VMs report disk 0 (qemu-server cannot see inside); counters grow while running.
      disk: g.type === 'lxc' && running ? 9 * 1024 ** 3 : 0,
      diskread: running ? 123_456 : 0,
      diskwrite: running ? 654_321 : 0,
      netin: running ? 1_000 : 0,
      netout: running ? 2_000 : 0,
      template: 0,
      ...(g.lock ? { lock: g.lock } : {}),
      ...(g.type === 'qemu' ? { pid: running ? 1234 + g.vmid : undefined } : { type: 'lxc', maxswap: 512 * 1024 ** 2, swap: 0 }),
      ...(qemuFull
        ? {
            qmpstatus: running && g.paused ? 'paused' : g.status,
            ...(running
              ? {
                  balloon: g.maxmem,
                  freemem: g.maxmem - g.mem,
                  ballooninfo: { actual: g.maxmem, max_mem: g.maxmem, total_mem: g.maxmem, free_mem: g.maxmem - g.mem },
                }
              : {}),
          }
        : {}),
    };
  };

  const taskRow = (t: FakeTask): Record<string, unknown> => ({
    upid: t.upid,
    node: t.node,
    pid: 0,
    pstart: 0x0123abcd,
    starttime: Math.floor(t.startedAt / 1000),
    type: t.type,
    id: t.id,
    user: t.user,
    ...(t.finished ? { endtime: Math.floor((t.startedAt + t.durationMs) / 1000), status: t.exit } : { status: 'RUNNING' }),
  });

  const power = (g: FakeGuest, action: string, who: string): Reply => {
    const label = g.type === 'qemu' ? 'VM' : 'CT';
    if (action !== 'start' && g.status !== 'running') return { status: 500, reason: `${label} ${g.vmid} not running` };
    if (g.lock) return { status: 500, reason: `${label} is locked (${g.lock})` };
    const prefix = g.type === 'qemu' ? 'qm' : 'vz';
    let exit = 'OK';
    if (action === 'start' && g.status === 'running') exit = `${label} ${g.vmid} already running`;
    if (nextTaskFailure !== undefined) {
      exit = nextTaskFailure;
      nextTaskFailure = undefined;
    }
    const task = addTask({
      type: `${prefix}${action}`,
      id: String(g.vmid),
      user: who,
      durationMs: opts.taskDurationMs ?? 2_000,
      exit,
      log: [],
      onSuccess: () => {
        if (action === 'shutdown' || action === 'stop') {
          g.status = 'stopped';
          delete g.startedAt;
        } else {
          g.status = 'running';
          g.startedAt = now();
        }
      },
    });
    return { status: 200, data: task.upid };
  };

  const route = (method: string, path: string, q: URLSearchParams, body: Record<string, string>, who: string, tokenId?: string): Reply => {
    const p = path.split('/').filter(Boolean).map(decodeURIComponent);
    const nodeGone = (n: string | undefined): Reply | undefined =>
      n === node
        ? undefined
        : { status: 500, reason: `hostname lookup '${n}' failed - failed to get address info for: ${n}: Name or service not known` };
    const canPower = tokenId !== readonlyToken.id;
    if (method === 'GET' && path === '/version')
      return {
        status: 200,
        data: v8 ? { version: '8.4.1', release: '8.4', repoid: '2a5fa54a' } : { version: '7.3-3', release: '7.3', repoid: 'c3928077' },
      };
    if (method === 'GET' && path === '/nodes') {
      return {
        status: 200,
        data: [
          {
            node,
            status: 'online',
            cpu: 0.07,
            maxcpu: 4,
            mem: 9.1 * 1024 ** 3,
            maxmem: 16 * 1024 ** 3,
            uptime: 1_036_800,
            ssl_fingerprint: 'AA:BB',
          },
        ],
      };
    }
    if (method === 'GET' && path === '/cluster/backup-info/not-backed-up') {
      return {
        status: 200,
        data: notBackedUp
          .map(findGuest)
          .filter((g): g is FakeGuest => Boolean(g))
          .map((g) => ({ vmid: g.vmid, name: g.name, type: g.type })),
      };
    }
    if (p[0] !== 'nodes' || p.length < 3) return notImplemented(method, path);
    const gone = nodeGone(p[1]);
    if (gone) return gone;
    const rest = p.slice(2);
    if (method === 'GET' && rest.join('/') === 'status') {
      const running = guests.filter((g) => g.status === 'running');
      return {
        status: 200,
        data: {
          cpu: 0.05 + running.reduce((a, g) => a + g.cpu * g.cpus, 0) / 4,
          loadavg: ['0.42', '0.51', '0.47'],
          memory: { total: 16 * 1024 ** 3, used: 1.2 * 1024 ** 3 + running.reduce((a, g) => a + g.mem, 0), free: 0 },
          rootfs: { total: 94 * 1024 ** 3, used: storages[0]?.used ?? 0, avail: 94 * 1024 ** 3 - (storages[0]?.used ?? 0), free: 0 },
          cpuinfo: {
            model: 'Intel(R) Celeron(R) J5040 CPU @ 2.00GHz',
            cpus: 4,
            cores: 4,
            sockets: 1,
            mhz: '2000.000',
            hvm: '1',
            flags: 'fpu vme de pse tsc msr pae mce cx8 apic sep mtrr',
            user_hz: 100,
          },
          wait: 0.001,
          idle: 0,
          swap: { total: 0, used: 0, free: 0 },
          ksm: { shared: 0 },
          uptime: 1_036_800,
          pveversion: 'pve-manager/7.3-3/c3928077',
          kversion: 'Linux 5.15.74-1-pve #1 SMP PVE 5.15.74-1',
          'current-kernel': { release: '5.15.74-1-pve', sysname: 'Linux', version: '#1 SMP PVE 5.15.74-1', machine: 'x86_64' },
        },
      };
    }
    if (method === 'POST' && rest.join('/') === 'status') {
      if (!canPower) return { status: 403, reason: `Permission check failed (/nodes/${node}, Sys.PowerMgmt)` };
      if (body.command !== 'shutdown' && body.command !== 'reboot') {
        return {
          status: 400,
          reason: 'Parameter verification failed.',
          errors: { command: "value 'x' does not have a value in the enumeration 'reboot, shutdown'" },
        };
      }
      nodeShutdowns++;
      // pve-guests.service: ExecStop runs stopall for every guest, then the machine powers off.
      if (body.command === 'shutdown') offAt = stopAll(bulk, guests, 'root@pam').doneAt + bulk.stepMs;
      return { status: 200, data: null };
    }
    if (method === 'POST' && rest.join('/') === 'stopall') return stopAllRoute(bulk, body, who, canPower);
    if (method === 'POST' && rest.join('/') === 'startall') return startAllRoute(bulk, body, who, canPower);
    if ((rest[0] === 'qemu' || rest[0] === 'lxc') && rest[2] === 'config' && rest.length === 3) {
      const g = findGuest(Number(rest[1]));
      if (!g || g.type !== rest[0])
        return {
          status: 500,
          reason: `Configuration file 'nodes/${node}/${rest[0] === 'qemu' ? 'qemu-server' : 'lxc'}/${rest[1]}.conf' does not exist`,
        };
      return configRoute(g, method, body, canPower);
    }
    if ((rest[0] === 'qemu' || rest[0] === 'lxc') && rest.length === 1 && method === 'GET') {
      return { status: 200, data: guests.filter((g) => g.type === rest[0]).map((g) => guestRow(g, q.get('full') === '1')) };
    }
    if ((rest[0] === 'qemu' || rest[0] === 'lxc') && rest[2] === 'status' && rest.length === 4) {
      const g = findGuest(Number(rest[1]));
      if (!/^\d+$/.test(rest[1] ?? ''))
        return {
          status: 400,
          reason: 'Parameter verification failed.',
          errors: { vmid: 'invalid format - value does not look like a valid VM ID\n' },
        };
      if (!g || g.type !== rest[0]) {
        return {
          status: 500,
          reason: `Configuration file 'nodes/${node}/${rest[0] === 'qemu' ? 'qemu-server' : 'lxc'}/${rest[1]}.conf' does not exist`,
        };
      }
      if (method === 'GET' && rest[3] === 'current') return { status: 200, data: { ...guestRow(g, true), ha: { managed: 0 } } };
      if (method === 'POST' && ['start', 'shutdown', 'reboot', 'stop'].includes(rest[3] ?? '')) {
        if (!canPower) return { status: 403, reason: `Permission check failed (/vms/${g.vmid}, VM.PowerMgmt)` };
        return power(g, rest[3] ?? '', who);
      }
    }
    if (rest[0] === 'tasks') return taskRoute(method, rest, q);
    if (method === 'GET' && rest.join('/') === 'storage') {
      return {
        status: 200,
        data: storages.map((s) => ({
          storage: s.storage,
          type: s.type,
          content: s.content,
          active: 1,
          enabled: 1,
          shared: s.shared ? 1 : 0,
          total: s.total,
          used: s.used,
          avail: s.total - s.used,
          used_fraction: s.used / s.total,
        })),
      };
    }
    if (method === 'POST' && rest.join('/') === 'vzdump') {
      if (!canPower) return { status: 403, reason: 'Permission check failed (/vms, VM.Backup)' };
      const ids = (body.vmid ?? '').split(/[,\s]+/).filter(Boolean);
      if (ids.length === 0 && body.all !== '1')
        return { status: 400, reason: 'Parameter verification failed.', errors: { vmid: 'property is missing and it is not optional' } };
      if (ids.some((i) => !/^\d+$/.test(i)))
        return {
          status: 400,
          reason: 'Parameter verification failed.',
          errors: { vmid: 'invalid format - value does not look like a valid VM ID' },
        };
      const list = body.all === '1' ? guests : ids.map((i) => findGuest(Number(i)));
      const missing = ids.find((i) => !findGuest(Number(i)));
      if (missing) return { status: 500, reason: `guest '${missing}' does not exist` };
      const storage = body.storage ?? 'backups';
      if (!storages.some((s) => s.storage === storage)) return { status: 500, reason: `storage '${storage}' does not exist` };
      const mode = body.mode ?? 'snapshot';
      if (!isVzdumpMode(mode))
        return {
          status: 400,
          reason: 'Parameter verification failed.',
          errors: { mode: `value '${mode}' does not have a value in the enumeration 'snapshot, suspend, stop'` },
        };
      return {
        status: 200,
        data: backupTask(
          list.filter((g): g is FakeGuest => Boolean(g)),
          who,
          storage,
          mode,
        ).upid,
      };
    }
    return notImplemented(method, path);
  };

  const taskRoute = (method: string, rest: string[], q: URLSearchParams): Reply => {
    if (rest.length === 1 && method === 'GET') {
      let list = tasks.filter((t) => (q.get('source') === 'all' || q.get('source') === 'active' ? true : t.finished));
      if (q.get('source') === 'active') list = list.filter((t) => !t.finished);
      const typefilter = q.get('typefilter');
      if (typefilter) list = list.filter((t) => t.type === typefilter);
      const vmid = q.get('vmid');
      if (vmid) list = list.filter((t) => t.id === vmid);
      if (q.get('errors') === '1') list = list.filter((t) => !t.finished || t.exit !== 'OK');
      const since = Number(q.get('since') ?? 0);
      if (since) list = list.filter((t) => t.startedAt / 1000 >= since);
      const start = Number(q.get('start') ?? 0);
      const limit = Number(q.get('limit') ?? 50);
      return { status: 200, data: list.slice(start, start + limit).map(taskRow), total: list.length };
    }
    const task = tasks.find((t) => t.upid === rest[1]);
    if (!task) return { status: 500, reason: `unable to parse worker upid '${rest[1]}'` };
    if (method === 'GET' && rest[2] === 'status' && rest.length === 3) {
      return {
        status: 200,
        data: {
          upid: task.upid,
          node: task.node,
          pid: 0,
          pstart: 0x0123abcd,
          starttime: Math.floor(task.startedAt / 1000),
          type: task.type,
          id: task.id,
          user: task.user,
          status: task.finished ? 'stopped' : 'running',
          ...(task.finished ? { exitstatus: task.exit } : {}),
        },
      };
    }
    if (method === 'GET' && rest[2] === 'log' && rest.length === 3) {
      const lines = visibleLog(task, now());
      const start = Number(q.get('start') ?? 0);
      const limit = Number(q.get('limit') ?? 50);
      return { status: 200, data: lines.slice(start, start + limit).map((t, i) => ({ n: start + i + 1, t })), total: lines.length };
    }
    if (method === 'DELETE' && rest.length === 2) {
      if (!task.finished) {
        task.exit = 'interrupted by signal';
        task.durationMs = Math.max(0, now() - task.startedAt);
        settle(task, now());
      }
      return { status: 200, data: null };
    }
    return notImplemented(method, `/nodes/${node}/tasks/${rest.slice(1).join('/')}`);
  };

  const send = (res: ServerResponse, r: Reply): void => {
    const body =
      r.raw ??
      JSON.stringify(
        r.status === 200
          ? { data: r.data ?? null, ...(r.total !== undefined ? { total: r.total } : {}) }
          : { data: null, ...(r.errors ? { errors: r.errors } : {}), ...(v8 && r.reason ? { message: `${r.reason}\n` } : {}) },
      );
    res.writeHead(r.status, r.reason ?? 'OK', {
      'content-type': 'application/json;charset=UTF-8',
      'content-length': Buffer.byteLength(body),
    });
    res.end(body);
  };

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    requestCount++;
    void readBody(req).then(
      (raw) => {
        tick();
        if (isOff()) return void req.socket.destroy(); // powered off: no answer at all
        const url = new URL(req.url ?? '/', 'http://x');
        const method = req.method ?? 'GET';
        const planned = nextReply;
        nextReply = undefined;
        if (planned?.kind === 'hang') {
          hung.add(res);
          return;
        }
        if (planned?.kind === 'fail')
          return send(res, {
            status: planned.status,
            reason: planned.reason,
            ...(planned.body !== undefined ? { raw: planned.body } : {}),
          });
        if (planned?.kind === 'malformed') return send(res, { status: 200, raw: planned.body });
        if (!url.pathname.startsWith('/api2/json/')) return send(res, notImplemented(method, url.pathname));
        const path = url.pathname.slice('/api2/json'.length).replace(/\/+$/, '');
        if (routeFailure?.match.test(path)) return send(res, { status: routeFailure.status, reason: routeFailure.reason });
        const body = parseBody(raw, req.headers['content-type']);
        if (method === 'POST' && path === '/access/ticket') {
          const renew = body.password !== undefined && tickets.has(body.password);
          if (body.username === user.name && (body.password === user.password || renew)) {
            const t = issueTicket();
            loginCount++;
            return send(res, {
              status: 200,
              data: { username: user.name, ticket: t.ticket, CSRFPreventionToken: t.csrf, cap: USER_CAP },
            });
          }
          return void setTimeout(() => send(res, { status: 401, reason: 'authentication failure' }), opts.unauthDelayMs ?? 0);
        }
        const auth = authenticate(req, method);
        if (!auth.ok) return void setTimeout(() => send(res, { status: 401, reason: auth.reason }), opts.unauthDelayMs ?? 0);
        send(res, route(method, path, url.searchParams, body, auth.who, auth.token));
      },
      () => undefined,
    ); // the client hung up mid-request: nobody to answer
  };

  const { server, url } = await serveLocal(handler, { tls: opts.tls, port });

  return {
    url,
    node,
    tokenId: token.id,
    tokenSecret: token.secret,
    readonlyTokenId: readonlyToken.id,
    username: user.name,
    password: user.password,
    get requestCount() {
      return requestCount;
    },
    get loginCount() {
      return loginCount;
    },
    get nodeShutdowns() {
      return nodeShutdowns;
    },
    get off() {
      tick();
      return isOff();
    },
    powerOn() {
      tick();
      offAt = undefined;
      startAll(
        bulk,
        guests.filter((g) => g.onboot),
        'root@pam',
      );
    },
    close() {
      return closeServer(server, hung);
    },
    guest(vmid) {
      tick(); // tasks progress lazily: a look from a test counts as a request
      return findGuest(vmid);
    },
    storage: (name) => storages.find((s) => s.storage === name),
    setGuestState(vmid, status) {
      const g = findGuest(vmid);
      if (!g) throw new Error(`no guest ${vmid}`);
      g.status = status;
      if (status === 'running') g.startedAt = now();
      else delete g.startedAt;
      delete g.paused;
    },
    setPaused(vmid, paused) {
      const g = findGuest(vmid);
      if (!g || g.type !== 'qemu' || g.status !== 'running') throw new Error(`no running VM ${vmid}`);
      g.paused = paused;
    },
    failNextTask(message = 'command failed') {
      nextTaskFailure = message;
    },
    failBackup(vmid, reason = "command 'zstd' failed: exit code 1: No space left on device") {
      backupFailures.set(vmid, reason);
    },
    failRestartAfterBackup(vmid) {
      restartFailures.add(vmid);
    },
    runBackupJob(mode) {
      tick();
      return backupTask(guests, 'root@pam', 'backups', mode).upid;
    },
    expireTickets() {
      tickets.clear();
    },
    failNext(status, reason, body) {
      nextReply = { kind: 'fail', status, reason, ...(body !== undefined ? { body } : {}) };
    },
    failRoute(match, status = 500, reason = 'internal error') {
      routeFailure = match ? { match, status, reason } : undefined;
    },
    malformedNext(body = '{"data":{"unexpected":true}') {
      nextReply = { kind: 'malformed', body };
    },
    hangNext() {
      nextReply = { kind: 'hang' };
    },
    setNotBackedUp(vmids) {
      notBackedUp = [...vmids];
    },
    tasks() {
      tick();
      return tasks;
    },
  };
}

/**
 * The ticket's `cap` (pve-access-control AccessControl.pm create_ticket → compute_api_permission):
 * per area, the privileges the user holds somewhere in it. No `clustername`: a standalone node.
 */
const USER_CAP = {
  vms: { 'VM.Audit': 1, 'VM.PowerMgmt': 1, 'VM.Backup': 1, 'VM.Config.Options': 1, 'VM.Console': 1 },
  storage: { 'Datastore.Audit': 1, 'Datastore.AllocateSpace': 1 },
  access: {},
  nodes: { 'Sys.Audit': 1, 'Sys.PowerMgmt': 1 },
  dc: {},
  sdn: {},
};

/** The rss/vsize × maxmem estimate a VM's row carries without `full=1` (larger than the guest's own view). */
function rssShare(g: FakeGuest): number {
  return Math.min(g.maxmem, Math.round(g.mem * 1.3));
}

/**
 * What Proxmox answers for a method/path no API handler serves: 501 "Method 'GET /x' not
 * implemented" (pve-manager PVE/HTTPServer.pm rest_handler, find_handler failing) — the product's
 * own reply, which the client must treat as an error, not a gap in this fake.
 */
function notImplemented(method: string, path: string): Reply {
  return { status: 501, reason: `Method '${method} ${path}' not implemented` };
}

/** Form or JSON request bodies, as pve-http-server accepts both. */
function parseBody(raw: string, type: string | undefined): Record<string, string> {
  if (!raw) return {};
  if (type?.includes('application/json')) {
    try {
      const o = JSON.parse(raw) as Record<string, unknown>;
      return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, String(v)]));
    } catch {
      return {};
    }
  }
  return Object.fromEntries(new URLSearchParams(raw));
}
