/**
 * 6. Production install size: `npm ci --omit=dev` from the lockfile in a temp folder, better-sqlite3's
 * compiled addon copied from this checkout (the image compiles it), then the same
 * `scripts/prune-runtime.mjs` the Dockerfile runs, plus the bundle (`npm run build`'s output):
 * what the Docker image's /app holds besides package.json and the example config.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { buildBundles } from './lib/bundle.ts';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '..');
const ADDON = 'node_modules/better-sqlite3/build/Release/better_sqlite3.node';
const MB = 1024 * 1024;

/** Sizes in MB (file bytes, as an image layer stores them). */
export interface InstallResult {
  readonly nodeModulesMb: number;
  readonly prunedNodeModulesMb: number;
  readonly bundleMb: number;
  readonly totalMb: number;
}

/** Bytes of the files of a flat folder (the bundle's chunks). */
const flatBytes = (dir: string): number => readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0);

/** Installs, prunes and measures; returns a reason string when npm cannot install here. */
export async function benchInstall(log: (s: string) => void): Promise<InstallResult | string> {
  const dir = mkdtempSync(join(tmpdir(), 'homelab-install-'));
  try {
    for (const f of ['package.json', 'package-lock.json']) copyFileSync(join(ROOT, f), join(dir, f));
    try {
      await run('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: dir, timeout: 600_000 });
    } catch (e) {
      return `npm ci --omit=dev failed: ${(e as Error).message.split('\n')[0]}`;
    }
    if (existsSync(join(ROOT, ADDON))) {
      mkdirSync(dirname(join(dir, ADDON)), { recursive: true });
      copyFileSync(join(ROOT, ADDON), join(dir, ADDON));
    }
    const modules = join(dir, 'node_modules');
    // The prune script prints the folder's file bytes before and after.
    const { stdout } = await run(process.execPath, [join(ROOT, 'scripts/prune-runtime.mjs'), modules]);
    const { before, after } = JSON.parse(stdout) as { before: number; after: number };
    const bundle = flatBytes(dirname(buildBundles(ROOT).bot));
    const r = (x: number): number => Math.round((x / MB) * 10) / 10;
    const result = { nodeModulesMb: r(before), prunedNodeModulesMb: r(after), bundleMb: r(bundle), totalMb: r(after + bundle) };
    log(`  npm ci --omit=dev ${result.nodeModulesMb} MB → pruned ${result.prunedNodeModulesMb} MB, bundle ${result.bundleMb} MB`);
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
