/** Pure router rules: overview → conditions (the internet link). */
import type { Condition } from '../../alerts/condition.ts';
import type { RouterOverview } from './poller.ts';

/**
 * Key of "the internet link is down". While it is pending or raised, the alert engine holds the
 * conditions of backends that need the internet (the off-site copy): they are its consequences.
 */
export const WAN_DOWN_KEY = 'network:router:wan_down';

/**
 * What the router says is wrong. WAN down = the router answers and the WAN interface has no
 * live address (PPPoE not connected, DHCP lease lost); an unreadable address list says nothing.
 */
export function routerConditions(v: RouterOverview, wanInterface: string): Condition[] {
  if (v.wanUp !== false) return [];
  return [
    {
      key: WAN_DOWN_KEY,
      source: 'network',
      severity: 'warning',
      summaryKey: 'alert.network.wan_down',
      params: { interface: wanInterface },
      dependsOn: 'router',
    },
  ];
}
