import type { IncomingMessage, ServerResponse } from 'node:http';
import { DEMO_DEVICES } from './household.ts';
import { closeServer, serveLocal, readBody, sendJson } from './http.ts';

/**
 * A protocol-faithful fake of the RouterOS v7 REST API (PROTOCOLS §6) for demo mode and
 * tests: Basic auth, user policies (read / write / sensitive), every value a string,
 * `.id` like `*1`, the `{error,message,detail}` error body, and the reference homelab's
 * router (hAP ax², guest AP on 10.1.1.0/24, WireGuard on 192.168.100.0/24) leasing the demo
 * household's devices (household.ts).
 */

/** A RouterOS user; `sensitive` lets it read passphrases, `write` lets it change things. */
export interface FakeRouterUser {
  readonly name: string;
  readonly password: string;
  readonly policy: readonly ('read' | 'write' | 'sensitive')[];
}

/** Demo credentials: `admin` may change settings, `monitor` only reads. */
export const FAKE_ROUTER_USERS: readonly FakeRouterUser[] = [
  { name: 'admin', password: 'router-demo-pass', policy: ['read', 'write', 'sensitive'] },
  { name: 'monitor', password: 'monitor-demo-pass', policy: ['read', 'sensitive'] },
  { name: 'viewer', password: 'viewer-demo-pass', policy: ['read'] },
];

/** The fake router's transport (http or TLS), users, WiFi layout, RouterOS version, clock and wake hook. */
export interface RouterOsFakeOptions {
  /** PEM key and certificate: serve HTTPS (service www-ssl) instead of HTTP. */
  readonly tls?: { readonly key: string; readonly cert: string };
  readonly users?: readonly FakeRouterUser[];
  /** The guest AP takes its passphrase from a named security profile `guest-sec`. */
  readonly guestSecurityProfile?: boolean;
  /**
   * `/system/resource` version (default `7.16.2 (stable)`). Before 7.13 the WiFi menus live
   * under `interface/wifiwave2` and `interface/wifi` answers 404 (the package was renamed
   * wifiwave2 → wifi-qcom in 7.13; help.mikrotik.com WifiWave2 and WiFi pages).
   */
  readonly version?: string;
  /** Milliseconds since the epoch for address-list timeouts; defaults to Date.now (tests pass a ManualClock). */
  readonly now?: () => number;
  /** Told about every magic packet `/tool/wol` sends (the demo powers its Proxmox node on). */
  readonly onWake?: (wake: FakeWake) => void;
}

/** One magic packet the router sent. */
export interface FakeWake {
  /** As RouterOS prints a MAC: upper-case, colon-separated. */
  readonly mac: string;
  readonly interface: string | undefined;
  readonly at: number;
}

type Rec = Record<string, string>;

/** The running fake and its controls. */
export interface RouterOsFake {
  readonly url: string;
  close(): Promise<void>;
  /** Records of a menu, e.g. `interface/wifi` (live objects: edit them to change state). */
  menu(path: string): Rec[];
  /** The next request gets this status and raw body instead of its normal reply. */
  failNext(status: number, body: string): void;
  /** Number of requests served, for pin-mismatch tests (a refused TLS handshake serves none). */
  readonly requestCount: number;
  /** Adds a DHCP lease as if a device just joined (`/simulate new-device`, tests). */
  addLease(l: { address: string; mac: string; hostName?: string; server: 'dhcp-lan' | 'dhcp-guest' }): void;
  /** Addresses currently in an address list (timeouts applied): what the router would refuse. */
  listed(list: string): string[];
  /** Every magic packet sent through `/tool/wol`, oldest first. */
  readonly wakes: readonly FakeWake[];
}

/** Menus where PUT adds a record and DELETE removes one (the rest of the fake is read/patch only). */
const ADDABLE = new Set(['ip/firewall/address-list', 'ip/firewall/filter']);
const DELETABLE = ADDABLE;

/** What every DHCP lease prints besides address and state (help.mikrotik.com DHCP page). */
function leaseDefaults(mac: string, server: string): Rec {
  const clientId = `1:${mac.toLowerCase().replace(/(^|:)0(?=[0-9a-f])/g, '$1')}`;
  return {
    'client-id': clientId,
    'active-client-id': clientId,
    'active-server': server,
    'src-mac-address': mac,
    'address-lists': '',
    'dhcp-option': '',
    age: '1h2m',
    blocked: 'false',
    radius: 'false',
  };
}

/** RouterOS duration text (`1h30m`, `90s`, `90`) → seconds. */
function parseSeconds(text: string): number | undefined {
  if (/^\d+$/.test(text)) return Number(text);
  const m = /^(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text);
  if (!m || text === '') return undefined;
  const [w, d, h, mi, se] = m.slice(1).map((x) => Number(x ?? 0));
  return (w ?? 0) * 604_800 + (d ?? 0) * 86_400 + (h ?? 0) * 3_600 + (mi ?? 0) * 60 + (se ?? 0);
}

/** Properties every /interface/wifi record prints besides its own (help.mikrotik.com WiFi page). */
const INTERFACE_DEFAULTS: Rec = { l2mtu: '1560', arp: 'enabled', 'arp-timeout': 'auto' };

/** What every /ip/firewall/filter rule prints besides its own matchers (counters, flags, logging). */
const RULE_DEFAULTS: Rec = { bytes: '0', packets: '0', invalid: 'false', log: 'false', 'log-prefix': '' };

const SENSITIVE = new Set(['security.passphrase', 'passphrase', 'private-key', 'preshared-key']);

function seed(profile: boolean, version: string): Map<string, Rec[]> {
  const guest: Rec = {
    '.id': '*5',
    name: 'wifi-guest',
    'master-interface': 'wifi1',
    disabled: 'false',
    running: 'true',
    inactive: 'false',
    'configuration.ssid': 'thehomelab-guest',
    'configuration.mode': 'ap',
    'configuration.hide-ssid': 'false',
    'configuration.country': 'Spain',
    'channel.band': '2ghz-ax',
    'security.authentication-types': 'wpa2-psk,wpa3-psk',
    'mac-address': '00:00:5E:00:53:05',
    ...INTERFACE_DEFAULTS,
    'default-name': '',
  };
  if (profile) guest.security = 'guest-sec';
  else guest['security.passphrase'] = 'maple-tiger-cloud-piano-4827';
  const lease = (id: number, server: string, address: string, mac: string, host: string | undefined, extra: Rec = {}): Rec => ({
    '.id': `*${id}`,
    address,
    'mac-address': mac,
    'active-address': address,
    'active-mac-address': mac,
    server,
    status: 'bound',
    dynamic: 'true',
    disabled: 'false',
    'last-seen': '1m5s',
    'expires-after': '8m55s',
    ...leaseDefaults(mac, server),
    ...(host ? { 'host-name': host } : {}),
    ...extra,
  });
  const peer = (id: number, name: string, addr: string, hs: string | undefined, rx: string, tx: string): Rec => ({
    '.id': `*${id}`,
    interface: 'wireguard1',
    name,
    comment: '',
    'public-key': `${name.replace(/-/g, '')}PUBKEYx0000000000000000000000000000=`.slice(0, 44),
    'allowed-address': addr,
    'endpoint-address': '',
    'endpoint-port': '0',
    rx,
    tx,
    disabled: 'false',
    'persistent-keepalive': '25s',
    'preshared-key': '',
    'private-key': '',
    responder: 'false',
    'is-responder': 'false',
    'client-address': '',
    'client-dns': '',
    'client-endpoint': '',
    'client-keepalive': '0s',
    'client-listen-port': '0',
    'name-for-config': '',
    ...(hs ? { 'last-handshake': hs, 'current-endpoint-address': '198.51.100.77', 'current-endpoint-port': '51820' } : {}),
  });
  return new Map<string, Rec[]>([
    [
      'system/resource',
      [
        {
          uptime: '3d4h12m5s',
          version,
          'build-time': '2024-11-26 12:50:04',
          'factory-software': '7.5',
          cpu: 'ARM64',
          'write-sect-since-reboot': '1234',
          'write-sect-total': '99999',
          'cpu-load': '7',
          'free-memory': '712704000',
          'total-memory': '1073741824',
          'free-hdd-space': '91586560',
          'total-hdd-space': '134217728',
          'architecture-name': 'arm64',
          'board-name': 'hAP ax^2',
          'cpu-count': '4',
          'cpu-frequency': '864',
          platform: 'MikroTik',
        },
      ],
    ],
    [
      'system/routerboard',
      [{ routerboard: 'true', model: 'C52iG-5HaxD2HaxD', 'serial-number': 'HF00000DEMO', 'current-firmware': '7.16.2' }],
    ],
    ['system/identity', [{ name: 'router1' }]],
    [
      'ip/address',
      [
        {
          '.id': '*1',
          address: '192.168.1.1/24',
          network: '192.168.1.0',
          interface: 'bridge',
          'actual-interface': 'bridge',
          disabled: 'false',
          invalid: 'false',
          dynamic: 'false',
          comment: 'defconf',
        },
        {
          '.id': '*2',
          address: '10.1.1.1/24',
          network: '10.1.1.0',
          interface: 'bridge-guest',
          'actual-interface': 'bridge-guest',
          disabled: 'false',
          invalid: 'false',
          dynamic: 'false',
        },
        {
          '.id': '*3',
          address: '192.168.100.1/24',
          network: '192.168.100.0',
          interface: 'wireguard1',
          'actual-interface': 'wireguard1',
          disabled: 'false',
          invalid: 'false',
          dynamic: 'false',
        },
        {
          '.id': '*4',
          address: '203.0.113.45/32',
          network: '198.51.100.1',
          interface: 'pppoe-out1',
          'actual-interface': 'pppoe-out1',
          disabled: 'false',
          invalid: 'false',
          dynamic: 'true',
        },
      ],
    ],
    [
      'interface/wifi',
      [
        {
          '.id': '*1',
          name: 'wifi1',
          disabled: 'false',
          running: 'true',
          'configuration.ssid': 'thehomelab',
          'configuration.mode': 'ap',
          'configuration.country': 'Spain',
          'channel.band': '5ghz-ax',
          'security.authentication-types': 'wpa2-psk,wpa3-psk',
          'security.passphrase': 'family-wifi-secret-2024',
          'mac-address': '00:00:5E:00:53:01',
          inactive: 'false',
          ...INTERFACE_DEFAULTS,
          'default-name': 'wifi1',
        },
        {
          '.id': '*2',
          name: 'wifi2',
          disabled: 'false',
          running: 'true',
          'configuration.ssid': 'thehomelab',
          'configuration.mode': 'ap',
          'configuration.country': 'Spain',
          'channel.band': '2ghz-ax',
          'security.authentication-types': 'wpa2-psk,wpa3-psk',
          'security.passphrase': 'family-wifi-secret-2024',
          'mac-address': '00:00:5E:00:53:02',
          inactive: 'false',
          ...INTERFACE_DEFAULTS,
          'default-name': 'wifi2',
        },
        guest,
      ],
    ],
    [
      'interface/wifi/security',
      [
        {
          '.id': '*1',
          name: 'guest-sec',
          'authentication-types': 'wpa2-psk,wpa3-psk',
          passphrase: 'maple-tiger-cloud-piano-4827',
          disabled: 'false',
        },
      ],
    ],
    // A profile nobody uses yet (the APs carry their settings inline).
    [
      'interface/wifi/configuration',
      [{ '.id': '*1', name: 'cfg-guest', ssid: 'thehomelab-guest', country: 'Spain', mode: 'ap', 'hide-ssid': 'false', disabled: 'false' }],
    ],
    [
      'ip/dhcp-server',
      [
        { '.id': '*1', name: 'dhcp-lan', interface: 'bridge', 'address-pool': 'pool-lan', disabled: 'false' },
        { '.id': '*2', name: 'dhcp-guest', interface: 'bridge-guest', 'address-pool': 'pool-guest', disabled: 'false' },
      ],
    ],
    [
      'ip/dhcp-server/lease',
      [
        ...DEMO_DEVICES.map((d, i) =>
          lease(i + 1, d.server, d.ip, d.mac, d.hostName, {
            ...(d.fixed ? { dynamic: 'false', ...(d.fixed.comment ? { comment: d.fixed.comment } : {}) } : {}),
            ...d.lease,
          }),
        ),
      ],
    ],
    // Address lists start empty; defconf's filter rules (accept established, FastTrack) come first.
    ['ip/firewall/address-list', []],
    [
      'ip/firewall/filter',
      [
        {
          '.id': '*1',
          chain: 'forward',
          action: 'fasttrack-connection',
          'connection-state': 'established,related',
          'hw-offload': 'true',
          comment: 'defconf: fasttrack',
          disabled: 'false',
          dynamic: 'false',
          ...RULE_DEFAULTS,
        },
        {
          '.id': '*2',
          chain: 'forward',
          action: 'accept',
          'connection-state': 'established,related,untracked',
          comment: 'defconf: accept established,related, untracked',
          disabled: 'false',
          dynamic: 'false',
          ...RULE_DEFAULTS,
        },
        {
          '.id': '*3',
          chain: 'forward',
          action: 'drop',
          'connection-state': 'invalid',
          comment: 'defconf: drop invalid',
          disabled: 'false',
          dynamic: 'false',
          ...RULE_DEFAULTS,
        },
      ],
    ],
    // `/interface` lists every interface of every type (the menus below are per type).
    [
      'interface',
      [
        ...['ether1', 'ether2', 'ether3', 'ether4', 'ether5'].map((name, i) => ({
          '.id': `*${i + 1}`,
          name,
          'default-name': name,
          type: 'ether',
          running: name === 'ether5' ? 'false' : 'true',
          disabled: 'false',
        })),
        { '.id': '*A', name: 'bridge', type: 'bridge', running: 'true', disabled: 'false' },
        { '.id': '*B', name: 'bridge-guest', type: 'bridge', running: 'true', disabled: 'false' },
        { '.id': '*C', name: 'pppoe-out1', type: 'pppoe-out', running: 'true', disabled: 'false' },
        { '.id': '*D', name: 'wireguard1', type: 'wg', running: 'true', disabled: 'false' },
        ...['wifi1', 'wifi2', 'wifi-guest'].map((name, i) => ({
          '.id': `*${14 + i}`,
          name,
          type: 'wifi',
          running: 'true',
          disabled: 'false',
        })),
      ],
    ],
    ['interface/wireguard', [{ '.id': '*1', name: 'wireguard1', 'listen-port': '13231', mtu: '1420', running: 'true', disabled: 'false' }]],
    [
      'interface/wireguard/peers',
      [
        peer(1, 'ana-phone', '192.168.100.2/32', '1m5s', '104857600', '524288000'),
        peer(2, 'admin-laptop', '192.168.100.3/32', '2h3m10s', '7340032', '1048576'),
        peer(3, 'old-tablet', '192.168.100.4/32', undefined, '0', '0'),
      ],
    ],
  ]);
}

/** True for RouterOS 7.x before 7.13, where the WiFi package (and menu) was still `wifiwave2`. */
function beforeWifiQcom(version: string): boolean {
  const [major = 0, minor = 0] = version.split(/[.\s]/).map(Number);
  return major === 7 && minor < 13;
}

function rosError(res: ServerResponse, status: number, message: string, detail?: string): void {
  sendJson(res, status, detail === undefined ? { error: status, message } : { error: status, message, detail });
}

/** Starts the fake on 127.0.0.1 (ephemeral port unless `port` is given). */
export async function startRouterOsFake(opts: RouterOsFakeOptions = {}, port = 0): Promise<RouterOsFake> {
  const users = opts.users ?? FAKE_ROUTER_USERS;
  const version = opts.version ?? '7.16.2 (stable)';
  const menus = seed(opts.guestSecurityProfile ?? false, version);
  if (beforeWifiQcom(version)) {
    for (const name of [...menus.keys()].filter((k) => k === 'interface/wifi' || k.startsWith('interface/wifi/'))) {
      menus.set(name.replace('interface/wifi', 'interface/wifiwave2'), menus.get(name) ?? []);
      menus.delete(name);
    }
  }
  const now = opts.now ?? Date.now;
  const started = Date.now();
  /** When each timed address-list entry runs out (RouterOS keeps this internally and prints what is left). */
  const expiry = new Map<Rec, number>();
  let nextId = 0x100;
  let injected: { status: number; body: string } | undefined;
  let requestCount = 0;
  const wakes: FakeWake[] = [];

  const find = (path: string): { list: Rec[]; rec?: Rec } | undefined => {
    const list = menus.get(path);
    if (list) return { list };
    const cut = path.lastIndexOf('/');
    const parent = menus.get(path.slice(0, cut));
    if (!parent) return undefined;
    const key = decodeURIComponent(path.slice(cut + 1));
    const rec = parent.find((r) => r['.id'] === key || r.name === key);
    return rec ? { list: parent, rec } : undefined;
  };

  const visible = (r: Rec, user: FakeRouterUser, props?: string[]): Rec => {
    const out: Rec = {};
    for (const [k, v] of Object.entries(r)) {
      if (SENSITIVE.has(k) && !user.policy.includes('sensitive')) continue;
      if (props && !props.includes(k)) continue;
      out[k] = v;
    }
    return out;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    requestCount++;
    const body = await readBody(req);
    if (injected) {
      const { status, body: b } = injected;
      injected = undefined;
      return void res.writeHead(status, { 'content-type': 'application/json' }).end(b);
    }
    const auth = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
    const [name, ...pw] = Buffer.from(auth?.[1] ?? '', 'base64')
      .toString('utf8')
      .split(':');
    const user = users.find((u) => u.name === name && u.password === pw.join(':'));
    if (!user) {
      res.setHeader('www-authenticate', 'Basic realm="mikrotik"');
      return rosError(res, 401, 'Unauthorized');
    }
    const url = new URL(req.url ?? '/', 'http://router');
    if (!url.pathname.startsWith('/rest/')) return rosError(res, 404, 'Not Found');
    const path = url.pathname.slice('/rest/'.length).replace(/\/$/, '');
    if (path === 'system/resource') {
      const r = menus.get(path)?.[0];
      if (r) r.uptime = formatDuration(259_200 + 15_125 + Math.floor((Date.now() - started) / 1000));
    }
    expireEntries();
    if (path === 'tool/wol' && req.method === 'POST') return wol(user, body, res);
    const found = find(path);
    if (!found) return rosError(res, 404, 'Not Found', 'no such command or directory');
    if (req.method === 'GET') {
      const props = url.searchParams.get('.proplist')?.split(',');
      if (found.rec) return sendJson(res, 200, visible(found.rec, user, props));
      // Single-record menus (system/resource) print as an object, the rest as an array.
      if (['system/resource', 'system/identity', 'system/routerboard'].includes(path)) {
        return sendJson(res, 200, visible(found.list[0] ?? {}, user, props));
      }
      const filters = [...url.searchParams].filter(([k]) => !k.startsWith('.'));
      const rows = found.list.filter((r) => filters.every(([k, v]) => r[k] === v));
      return sendJson(
        res,
        200,
        rows.map((r) => visible(r, user, props)),
      );
    }
    if (req.method === 'PATCH' || req.method === 'PUT' || req.method === 'DELETE' || req.method === 'POST') {
      if (!user.policy.includes('write')) return rosError(res, 403, 'Forbidden', 'not enough permissions (9)');
      if (req.method === 'DELETE' && found.rec && DELETABLE.has(path.slice(0, path.lastIndexOf('/')))) {
        found.list.splice(found.list.indexOf(found.rec), 1);
        expiry.delete(found.rec);
        return void res.writeHead(204).end();
      }
      if (req.method === 'PUT' && !found.rec && ADDABLE.has(path)) return add(path, found.list, body, res);
      if (req.method !== 'PATCH' || !found.rec) return rosError(res, 400, 'Bad Request', 'not supported by the fake');
      let patch: unknown;
      try {
        patch = JSON.parse(body);
      } catch {
        return rosError(res, 400, 'Bad Request', 'JSON parsing error');
      }
      if (!patch || typeof patch !== 'object') return rosError(res, 400, 'Bad Request', 'expected an object');
      const changes = Object.entries(patch as Record<string, unknown>).map(([k, v]): [string, string] => [k, String(v)]);
      for (const [k, v] of changes) {
        if ((k === 'passphrase' || k === 'security.passphrase') && (v.length < 8 || v.length > 63)) {
          return rosError(res, 400, 'Bad Request', 'value of passphrase out of range (8..63)');
        }
        if (k === 'disabled' && !['true', 'false', 'yes', 'no'].includes(v)) {
          return rosError(res, 400, 'Bad Request', `value of disabled must be yes or no`);
        }
      }
      for (const [k, v] of changes) found.rec[k] = v === 'yes' ? 'true' : v === 'no' ? 'false' : v;
      if (/^interface\/(wifi|wifiwave2)\//.test(path) && 'running' in found.rec)
        [found.rec.running, found.rec.inactive] = found.rec.disabled === 'true' ? ['false', 'true'] : ['true', 'false'];
      return sendJson(res, 200, visible(found.rec, user));
    }
    return rosError(res, 400, 'Bad Request', 'unknown method');
  };

  /**
   * `/tool wol mac=… interface=…` (help.mikrotik.com "Wake on LAN": `mac` is the target's MAC,
   * `interface` the one the packet leaves by). Refusals are RouterOS's own texts in the REST
   * error body: "unknown parameter" for a property the command has not (field reports of the
   * API), "input does not match any value of interface" for an interface the router has not
   * (Manual:API `!trap` example); the wording for a missing or malformed MAC follows RouterOS's
   * "missing value(s) of argument(s) …" / "invalid value for argument …" forms (not checked on a
   * device). The packet itself goes nowhere: it is recorded.
   */
  const wol = (user: FakeRouterUser, body: string, res: ServerResponse): void => {
    if (!user.policy.includes('write')) return rosError(res, 403, 'Forbidden', 'not enough permissions (9)');
    let raw: unknown;
    try {
      raw = body === '' ? {} : JSON.parse(body);
    } catch {
      return rosError(res, 400, 'Bad Request', 'JSON parsing error');
    }
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return rosError(res, 400, 'Bad Request', 'expected an object');
    const props = Object.fromEntries(Object.entries(raw as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
    const unknown = Object.keys(props).find((k) => k !== 'mac' && k !== 'interface' && !k.startsWith('.'));
    if (unknown !== undefined) return rosError(res, 400, 'Bad Request', `unknown parameter ${unknown}`);
    if (props.mac === undefined) return rosError(res, 400, 'Bad Request', 'missing value(s) of argument(s) mac');
    if (!/^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$/.test(props.mac)) return rosError(res, 400, 'Bad Request', 'invalid value for argument mac');
    const iface = props.interface;
    if (iface !== undefined && !(menus.get('interface') ?? []).some((r) => r.name === iface))
      return rosError(res, 400, 'Bad Request', 'input does not match any value of interface');
    const wake: FakeWake = { mac: props.mac.toUpperCase(), interface: iface, at: now() };
    wakes.push(wake);
    opts.onWake?.(wake);
    sendJson(res, 200, []);
  };

  const expireEntries = (): void => {
    const list = menus.get('ip/firewall/address-list') ?? [];
    for (const [rec, at] of expiry) {
      if (now() < at) continue;
      expiry.delete(rec);
      const i = list.indexOf(rec);
      if (i >= 0) list.splice(i, 1);
    }
    for (const [rec, at] of expiry) rec.timeout = formatDuration(Math.ceil((at - now()) / 1000));
  };

  /** PUT = `add` (PROTOCOLS §6.1): validates like RouterOS, answers with the new record. */
  const add = (path: string, list: Rec[], body: string, res: ServerResponse): void => {
    let raw: unknown;
    try {
      raw = JSON.parse(body);
    } catch {
      return rosError(res, 400, 'Bad Request', 'JSON parsing error');
    }
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return rosError(res, 400, 'Bad Request', 'expected an object');
    const props = Object.fromEntries(Object.entries(raw as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
    const placeBefore = props['place-before'];
    delete props['place-before'];
    const rec: Rec = { '.id': `*${(nextId++).toString(16).toUpperCase()}`, ...props, disabled: props.disabled ?? 'false' };
    if (path === 'ip/firewall/address-list') {
      if (!props.list || !props.address) return rosError(res, 400, 'Bad Request', 'failure: list and address must be set');
      if (!/^\d{1,3}(\.\d{1,3}){3}(\/\d{1,2})?$/.test(props.address))
        return rosError(res, 400, 'Bad Request', 'invalid value for argument address');
      if (list.some((r) => r.list === props.list && r.address === props.address))
        return rosError(res, 400, 'Bad Request', 'failure: already have such entry');
      const timeout = props.timeout === undefined ? undefined : parseSeconds(props.timeout);
      if (props.timeout !== undefined && timeout === undefined)
        return rosError(res, 400, 'Bad Request', 'invalid value for argument timeout');
      rec['creation-time'] = new Date(now()).toISOString().replace('T', ' ').slice(0, 19);
      rec.dynamic = timeout ? 'true' : 'false';
      if (timeout) expiry.set(rec, now() + timeout * 1000);
      else delete rec.timeout;
    } else {
      if (!props.chain) return rosError(res, 400, 'Bad Request', 'failure: chain not specified');
      Object.assign(rec, RULE_DEFAULTS, { dynamic: 'false' });
    }
    const at = placeBefore === undefined ? -1 : list.findIndex((r) => r['.id'] === placeBefore);
    if (placeBefore !== undefined && at < 0) return rosError(res, 400, 'Bad Request', 'no such item');
    if (at >= 0) list.splice(at, 0, rec);
    else list.push(rec);
    expireEntries();
    sendJson(res, 201, rec);
  };

  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res).catch(() => rosError(res, 500, 'Internal Server Error'));
  };
  const { server, url } = await serveLocal(listener, { tls: opts.tls, port });
  return {
    url,
    close: () => closeServer(server),
    menu: (path) => {
      const list = menus.get(path);
      if (!list) throw new Error(`no menu ${path}`);
      return list;
    },
    failNext: (status, body) => {
      injected = { status, body };
    },
    get requestCount() {
      return requestCount;
    },
    addLease(l) {
      const leases = menus.get('ip/dhcp-server/lease')!;
      leases.push({
        '.id': `*${(nextId++).toString(16).toUpperCase()}`,
        address: l.address,
        'mac-address': l.mac,
        'active-address': l.address,
        'active-mac-address': l.mac,
        server: l.server,
        status: 'bound',
        dynamic: 'true',
        disabled: 'false',
        'last-seen': '5s',
        'expires-after': '9m55s',
        ...leaseDefaults(l.mac, l.server),
        ...(l.hostName ? { 'host-name': l.hostName } : {}),
      });
    },
    get wakes() {
      return wakes;
    },
    listed(list) {
      expireEntries();
      return (menus.get('ip/firewall/address-list') ?? [])
        .filter((r) => r.list === list && r.disabled !== 'true')
        .map((r) => r.address ?? '');
    },
  };
}

/** Seconds → RouterOS duration text (`3d4h12m5s`). */
export function formatDuration(total: number): string {
  const units: [string, number][] = [
    ['w', 604_800],
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
    ['s', 1],
  ];
  let rest = Math.max(0, Math.floor(total));
  let out = '';
  for (const [u, size] of units) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0) out += `${n}${u}`;
  }
  return out || '0s';
}
