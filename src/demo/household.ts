/**
 * The demo household: its people and every device on its networks, in one place. The router
 * fake leases these devices (DHCP host names, MACs, addresses), the Pi-hole fake's query log
 * names its clients after the same leases, and demo mode enrols the people and assigns the
 * devices to them — so `/devices`, `/blocked`, `/mydevices`, scoped `/unblock` and `/pausenet`
 * all talk about the same phones and tablets.
 */

/** Someone who lives in the demo household (the console user is its owner). */
export interface DemoPerson {
  /** `platform:id`; console identities, since the demo has no chat platform but the console. */
  readonly identity: string;
  readonly displayName: string;
  readonly role: 'admin' | 'family' | 'guest';
}

/** Who owns a demo device: one of DEMO_PEOPLE (by identity) or the household's owner. */
export type DemoOwner = { readonly identity: string } | 'owner';

/** One device of the household as the router leases it (and Pi-hole sees it ask for names). */
export interface DemoDevice {
  /** Upper-case, colon-separated. */
  readonly mac: string;
  readonly ip: string;
  /** The DHCP server that leased it (which network it is on). */
  readonly server: 'dhcp-lan' | 'dhcp-guest';
  /** The DHCP host name it announced; Pi-hole shows the same name (undefined: it sent none). */
  readonly hostName: string | undefined;
  /** A static lease (servers), with the admin's comment, rather than a dynamic one. */
  readonly fixed?: { readonly comment?: string };
  /** RouterOS lease fields that differ from a freshly bound dynamic lease. */
  readonly lease?: Readonly<Record<string, string>>;
  /** Sends DNS queries through Pi-hole (a device that is not connected asks nothing). */
  readonly asksDns: boolean;
  readonly owner?: DemoOwner;
}

const ANA: DemoPerson = { identity: 'console:ana', displayName: 'Ana', role: 'family' };
const LUCIA: DemoPerson = { identity: 'console:lucia', displayName: 'Lucia', role: 'family' };

/** The people besides the owner. */
export const DEMO_PEOPLE: readonly DemoPerson[] = [ANA, LUCIA];

/**
 * Every device, in the router's lease order (RouterOS ids `*1`, `*2`… follow it). Addresses
 * from the reference homelab's plan: LAN 192.168.1.0/24, guest 10.1.1.0/24.
 */
export const DEMO_DEVICES: readonly DemoDevice[] = [
  {
    mac: '00:00:5E:00:53:14',
    ip: '192.168.1.4',
    server: 'dhcp-lan',
    hostName: 'docker',
    fixed: { comment: 'docker LXC 101' },
    asksDns: true,
  },
  { mac: '00:00:5E:00:53:15', ip: '192.168.1.5', server: 'dhcp-lan', hostName: 'nas', fixed: { comment: 'nas VM 100' }, asksDns: true },
  { mac: '00:00:5E:00:53:16', ip: '192.168.1.6', server: 'dhcp-lan', hostName: 'proxmox1', fixed: {}, asksDns: false },
  { mac: '00:00:5E:00:53:20', ip: '192.168.1.20', server: 'dhcp-lan', hostName: 'LG-webOS-TV', asksDns: true },
  { mac: '00:00:5E:00:53:31', ip: '192.168.1.31', server: 'dhcp-lan', hostName: 'Pixel-8', asksDns: true, owner: LUCIA },
  {
    mac: '00:00:5E:00:53:32',
    ip: '192.168.1.32',
    server: 'dhcp-lan',
    hostName: 'iPhone-de-Ana',
    lease: { 'last-seen': '12m40s', 'expires-after': '47m20s' },
    asksDns: true,
    owner: ANA,
  },
  { mac: '00:00:5E:00:53:A3', ip: '10.1.1.23', server: 'dhcp-guest', hostName: 'Galaxy-A54', asksDns: true },
  { mac: '00:00:5E:00:53:A4', ip: '10.1.1.24', server: 'dhcp-guest', hostName: undefined, lease: { 'last-seen': '3m2s' }, asksDns: true },
  {
    mac: '00:00:5E:00:53:A5',
    ip: '10.1.1.25',
    server: 'dhcp-guest',
    hostName: 'visitor-laptop',
    lease: { status: 'waiting', 'last-seen': '2h5m', 'expires-after': '' },
    asksDns: false,
  },
  { mac: '00:00:5E:00:53:21', ip: '192.168.1.21', server: 'dhcp-lan', hostName: 'admin-laptop', asksDns: true, owner: 'owner' },
  { mac: '00:00:5E:00:53:33', ip: '192.168.1.33', server: 'dhcp-lan', hostName: 'iPad-de-Lucia', asksDns: true, owner: LUCIA },
];

/** A device by its DHCP host name (demo data lookups in tests and seeds). */
export function demoDevice(hostName: string): DemoDevice {
  const d = DEMO_DEVICES.find((x) => x.hostName === hostName);
  if (!d) throw new Error(`no demo device ${hostName}`);
  return d;
}

/** The household as demo mode hands it to the bot: people to enrol, devices to assign. */
export interface DemoHousehold {
  readonly people: readonly DemoPerson[];
  readonly devices: readonly {
    readonly mac: string;
    readonly ip: string;
    readonly network: 'lan' | 'guest';
    readonly leaseName: string | undefined;
    readonly owner: DemoOwner | undefined;
  }[];
}

/** The demo household (people and every device with its owner). */
export function demoHousehold(): DemoHousehold {
  return {
    people: DEMO_PEOPLE,
    devices: DEMO_DEVICES.map((d) => ({
      mac: d.mac,
      ip: d.ip,
      network: d.server === 'dhcp-guest' ? 'guest' : 'lan',
      leaseName: d.hostName,
      owner: d.owner,
    })),
  };
}
