/** Builds the feature modules the config enables, one per area of the list. */
import type { AreaDescriptor, FeatureModule, WiringContext } from './module.ts';
import { AREAS } from './areas.ts';

/** The running modules, in area order, and each one by its descriptor (typed, for one-off capabilities). */
export interface BuiltModules {
  readonly all: readonly FeatureModule[];
  /** The module an area built, with its own type (`of(proxmoxArea)?.powerController`); undefined when off. */
  of<M extends FeatureModule>(area: AreaDescriptor<M>): M | undefined;
}

/** The modules whose config sections are present. */
export function buildModules(ctx: WiringContext, areas: readonly AreaDescriptor[] = AREAS): BuiltModules {
  const built = new Map<AreaDescriptor, FeatureModule>();
  for (const a of areas) {
    const m = a.create(ctx);
    if (m) built.set(a, m);
  }
  return {
    all: [...built.values()],
    of: <M extends FeatureModule>(area: AreaDescriptor<M>) => built.get(area as AreaDescriptor) as M | undefined,
  };
}
