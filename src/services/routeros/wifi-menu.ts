/**
 * Which REST menu holds the WiFi interfaces. RouterOS 7.13 renamed the `wifiwave2` package to
 * `wifi-qcom` and moved its menu from `/interface/wifiwave2` to `/interface/wifi`
 * (help.mikrotik.com "WifiWave2" and "WiFi" pages; MikroTik 7.13 changelog); the hAP ax²
 * shipped with wifiwave2 on earlier 7.x.
 */
export type WifiMenu = 'interface/wifi' | 'interface/wifiwave2';

/** The menu for a `/system/resource` version such as `7.12.1 (stable)`; undefined when unreadable. */
export function wifiMenuForVersion(version: string): WifiMenu | undefined {
  const m = /^(\d+)\.(\d+)/.exec(version.trim());
  if (!m) return undefined;
  const major = Number(m[1]);
  const minor = Number(m[2]);
  return major > 7 || (major === 7 && minor >= 13) ? 'interface/wifi' : 'interface/wifiwave2';
}
