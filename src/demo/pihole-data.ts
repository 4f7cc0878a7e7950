/**
 * Demo data for the fake Pi-hole: the demo household's devices (household.ts: LAN
 * 192.168.1.0/24, guest 10.1.1.0/24) and a day of DNS queries, some of them blocked. Deterministic, so tests can
 * rely on the shape without relying on exact numbers.
 */
import { DEMO_DEVICES, demoDevice } from './household.ts';

/** One remembered DNS query, in the fake's own terms. */
export interface FakeQuery {
  id: number;
  /** Seconds since the epoch (Pi-hole reports float seconds). */
  time: number;
  type: string;
  domain: string;
  status: string;
  clientIp: string;
  clientName: string | null;
  upstream: string | null;
}

/** Statuses FTL counts as blocked: src/datastructure.c `is_blocked()`, DBBUSY included. */
export const BLOCKED_STATUSES: readonly string[] = [
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
];

/** Every status FTL knows (the `status` filter of /api/queries accepts only these). */
export const ALL_STATUSES: readonly string[] = [
  'UNKNOWN',
  'GRAVITY',
  'FORWARDED',
  'CACHE',
  'REGEX',
  'DENYLIST',
  'EXTERNAL_BLOCKED_IP',
  'EXTERNAL_BLOCKED_NULL',
  'EXTERNAL_BLOCKED_NXRA',
  'GRAVITY_CNAME',
  'REGEX_CNAME',
  'DENYLIST_CNAME',
  'RETRIED',
  'RETRIED_DNSSEC',
  'IN_PROGRESS',
  'DBBUSY',
  'SPECIAL_DOMAIN',
  'CACHE_STALE',
  'EXTERNAL_BLOCKED_EDE15',
];

/**
 * Household devices as Pi-hole sees them: the demo router's leases that ask for names, under
 * the same names (Pi-hole learns them from the DHCP server's host names; none sent, none shown).
 */
export const DEMO_CLIENTS: readonly { ip: string; name: string | null }[] = DEMO_DEVICES.filter((d) => d.asksDns).map((d) => ({
  ip: d.ip,
  name: d.hostName ?? null,
}));

const clientIndex = (hostName: string): number => DEMO_CLIENTS.findIndex((c) => c.ip === demoDevice(hostName).ip);

const ALLOWED_TRAFFIC = [
  'www.google.com',
  'api.github.com',
  'www.netflix.com',
  'deb.debian.org',
  'registry-1.docker.io',
  'cloud.thehomelab.site',
  'www.wikipedia.org',
  'mail.example.com',
];

/** Blocked domains with the device that asks for them most. */
const BLOCKED_TRAFFIC: readonly { domain: string; status: string; client: number }[] = [
  { domain: 'ads.tv-vendor.example', status: 'GRAVITY', client: clientIndex('LG-webOS-TV') },
  { domain: 'telemetry.tv-vendor.example', status: 'GRAVITY', client: clientIndex('LG-webOS-TV') },
  { domain: 'googleads.g.doubleclick.net', status: 'GRAVITY', client: clientIndex('admin-laptop') },
  { domain: 'links.newsletter.example', status: 'GRAVITY', client: clientIndex('iPhone-de-Ana') },
  { domain: 'app-measurement.com', status: 'GRAVITY', client: clientIndex('Pixel-8') },
  { domain: 'ads.games.example', status: 'REGEX', client: clientIndex('iPad-de-Lucia') },
  { domain: 'tracker.shop.example', status: 'DENYLIST', client: clientIndex('Galaxy-A54') },
  { domain: 'metrics.guest-app.example', status: 'GRAVITY_CNAME', client: DEMO_CLIENTS.findIndex((c) => c.name === null) },
];

/** A day of queries ending at `nowSec`, oldest first, ids ascending. */
export function seedQueries(nowSec: number): FakeQuery[] {
  const out: FakeQuery[] = [];
  const n = 240;
  for (let i = 0; i < n; i++) {
    const time = nowSec - (n - i) * 300 + (i % 7);
    const blocked = i % 4 === 0;
    if (blocked) {
      const b = BLOCKED_TRAFFIC[(i / 4) % BLOCKED_TRAFFIC.length] ?? BLOCKED_TRAFFIC[0]!;
      // Each blocked domain mostly comes from its own device, sometimes from another one.
      const ci = i % 3 === 0 ? (b.client + 1) % DEMO_CLIENTS.length : b.client;
      const c = DEMO_CLIENTS[ci] ?? DEMO_CLIENTS[0]!;
      out.push({ id: i + 1, time, type: 'A', domain: b.domain, status: b.status, clientIp: c.ip, clientName: c.name, upstream: null });
    } else {
      const c = DEMO_CLIENTS[i % DEMO_CLIENTS.length] ?? DEMO_CLIENTS[0]!;
      const domain = ALLOWED_TRAFFIC[i % ALLOWED_TRAFFIC.length] ?? 'www.google.com';
      const cached = i % 5 === 0;
      out.push({
        id: i + 1,
        time,
        type: i % 3 === 0 ? 'AAAA' : 'A',
        domain,
        status: cached ? 'CACHE' : 'FORWARDED',
        clientIp: c.ip,
        clientName: c.name,
        upstream: cached ? null : '1.1.1.1#53',
      });
    }
  }
  return out;
}

/** Allow/deny entries a household typically has. */
export const SEED_DOMAINS: readonly { domain: string; type: 'allow' | 'deny'; kind: 'exact' | 'regex'; comment: string | null }[] = [
  { domain: 'cloud.thehomelab.site', type: 'allow', kind: 'exact', comment: 'our Nextcloud' },
  { domain: 'tracker.shop.example', type: 'deny', kind: 'exact', comment: null },
  { domain: '^ads[0-9]*\\.games\\.example$', type: 'deny', kind: 'regex', comment: 'game ads' },
];
