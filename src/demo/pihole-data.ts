/**
 * Demo data for the fake Pi-hole: the reference homelab's clients (LAN 192.168.1.0/24, guest
 * 10.1.1.0/24) and a day of DNS queries, some of them blocked. Deterministic, so tests can
 * rely on the shape without relying on exact numbers.
 */

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

/** Household devices as Pi-hole sees them (names from reverse DNS / DHCP). */
export const DEMO_CLIENTS: readonly { ip: string; name: string | null }[] = [
  { ip: '192.168.1.20', name: 'tv' },
  { ip: '192.168.1.21', name: 'laptop' },
  { ip: '192.168.1.22', name: 'phone-lucia' },
  { ip: '192.168.1.23', name: 'tablet' },
  { ip: '192.168.1.4', name: 'docker' },
  { ip: '192.168.1.5', name: 'nas' },
  { ip: '10.1.1.23', name: null },
  { ip: '10.1.1.31', name: 'guest-phone' },
];

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
  { domain: 'ads.tv-vendor.example', status: 'GRAVITY', client: 0 },
  { domain: 'telemetry.tv-vendor.example', status: 'GRAVITY', client: 0 },
  { domain: 'googleads.g.doubleclick.net', status: 'GRAVITY', client: 1 },
  { domain: 'links.newsletter.example', status: 'GRAVITY', client: 2 },
  { domain: 'app-measurement.com', status: 'GRAVITY', client: 2 },
  { domain: 'ads.games.example', status: 'REGEX', client: 3 },
  { domain: 'tracker.shop.example', status: 'DENYLIST', client: 6 },
  { domain: 'metrics.guest-app.example', status: 'GRAVITY_CNAME', client: 7 },
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
