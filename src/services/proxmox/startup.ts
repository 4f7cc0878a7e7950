/**
 * A guest's `startup` property (`[[order=]N][,up=S][,down=S]`, PVE format `pve-startup-order`).
 * Node boot (`startall`) starts guests by ascending `order`; `stopall` — which the node's own
 * shutdown runs (pve-guests.service ExecStop) — stops them by descending `order`, guests
 * without one first, and waits `down` seconds for each (pve-manager PVE/API2/Nodes.pm).
 */

/** Parsed `startup` property; absent fields are unset. */
export interface StartupOrder {
  readonly order?: number;
  readonly up?: number;
  readonly down?: number;
}

/** Parses a `startup` value; undefined when it is not of the documented form. */
export function parseStartup(value: string | undefined): StartupOrder | undefined {
  if (value === undefined || value.trim() === '') return {};
  const out: { order?: number; up?: number; down?: number } = {};
  for (const part of value.split(',')) {
    const m = /^(?:(order|up|down)=)?(\d+)$/.exec(part.trim());
    if (!m) return undefined;
    const key = (m[1] ?? 'order') as 'order' | 'up' | 'down';
    if (out[key] !== undefined) return undefined;
    out[key] = Number(m[2]);
  }
  return out;
}

/** Formats a startup order the way the PVE GUI writes it (`order=2,up=30,down=180`). */
export function formatStartup(s: StartupOrder): string {
  return (['order', 'up', 'down'] as const)
    .filter((k) => s[k] !== undefined)
    .map((k) => `${k}=${s[k]}`)
    .join(',');
}

/** `stopall` order for guests with these startup settings: descending `order` (unset first), then descending vmid. */
export function stopSequence<T extends { readonly vmid: number; readonly startup: StartupOrder }>(guests: readonly T[]): T[][] {
  const key = (g: T): number => g.startup.order ?? Number.MAX_SAFE_INTEGER;
  const groups = new Map<number, T[]>();
  for (const g of guests) groups.set(key(g), [...(groups.get(key(g)) ?? []), g]);
  return [...groups.entries()].sort((a, b) => b[0] - a[0]).map(([, list]) => [...list].sort((a, b) => b.vmid - a.vmid));
}
