/**
 * The one list of areas. A new backend adds its descriptor here (and its section to the config
 * schema); the message catalogue, migrations, modules and alert dependencies derive from it.
 */
import type { AreaDescriptor, BackendInfo } from './module.ts';
import { cloudArea } from './cloud.ts';
import { downloadsArea } from './downloads.ts';
import { nasArea } from './nas.ts';
import { offsiteArea } from './offsite.ts';
import { permissionsArea } from './permissions.ts';
import { piholeArea } from './pihole.ts';
import { proxmoxArea } from './proxmox.ts';
import { routerArea } from './router.ts';
import { upsArea } from './ups.ts';

/** Every area, in the order /status and /help show them. */
export const AREAS: readonly AreaDescriptor[] = [
  upsArea,
  permissionsArea,
  routerArea,
  downloadsArea,
  proxmoxArea,
  nasArea,
  piholeArea,
  cloudArea,
  offsiteArea,
];

/** Every backend the areas poll, by the name their alert feeds use. */
export function backendsOf(areas: readonly AreaDescriptor[]): ReadonlyMap<string, BackendInfo> {
  return new Map(areas.flatMap((a) => Object.entries(a.backends ?? {})));
}
