/** Builds the bot and the baseline bot into plain-node bundles, exactly as `npm run build` does. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Returns the paths of the two entry bundles in a fresh folder under node_modules/.cache, so
 * node resolves the packages left outside the bundle from the project's node_modules. Both go
 * through scripts/build.mjs (one bundle with their npm packages), so the baseline is measured
 * the same way as the bot.
 */
export function buildBundles(root: string): { bot: string; baseline: string } {
  const cache = join(root, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const out = mkdtempSync(join(cache, 'homelab-bench-'));
  const build = (dir: string, entry: string): void =>
    void execFileSync(process.execPath, ['scripts/build.mjs', '--outdir', join(out, dir), '--entry', entry], {
      cwd: root,
      stdio: 'inherit',
    });
  build('bot', 'main=src/main.ts');
  build('baseline', 'baseline=bench/baseline-bot.ts');
  return { bot: join(out, 'bot', 'main.js'), baseline: join(out, 'baseline', 'baseline.js') };
}
