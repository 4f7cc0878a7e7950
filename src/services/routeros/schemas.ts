import * as z from 'zod';

/**
 * RouterOS REST replies carry every value as a string (`"true"`, `"1620"`); these schemas
 * coerce at the edge so the rest of the code sees booleans and numbers.
 * Each schema is z.lazy: built on its first use, not while every start-up evaluates this module.
 */

/** `"true"`/`"yes"` (or a real boolean) → true; anything else → false. */
export const rosBool = z.lazy(() => z.union([z.boolean(), z.string()]).transform((v) => v === true || v === 'true' || v === 'yes'));

/** A numeric string (or number) → number; rejects non-numeric text. */
export const rosNum = z.lazy(() => z.union([z.number(), z.string().regex(/^-?\d+(\.\d+)?$/)]).transform(Number));

const UNIT: Record<string, number> = { '': 1, B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, TiB: 1024 ** 4 };

/**
 * A byte counter read leniently: a number, a digit string, or a CLI-style `12.5MiB`; any other
 * form becomes undefined instead of failing the whole list (which forms routers send for
 * WireGuard `rx`/`tx` is not settled, PROTOCOLS §6.2).
 */
export const rosCounter = z.lazy(() =>
  z.unknown().transform((v): number | undefined => {
    if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? v : undefined;
    if (typeof v !== 'string') return undefined;
    const m = /^\s*(\d+(?:\.\d+)?)\s*(B|KiB|MiB|GiB|TiB)?\s*$/.exec(v);
    return m ? Math.round(Number(m[1]) * (UNIT[m[2] ?? ''] ?? 1)) : undefined;
  }),
);

/** The RouterOS error body `{error, message, detail}`. */
export const rosErrorBody = z.lazy(() =>
  z.object({
    error: z.union([z.number(), z.string()]).optional(),
    message: z.string().optional(),
    detail: z.string().optional(),
  }),
);

/** What a command without output (`/tool/wol`) answers on success: an empty list of records. */
export const commandReplySchema = z.lazy(() => z.array(z.record(z.string(), z.unknown())));

/** GET /rest/system/resource: uptime, version, CPU load, memory, board. */
export const resourceSchema = z.lazy(() =>
  z.object({
    uptime: z.string(),
    version: z.string(),
    'cpu-load': rosNum,
    'free-memory': rosNum,
    'total-memory': rosNum,
    'board-name': z.string().optional(),
    'architecture-name': z.string().optional(),
    'cpu-count': rosNum.optional(),
    'free-hdd-space': rosNum.optional(),
    'total-hdd-space': rosNum.optional(),
  }),
);

/** GET /rest/system/identity: the router's name. */
export const identitySchema = z.lazy(() => z.object({ name: z.string() }));

/** GET /rest/ip/address (filtered by interface): the WAN's addresses. */
export const addressSchema = z.lazy(() =>
  z.array(
    z.object({
      '.id': z.string(),
      address: z.string(),
      interface: z.string(),
      disabled: rosBool.optional(),
      invalid: rosBool.optional(),
      dynamic: rosBool.optional(),
    }),
  ),
);

/** One interface of /interface/wifi (or wifiwave2): name, state, SSID and security (inline or by profile). */
export const wifiSchema = z.lazy(() =>
  z.object({
    '.id': z.string(),
    name: z.string(),
    disabled: rosBool.default(false),
    running: rosBool.default(false),
    'master-interface': z.string().optional(),
    /** Name of a configuration profile, when the AP uses one. */
    configuration: z.string().optional(),
    'configuration.ssid': z.string().optional(),
    'configuration.hide-ssid': rosBool.optional(),
    /** Name of a security profile, when the AP uses one. */
    security: z.string().optional(),
    'security.passphrase': z.string().optional(),
    'security.authentication-types': z.string().optional(),
  }),
);
/** The list of /interface/wifi interfaces. */
export const wifiListSchema = z.lazy(() => z.array(wifiSchema));

/** /interface/wifi/configuration profiles (a guest AP's SSID may live there). */
export const wifiConfigurationListSchema = z.lazy(() =>
  z.array(z.object({ '.id': z.string(), name: z.string(), ssid: z.string().optional(), 'hide-ssid': rosBool.optional() })),
);

/** /interface/wifi/security profiles (a guest AP's passphrase may live there). */
export const wifiSecurityListSchema = z.lazy(() =>
  z.array(z.object({ '.id': z.string(), name: z.string(), passphrase: z.string().optional() })),
);

/** GET /rest/ip/dhcp-server/lease: the DHCP leases (devices on the network). */
export const leaseListSchema = z.lazy(() =>
  z.array(
    z.object({
      '.id': z.string(),
      address: z.string(),
      'mac-address': z.string().optional(),
      'active-address': z.string().optional(),
      'host-name': z.string().optional(),
      comment: z.string().optional(),
      server: z.string().optional(),
      status: z.string().optional(),
      dynamic: rosBool.optional(),
      disabled: rosBool.optional(),
      'last-seen': z.string().optional(),
      'expires-after': z.string().optional(),
    }),
  ),
);

/** GET /rest/interface/wireguard/peers: the WireGuard peers and their last handshake. */
export const peerListSchema = z.lazy(() =>
  z.array(
    z.object({
      '.id': z.string(),
      interface: z.string().optional(),
      name: z.string().optional(),
      comment: z.string().optional(),
      'public-key': z.string().optional(),
      'allowed-address': z.string().optional(),
      'current-endpoint-address': z.string().optional(),
      'current-endpoint-port': z.string().optional(),
      'last-handshake': z.string().optional(),
      rx: rosCounter,
      tx: rosCounter,
      disabled: rosBool.optional(),
    }),
  ),
);

/** `/ip/firewall/address-list` records (help.mikrotik.com Address-lists; terraform-routeros resource_ip_firewall_addr_list.go). */
export const addressListSchema = z.lazy(() =>
  z.array(
    z.object({
      '.id': z.string(),
      list: z.string(),
      address: z.string(),
      comment: z.string().optional(),
      /** Time left before the router removes the entry itself; absent or `0s` for a static entry. */
      timeout: z.string().optional(),
      dynamic: rosBool.optional(),
      disabled: rosBool.optional(),
    }),
  ),
);

/** `/ip/firewall/filter` records, only the properties the bot reads. */
export const filterRuleListSchema = z.lazy(() =>
  z.array(
    z.object({
      '.id': z.string(),
      chain: z.string(),
      action: z.string().optional(),
      'src-address-list': z.string().optional(),
      comment: z.string().optional(),
      disabled: rosBool.optional(),
      dynamic: rosBool.optional(),
    }),
  ),
);

/** The record a PUT (add) answers with; only its id is needed. */
export const createdRecordSchema = z.lazy(() => z.object({ '.id': z.string() }).passthrough());
