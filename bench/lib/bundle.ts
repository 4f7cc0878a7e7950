/** Builds the bot and the baseline bot into plain-node bundles, exactly as `npm run build` does. */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { benchCacheFolder } from './cache-folders.ts';

/**
 * Returns the paths of the two entry bundles in a fresh folder under node_modules/.cache, so
 * node resolves the packages left outside the bundle from the project's node_modules. Both go
 * through scripts/build.mjs (one bundle with their npm packages), so the baseline is measured
 * the same way as the bot. The folder is this run's: it goes when the run ends (cache-folders.ts).
 */
export function buildBundles(root: string): { bot: string; baseline: string } {
  const out = benchCacheFolder(root);
  const build = (dir: string, entry: string): void =>
    void execFileSync(process.execPath, ['scripts/build.mjs', '--outdir', join(out, dir), '--entry', entry], {
      cwd: root,
      stdio: 'inherit',
    });
  build('bot', 'main=src/main.ts');
  build('baseline', 'baseline=bench/baseline-main.ts');
  return { bot: join(out, 'bot', 'main.js'), baseline: join(out, 'baseline', 'baseline.js') };
}

let built: { root: string; bundles: { bot: string; baseline: string } } | undefined;

/** The bundles of this run, built on first use: the command and memory sections measure the same build. */
export function sharedBundles(root: string): { bot: string; baseline: string } {
  if (built?.root !== root) built = { root, bundles: buildBundles(root) };
  return built.bundles;
}
