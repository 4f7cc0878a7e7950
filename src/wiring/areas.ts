/**
 * The one list of areas. A new backend adds its descriptor here (and its section to the config
 * schema); the message catalogue, migrations, modules, alert dependencies and demo backends derive from it.
 */
import type { DemoBackend } from '../demo/index.ts';
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

/** The areas' simulated backends for demo mode, in area order (loading each one's fakes only now). */
export async function demoBackendsOf(areas: readonly AreaDescriptor[]): Promise<DemoBackend[]> {
  return Promise.all(areas.flatMap((a) => (a.demo ? [a.demo()] : [])));
}
