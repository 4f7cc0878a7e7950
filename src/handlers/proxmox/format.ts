/** Shared bits of the Proxmox handlers: finding a guest by name or number (its display form is `guestLabel`, services/proxmox/types.ts). */
import type { Translate } from '../../core/i18n.ts';
import type { Guest } from '../../services/proxmox/client.ts';

/** The household name of the hypervisor in error sentences. */
export const pveLabel = (t: Translate): string => t('proxmox.label');

/** Finds a guest by vmid (`101`) or name (`docker`, any case). */
export function findGuest(guests: readonly Guest[], query: string): Guest | undefined {
  const q = query.trim().toLowerCase();
  if (/^\d+$/.test(q)) return guests.find((g) => g.vmid === Number(q));
  return guests.find((g) => g.name.toLowerCase() === q);
}
