/** Devices a household already knows at its first start (demo mode): recorded with their owners. */
import type { DeviceNetwork, DeviceStore } from './store.ts';

/** Whose a known device is: a person by identity, or the household's owner. */
export type KnownOwner = { readonly identity: string } | 'owner';

/** A device known before the router is first read, with its owner. */
export interface KnownDevice {
  readonly mac: string;
  readonly ip: string;
  readonly network: DeviceNetwork;
  readonly leaseName: string | undefined;
  readonly owner: KnownOwner | undefined;
}

/**
 * Records the known devices and their owners on a database that has none yet (so they are the
 * baseline, not newcomers); a database that already has devices keeps what its people decided.
 * Returns how many were recorded.
 */
export function seedKnownDevices(
  store: DeviceStore,
  devices: readonly KnownDevice[],
  personIdOf: (owner: KnownOwner) => number | undefined,
  now: number,
): number {
  if (devices.length === 0 || !store.isEmpty()) return 0;
  store.record(
    devices.map((d) => ({ mac: d.mac, leaseName: d.leaseName, ip: d.ip, network: d.network })),
    now,
  );
  for (const d of devices) {
    const personId = d.owner === undefined ? undefined : personIdOf(d.owner);
    if (personId !== undefined) store.setOwner(d.mac, personId);
  }
  return devices.length;
}
