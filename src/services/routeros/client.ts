import type * as z from 'zod';
import { err, ok, serviceError, type Result, type ServiceError } from '../../core/errors.ts';
import { normalizeMac } from '../../core/mac.ts';
import { HttpClient, parseJson } from '../http.ts';
import { parseRouterOsDuration } from './duration.ts';
import { inSubnet } from './network.ts';
import {
  addressListSchema,
  addressSchema,
  createdRecordSchema,
  filterRuleListSchema,
  identitySchema,
  leaseListSchema,
  peerListSchema,
  resourceSchema,
  rosErrorBody,
  commandReplySchema,
  wifiListSchema,
  wifiSecurityListSchema,
  wifiConfigurationListSchema,
} from './schemas.ts';
import type { AddressListEntry, GuestWifi, Lease, NetworkRule, RouterResource, WireguardPeer } from './types.ts';
import { validateWpaPassphrase } from './passphrase.ts';
import { wifiMenuForVersion, type WifiMenu } from './wifi-menu.ts';

export type * from './types.ts';

const SERVICE = 'router';
/** A command without output answers `[]`; anything much larger is not the router's reply. */
const COMMAND_REPLY_BYTES = 16 * 1024;

/** How to reach one RouterOS v7 router over its REST API. */
export interface RouterOsOptions {
  /** e.g. `https://192.168.1.1` (service www-ssl). */
  readonly baseUrl: string;
  readonly username: string;
  readonly password: string;
  /** SHA-256 pin of the router's self-signed certificate. */
  readonly fingerprint?: string;
  readonly ca?: string;
  readonly timeoutMs?: number;
  /** Name of the guest virtual AP under /interface/wifi. */
  readonly guestInterface?: string;
  /** Interface whose address is the public IP (PPPoE client, ether1…). */
  readonly wanInterface?: string;
  readonly lan?: NetworkRule;
  readonly guest?: NetworkRule;
}

/** Typed RouterOS v7 REST client (PROTOCOLS §6); never throws for backend failures. */
export class RouterOsClient {
  private readonly http: HttpClient;
  private readonly auth: string;
  private readonly guestName: string;
  private readonly wanName: string;
  private readonly lan: NetworkRule;
  private readonly guest: NetworkRule;
  /** The WiFi menu found on this router; forgotten on a 404 (the router may have been upgraded). */
  private menu: WifiMenu | undefined;

  constructor(private readonly opts: RouterOsOptions) {
    this.http = new HttpClient(SERVICE, opts);
    this.auth = `Basic ${Buffer.from(`${opts.username}:${opts.password}`).toString('base64')}`;
    this.guestName = opts.guestInterface ?? 'wifi-guest';
    this.wanName = opts.wanInterface ?? 'pppoe-out1';
    this.lan = opts.lan ?? { subnet: '192.168.1.0/24' };
    this.guest = opts.guest ?? { subnet: '10.1.1.0/24' };
  }

  /** CPU, memory, uptime, version and board (`/system/resource`). */
  async resource(): Promise<Result<RouterResource>> {
    const r = await this.get('system/resource', resourceSchema);
    if (!r.ok) return r;
    const v = r.value;
    return ok({
      uptimeSeconds: parseRouterOsDuration(v.uptime) ?? 0,
      version: v.version,
      cpuLoadPercent: v['cpu-load'],
      freeMemoryBytes: v['free-memory'],
      totalMemoryBytes: v['total-memory'],
      boardName: v['board-name'],
      architecture: v['architecture-name'],
      cpuCount: v['cpu-count'],
    });
  }

  /** The router's system identity (its name). */
  async identity(): Promise<Result<string>> {
    const r = await this.get('system/identity', identitySchema);
    return r.ok ? ok(r.value.name) : r;
  }

  /** The WAN interface's address without prefix length; undefined while the link is down. */
  async publicIp(): Promise<Result<string | undefined>> {
    const r = await this.get('ip/address', addressSchema, { interface: this.wanName });
    if (!r.ok) return r;
    const live = r.value.find((a) => a.interface === this.wanName && !a.disabled && !a.invalid);
    return ok(live?.address.split('/')[0]);
  }

  /** The guest AP: SSID, passphrase (absent without the `sensitive` policy), state. */
  async guestWifi(): Promise<Result<GuestWifi>> {
    const rec = await this.guestRecord();
    if (!rec.ok) return rec;
    const g = rec.value;
    const menu = g.menu;
    let ssid = g['configuration.ssid'];
    let hidden = g['configuration.hide-ssid'] ?? false;
    if (ssid === undefined && g.configuration) {
      const c = await this.get(`${menu}/configuration`, wifiConfigurationListSchema, { name: g.configuration });
      if (!c.ok) return c;
      ssid = c.value[0]?.ssid;
      hidden = g['configuration.hide-ssid'] ?? c.value[0]?.['hide-ssid'] ?? false;
    }
    let passphrase = g['security.passphrase'];
    if (passphrase === undefined && g.security) {
      const s = await this.get(`${menu}/security`, wifiSecurityListSchema, { name: g.security });
      if (!s.ok) return s;
      passphrase = s.value[0]?.passphrase;
    }
    if (ssid === undefined) return err(serviceError(SERVICE, 'protocol', `${this.guestName} has no SSID`));
    return ok({
      id: g['.id'],
      name: g.name,
      ssid,
      passphrase,
      hidden,
      disabled: g.disabled,
      running: g.running,
      securityProfile: g.security,
    });
  }

  /** Turns the guest AP on or off. */
  async setGuestWifiEnabled(enabled: boolean): Promise<Result<void>> {
    const rec = await this.guestRecord();
    if (!rec.ok) return rec;
    return this.patch(`${rec.value.menu}/${rec.value['.id']}`, { disabled: enabled ? 'false' : 'true' });
  }

  /**
   * Sets the guest passphrase (8–63 printable ASCII). A named security profile is changed
   * only when no other AP uses it; otherwise the guest AP gets an inline override, so a
   * rotation can never change the family's own WiFi password.
   */
  async setGuestPassphrase(passphrase: string): Promise<Result<void>> {
    const invalid = validateWpaPassphrase(passphrase);
    if (invalid) return err(serviceError(SERVICE, 'rejected', 'the passphrase must be 8 to 63 printable ASCII characters'));
    const menu = await this.wifiMenu();
    if (!menu.ok) return menu;
    const all = await this.get(menu.value, wifiListSchema);
    if (!all.ok) return all;
    const g = all.value.find((w) => w.name === this.guestName);
    if (!g) return err(this.noGuest());
    const profile = g.security;
    const shared = profile !== undefined && all.value.some((w) => w.name !== g.name && w.security === profile);
    if (profile && g['security.passphrase'] === undefined && !shared) {
      const s = await this.get(`${menu.value}/security`, wifiSecurityListSchema, { name: profile });
      if (!s.ok) return s;
      const id = s.value[0]?.['.id'];
      if (id) return this.patch(`${menu.value}/security/${id}`, { passphrase }, passphrase);
    }
    return this.patch(`${menu.value}/${g['.id']}`, { 'security.passphrase': passphrase }, passphrase);
  }

  /** DHCP leases, each classified as LAN, guest or other. */
  async dhcpLeases(): Promise<Result<Lease[]>> {
    const r = await this.get('ip/dhcp-server/lease', leaseListSchema);
    if (!r.ok) return r;
    return ok(
      r.value.map((l) => ({
        id: l['.id'],
        address: l['active-address'] ?? l.address,
        mac: l['mac-address'],
        hostName: l['host-name'] || undefined,
        comment: l.comment || undefined,
        server: l.server,
        status: l.status ?? 'unknown',
        dynamic: l.dynamic ?? false,
        disabled: l.disabled ?? false,
        lastSeenSeconds: parseRouterOsDuration(l['last-seen']),
        expiresAfterSeconds: parseRouterOsDuration(l['expires-after']),
        network: this.classify(l.server, l['active-address'] ?? l.address),
      })),
    );
  }

  /** WireGuard peers with last handshake age and transfer counters. */
  async wireguardPeers(): Promise<Result<WireguardPeer[]>> {
    const r = await this.get('interface/wireguard/peers', peerListSchema);
    if (!r.ok) return r;
    return ok(
      r.value.map((p) => ({
        id: p['.id'],
        label: p.name || p.comment || (p['public-key'] ? `${p['public-key'].slice(0, 8)}…` : p['.id']),
        interface: p.interface,
        allowedAddress: (p['allowed-address'] ?? '')
          .split(',')
          .map((a) => a.trim())
          .filter(Boolean),
        endpoint: p['current-endpoint-address'] ? `${p['current-endpoint-address']}:${p['current-endpoint-port'] ?? ''}` : undefined,
        lastHandshakeSeconds: parseRouterOsDuration(p['last-handshake']),
        rxBytes: p.rx,
        txBytes: p.tx,
        disabled: p.disabled ?? false,
      })),
    );
  }

  /** Entries of one firewall address list (`/ip/firewall/address-list?list=…`). */
  async addressListEntries(list: string): Promise<Result<AddressListEntry[]>> {
    const r = await this.get('ip/firewall/address-list', addressListSchema, { list });
    if (!r.ok) return r;
    return ok(
      r.value
        .filter((e) => e.list === list)
        .map((e) => ({
          id: e['.id'],
          list: e.list,
          address: e.address,
          comment: e.comment || undefined,
          timeoutSeconds: parseRouterOsDuration(e.timeout) || undefined,
          dynamic: e.dynamic ?? false,
        })),
    );
  }

  /**
   * Adds an address-list entry (REST PUT = `add`). With a timeout the router removes the entry
   * by itself when it runs out (the entry is then dynamic and does not survive a router reboot).
   */
  async addAddressListEntry(e: { list: string; address: string; comment: string; timeoutSeconds?: number }): Promise<Result<string>> {
    const body: Record<string, string> = { list: e.list, address: e.address, comment: e.comment };
    if (e.timeoutSeconds !== undefined) body.timeout = `${Math.max(1, Math.ceil(e.timeoutSeconds))}s`;
    const r = await this.put('ip/firewall/address-list', body);
    return r.ok ? ok(r.value['.id']) : r;
  }

  /** Removes an address-list entry; false when it was already gone (timed out, removed by hand). */
  async removeAddressListEntry(id: string): Promise<Result<boolean>> {
    const res = await this.http.request('DELETE', `rest/ip/firewall/address-list/${encodeURIComponent(id)}`, {
      headers: { authorization: this.auth },
    });
    if (!res.ok) return res;
    if (res.value.status === 404) return ok(false);
    if (res.value.status >= 300) return err(routerOsError(res.value.status, res.value.text, 'ip/firewall/address-list'));
    return ok(true);
  }

  /**
   * Makes sure one forward-chain rule rejects traffic from the address list, placed first so
   * an earlier accept (or FastTrack) rule cannot let a paused device through.
   */
  async ensureRejectRule(list: string, comment: string): Promise<Result<'present' | 'added'>> {
    const rules = await this.get('ip/firewall/filter', filterRuleListSchema);
    if (!rules.ok) return rules;
    const mine = rules.value.find((r) => r.chain === 'forward' && r['src-address-list'] === list && r.action === 'reject' && !r.disabled);
    if (mine) return ok('present');
    const first = rules.value.find((r) => !r.dynamic);
    const body: Record<string, string> = {
      chain: 'forward',
      action: 'reject',
      'reject-with': 'icmp-admin-prohibited',
      'src-address-list': list,
      comment,
      ...(first ? { 'place-before': first['.id'] } : {}),
    };
    const r = await this.put('ip/firewall/filter', body);
    return r.ok ? ok('added') : r;
  }

  /**
   * Sends a Wake-on-LAN magic packet from the router: the console command `/tool wol mac=…
   * interface=…` as REST's `POST /rest/tool/wol` (help.mikrotik.com "Wake on LAN"; PROTOCOLS §6.1:
   * POST runs any command, arguments as a JSON body). Without an interface RouterOS picks one.
   * The router answers as soon as the packet is out: whether the machine wakes is for the caller
   * to find out.
   */
  async wakeOnLan(mac: string, iface?: string): Promise<Result<void>> {
    const normal = normalizeMac(mac);
    if (!normal) return err(serviceError(SERVICE, 'rejected', 'not a MAC address (expected six hex pairs such as 00:00:5E:00:53:10)'));
    const body: Record<string, string> = { mac: normal, ...(iface ? { interface: iface } : {}) };
    const res = await this.http.request('POST', 'rest/tool/wol', {
      headers: { authorization: this.auth },
      json: body,
      maxBytes: COMMAND_REPLY_BYTES,
    });
    if (!res.ok) return res;
    if (res.value.status !== 200) return err(routerOsError(res.value.status, res.value.text, 'tool/wol'));
    const parsed = parseJson(SERVICE, res.value.text, commandReplySchema);
    return parsed.ok ? ok(undefined) : parsed;
  }

  /** Closes pooled connections. */
  close(): Promise<void> {
    return this.http.close();
  }

  private classify(server: string | undefined, address: string): Lease['network'] {
    if (server !== undefined && server === this.guest.dhcpServer) return 'guest';
    if (server !== undefined && server === this.lan.dhcpServer) return 'lan';
    if (inSubnet(address, this.guest.subnet)) return 'guest';
    if (inSubnet(address, this.lan.subnet)) return 'lan';
    return 'other';
  }

  private noGuest(): ServiceError {
    return serviceError(SERVICE, 'rejected', `there is no WiFi interface named ${this.guestName}`, 404);
  }

  private async guestRecord(): Promise<Result<z.infer<typeof wifiListSchema>[number] & { menu: WifiMenu }>> {
    const menu = await this.wifiMenu();
    if (!menu.ok) return menu;
    const r = await this.get(menu.value, wifiListSchema, { name: this.guestName });
    if (!r.ok) return r;
    const g = r.value.find((w) => w.name === this.guestName);
    return g ? ok({ ...g, menu: menu.value }) : err(this.noGuest());
  }

  /** `/interface/wifi` from RouterOS 7.13, `/interface/wifiwave2` before; read once from `/system/resource`. */
  private async wifiMenu(): Promise<Result<WifiMenu>> {
    if (this.menu) return ok(this.menu);
    const r = await this.get('system/resource', resourceSchema);
    if (!r.ok) return r;
    const menu = wifiMenuForVersion(r.value.version) ?? (await this.probeWifiMenu());
    this.menu = menu;
    return ok(menu);
  }

  /** For a version string we cannot read: the menu that answers wins. */
  private async probeWifiMenu(): Promise<WifiMenu> {
    const r = await this.get('interface/wifiwave2', wifiListSchema);
    return r.ok ? 'interface/wifiwave2' : 'interface/wifi';
  }

  private async get<S extends z.ZodType>(path: string, schema: S, query?: Record<string, string>): Promise<Result<z.infer<S>>> {
    const res = await this.http.request('GET', `rest/${path}`, { headers: { authorization: this.auth }, query });
    if (!res.ok) return res;
    if (res.value.status !== 200) return err(this.failed(res.value.status, res.value.text, path));
    return parseJson(SERVICE, res.value.text, schema);
  }

  /** A 404 under the WiFi menu may mean the router was upgraded past 7.13: detect again next time. */
  private failed(status: number, body: string, path: string, secret?: string): ServiceError {
    if (status === 404 && this.menu && path.startsWith(this.menu)) this.menu = undefined;
    return routerOsError(status, body, path, secret);
  }

  private async put(path: string, body: Record<string, string>): Promise<Result<z.infer<typeof createdRecordSchema>>> {
    const res = await this.http.request('PUT', `rest/${path}`, { headers: { authorization: this.auth }, json: body });
    if (!res.ok) return res;
    if (res.value.status >= 300) return err(routerOsError(res.value.status, res.value.text, path));
    return parseJson(SERVICE, res.value.text, createdRecordSchema);
  }

  private async patch(path: string, body: Record<string, string>, secret?: string): Promise<Result<void>> {
    const res = await this.http.request('PATCH', `rest/${path}`, { headers: { authorization: this.auth }, json: body });
    if (!res.ok) return res;
    if (res.value.status >= 300) return err(this.failed(res.value.status, res.value.text, path, secret));
    return ok(undefined);
  }
}

/** Maps a RouterOS error reply to a ServiceError; the router's own detail is kept but never a secret. */
export function routerOsError(status: number, body: string, path: string, secret?: string): ServiceError {
  let detail: string | undefined;
  try {
    const parsed = rosErrorBody.safeParse(JSON.parse(body));
    if (parsed.success) detail = parsed.data.detail ?? parsed.data.message;
  } catch {
    // Not JSON (a proxy's HTML page); the status alone must do.
  }
  if (detail && secret) detail = detail.split(secret).join('***');
  detail = detail?.slice(0, 200);
  if (status === 401) return serviceError(SERVICE, 'auth', 'the router rejected the user name or password', status);
  if (status === 403 || (status === 400 && /permission/i.test(detail ?? ''))) {
    return serviceError(SERVICE, 'rejected', 'the router user has no write permission (needs a group with the write policy)', status);
  }
  if (status === 404) return serviceError(SERVICE, 'rejected', `not found on the router: /${path}`, status);
  if (status >= 500)
    return serviceError(SERVICE, 'protocol', `the router reported an internal error${detail ? `: ${detail}` : ''}`, status);
  return serviceError(SERVICE, 'rejected', detail ? `the router refused: ${detail}` : `the router refused (HTTP ${status})`, status);
}
