/**
 * The one mapping from how something is doing to its coloured icon. /status, /nas, /guests,
 * /backups, /alerts and alert pushes all take their icons from here, so the same state has the
 * same colour everywhere (a degraded RAID is red in /nas, /status and its alert alike).
 */

/** How something is doing: alert severities plus "fine" and "off / unknown". */
export type StateTone = 'ok' | 'info' | 'warning' | 'critical' | 'idle';

/** Icon of each tone: 🟢 fine, 🔵 worth knowing or under way, 🟠 worth watching, 🔴 act now, ⚪ off or unknown. */
export const STATE_ICON: Readonly<Record<StateTone, string>> = {
  ok: '🟢',
  info: '🔵',
  warning: '🟠',
  critical: '🔴',
  idle: '⚪',
};

/** The icon of a tone. */
export function stateIcon(tone: StateTone): string {
  return STATE_ICON[tone];
}
