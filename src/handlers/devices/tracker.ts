/** Turns each lease refresh into device sightings and announces devices never seen before. */
import type { Lease } from '../../services/routeros/types.ts';
import { normalizeMac, type Device, type DeviceStore, type Sighting } from './store.ts';

/** Bound leases with a MAC, as sightings. */
export function sightingsOf(leases: readonly Lease[]): Sighting[] {
  const out: Sighting[] = [];
  for (const l of leases) {
    const mac = l.mac && normalizeMac(l.mac);
    if (!mac || l.status !== 'bound' || l.disabled) continue;
    out.push({ mac, leaseName: l.hostName, ip: l.address, network: l.network });
  }
  return out;
}

/**
 * Records what the router leases. The very first refresh is the household's baseline (the
 * devices that were already there raise nothing); after that a MAC never seen before is
 * announced once, in the same transaction that records it.
 */
export class DeviceTracker {
  constructor(
    private readonly store: DeviceStore,
    private readonly announce: (d: Device) => void,
  ) {}

  /** One refresh of the lease table; returns the newcomers announced. */
  observe(leases: readonly Lease[], now: number): string[] {
    const baseline = this.store.isEmpty();
    return this.store.record(sightingsOf(leases), now, baseline ? undefined : this.announce);
  }
}
