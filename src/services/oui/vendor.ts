/**
 * MAC vendor names from the IEEE OUI registry, shipped by the `oui-data` package (kept in step
 * with the IEEE lists by its maintainer). The 5 MB table loads on the first lookup only, so a
 * bot that never sees a new device never pays for it.
 */
import { createRequire } from 'node:module';

let table: Readonly<Record<string, string>> | undefined;

function load(): Readonly<Record<string, string>> {
  table ??= createRequire(import.meta.url)('oui-data') as Record<string, string>;
  return table;
}

/** True for a locally administered MAC (phones' per-network random addresses): no vendor to find. */
export function isRandomizedMac(mac: string): boolean {
  const first = Number.parseInt(mac.slice(0, 2), 16);
  return Number.isFinite(first) && (first & 0x02) !== 0;
}

/** The registered vendor of a MAC (`AA:BB:CC:…`), first line of the IEEE entry; undefined when unknown or randomised. */
export function macVendor(mac: string): string | undefined {
  const oui = mac
    .replace(/[^0-9A-Fa-f]/g, '')
    .slice(0, 6)
    .toUpperCase();
  if (oui.length !== 6 || isRandomizedMac(oui)) return undefined;
  const entry = load()[oui];
  return entry?.split('\n')[0]?.trim() || undefined;
}
