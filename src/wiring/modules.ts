/** Builds the feature modules the config enables, one per area of the list. */
import type { Config } from '../core/config.ts';
import type { AreaDescriptor, FeatureModule, WiringContext } from './module.ts';
import { AREAS } from './areas.ts';

/** The running modules, in area order, and each one by its descriptor (typed, for one-off capabilities). */
export interface BuiltModules {
  readonly all: readonly FeatureModule[];
  /** The module an area built, with its own type (`of(proxmoxArea)?.powerController`); undefined when off. */
  of<M extends FeatureModule>(area: AreaDescriptor<M>): M | undefined;
}

/** The modules whose config sections are present (only those areas' code is loaded). */
export async function buildModules(ctx: WiringContext, areas: readonly AreaDescriptor[] = AREAS): Promise<BuiltModules> {
  const configured = areas.filter((a) => a.configSections.some((path) => hasSection(ctx.config, path)));
  const factories = await Promise.all(configured.map((a) => a.load()));
  const built = new Map<AreaDescriptor, FeatureModule>();
  configured.forEach((a, i) => {
    const m = factories[i]!(ctx);
    if (m) built.set(a, m);
  });
  return {
    all: [...built.values()],
    of: <M extends FeatureModule>(area: AreaDescriptor<M>) => built.get(area as AreaDescriptor) as M | undefined,
  };
}

/** True when the config has the section at `path` (`nut`, `alerts.offsite`). */
function hasSection(config: Config, path: string): boolean {
  let at: unknown = config;
  for (const key of path.split('.')) at = at !== null && typeof at === 'object' ? (at as Record<string, unknown>)[key] : undefined;
  return at !== undefined && at !== null;
}
