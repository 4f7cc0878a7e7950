/** Data returned by the RouterOS client (already coerced from RouterOS strings). */

/** Which household network a lease belongs to. */
export interface NetworkRule {
  /** e.g. `10.1.1.0/24`. */
  readonly subnet: string;
  /** DHCP server name that serves it (wins over the subnet when both are known). */
  readonly dhcpServer?: string;
}

/** `/system/resource`. */
export interface RouterResource {
  readonly uptimeSeconds: number;
  readonly version: string;
  readonly cpuLoadPercent: number;
  readonly freeMemoryBytes: number;
  readonly totalMemoryBytes: number;
  readonly boardName: string | undefined;
  readonly architecture: string | undefined;
  readonly cpuCount: number | undefined;
}

/** The guest virtual AP. */
export interface GuestWifi {
  readonly id: string;
  readonly name: string;
  readonly ssid: string;
  /** Undefined when the router user lacks the `sensitive` policy. */
  readonly passphrase: string | undefined;
  readonly hidden: boolean;
  readonly disabled: boolean;
  readonly running: boolean;
  readonly securityProfile: string | undefined;
}

/** One DHCP lease. */
export interface Lease {
  readonly id: string;
  readonly address: string;
  readonly mac: string | undefined;
  readonly hostName: string | undefined;
  readonly comment: string | undefined;
  readonly server: string | undefined;
  /** `bound`, `waiting`, `offered`, … */
  readonly status: string;
  readonly dynamic: boolean;
  readonly disabled: boolean;
  readonly lastSeenSeconds: number | undefined;
  readonly expiresAfterSeconds: number | undefined;
  readonly network: 'lan' | 'guest' | 'other';
}

/** One WireGuard peer. */
export interface WireguardPeer {
  readonly id: string;
  /** name, else comment, else a public-key prefix. */
  readonly label: string;
  readonly interface: string | undefined;
  readonly allowedAddress: readonly string[];
  readonly endpoint: string | undefined;
  /** Undefined when the peer never completed a handshake. */
  readonly lastHandshakeSeconds: number | undefined;
  /** Undefined when the router sent a form we cannot read. */
  readonly rxBytes: number | undefined;
  readonly txBytes: number | undefined;
  readonly disabled: boolean;
}

/** One `/ip/firewall/address-list` entry. */
export interface AddressListEntry {
  readonly id: string;
  readonly list: string;
  readonly address: string;
  readonly comment: string | undefined;
  /** Seconds until the router removes it; undefined for a static entry. */
  readonly timeoutSeconds: number | undefined;
  readonly dynamic: boolean;
}
