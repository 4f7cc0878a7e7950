/** Builds the feature modules the config enables; each area adds one line to the list. */
import type { FeatureModule, WiringContext } from './module.ts';
import { permissionsModule } from './permissions.ts';
import { routerModule } from './router.ts';
import { downloadsModule } from './downloads.ts';
import { proxmoxModule } from './proxmox.ts';
import { nasModule } from './nas.ts';
import { piholeModule } from './pihole.ts';
import { cloudModule } from './cloud.ts';
import { upsModule } from './ups.ts';
import { offsiteModule } from './offsite.ts';

type ModuleFactory = (ctx: WiringContext) => FeatureModule | undefined;

/** Every area's module factory (one line per area). */
const FACTORIES: readonly ModuleFactory[] = [
  upsModule,
  permissionsModule,
  routerModule,
  downloadsModule,
  proxmoxModule,
  nasModule,
  piholeModule,
  cloudModule,
  offsiteModule,
];

/** The modules whose config sections are present. */
export function buildModules(ctx: WiringContext): FeatureModule[] {
  return FACTORIES.map((f) => f(ctx)).filter((m): m is FeatureModule => m !== undefined);
}
