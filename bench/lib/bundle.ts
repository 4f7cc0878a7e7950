/** Builds the bot and the baseline bot into plain-node bundles (esbuild), like `npm run build`. */
import { build } from 'esbuild';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Returns the paths of the two entry bundles in a fresh folder under node_modules/.cache, so
 * node resolves their external packages from the project's node_modules.
 */
export async function buildBundles(root: string): Promise<{ bot: string; baseline: string }> {
  const cache = join(root, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const out = mkdtempSync(join(cache, 'homelab-bench-'));
  const common = {
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    target: 'node20',
    logLevel: 'warning',
    absWorkingDir: root,
  } as const;
  await build({ ...common, entryPoints: { main: 'src/main.ts' }, splitting: true, outdir: join(out, 'bot') });
  await build({ ...common, entryPoints: { baseline: 'bench/baseline-bot.ts' }, outdir: join(out, 'baseline') });
  return { bot: join(out, 'bot', 'main.js'), baseline: join(out, 'baseline', 'baseline.js') };
}
