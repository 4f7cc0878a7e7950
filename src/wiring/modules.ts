/** Builds the feature modules the config enables; each area adds its factory call here. */
import type { FeatureModule, WiringContext } from './module.ts';

export function buildModules(ctx: WiringContext): FeatureModule[] {
  const modules: FeatureModule[] = [];
  void ctx;
  return modules;
}
