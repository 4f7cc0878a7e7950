#!/usr/bin/env node
/**
 * The production bundle (`npm run build`, the Docker image and `npm run bench`): src/main.ts and
 * the npm packages it imports in one esbuild output, so start-up parses a few files instead of
 * resolving and reading hundreds under node_modules. Usage: `node scripts/build.mjs [--outdir DIR]
 * [--entry name=path] [--metafile FILE]` (default dist/ from src/main.ts; the outdir is emptied
 * first; the metafile is esbuild's account of which module went into which output file).
 * For measuring (`npm run bench -- memory` builds through here): BUILD_EXTERNAL=a,b leaves more
 * packages in node_modules, BUILD_PACKAGES_EXTERNAL=1 leaves every npm package there.
 */
import { build, transform } from 'esbuild';
import { createHash } from 'node:crypto';
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Module } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Script } from 'node:vm';
import { trainCodeCache } from './train-code-cache.mjs';

/**
 * Loaded from node_modules at run time: native addons (better-sqlite3, ssh2's optional crypto
 * binding), packages the code loads through createRequire on first use (pino-pretty in pretty
 * mode, oui-data's 5 MB table) and ws's optional native helpers, which it requires in a try.
 */
export const RUNTIME_PACKAGES = ['better-sqlite3', 'ssh2', 'pino-pretty', 'oui-data', 'zlib-sync', 'bufferutil', 'utf-8-validate'];

/**
 * node-fetch 2 (grammY's HTTP client on Node) requires whatwg-url, which drags in tr46's 259 KB
 * Unicode table, yet only reads it as a fallback: `const URL = Url.URL || whatwgUrl.URL` (its
 * lib/index.js, twice), and Node's url module has had URL since Node 10. Handing node-fetch an
 * empty module saves parsing and evaluating ~280 KB at every start. Node's global fetch instead
 * (grammY's `fetch` client option) was measured and rejected: its first request loads Node's
 * internal undici and web streams, 60–100 ms of CPU before the first getMe.
 */
const unusedWhatwgUrl = {
  name: 'unused-whatwg-url',
  setup(b) {
    b.onResolve({ filter: /^whatwg-url$/ }, (a) =>
      /[\\/]node-fetch[\\/]/.test(a.importer) ? { path: 'whatwg-url', namespace: 'unused' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'unused' }, () => ({ contents: 'module.exports = {};', loader: 'js' }));
  },
};

/**
 * discord.js and @discordjs/rest each bring their own undici 6, both evaluated when the Discord
 * chunk loads (860 kB of its 1.8 MB source); their `undici` imports get the bot's undici 7
 * through src/bot/discord/undici-for-discord.ts instead (why each name is safe is said there).
 */
const discordUndici = {
  name: 'discord-undici',
  setup(b) {
    const shim = resolve(import.meta.dirname, '../src/bot/discord/undici-for-discord.ts');
    b.onResolve({ filter: /^undici$/ }, ({ importer }) =>
      /[\\/]node_modules[\\/](discord\.js|@discordjs[\\/]rest)[\\/]/.test(importer) ? { path: shim } : undefined,
    );
  },
};

/**
 * Reading Node's global `FormData`, `Headers`, `Request` or `Response` (lazy getters) loads Node's
 * internal undici, 10–16 MB that stays for the process's life, beside the undici 7 the bot
 * bundles. Two packages read one for nothing we use, so the bundle rewrites those lines:
 * - @discordjs/rest sets `globalThis.FormData ??= undici.FormData` as it loads, then builds
 *   uploads with the global `FormData` and checks `res instanceof Response` on every request the
 *   adapter listens to: its module gets undici's (the bundle's undici 7) under those names instead,
 *   and the global stays untouched.
 * - undici 7's cookie helpers (lib/web/cookies/index.js) also accept Node's own Headers objects,
 *   read from the global as undici loads; the bot never calls them, so they accept undici's only.
 * A line not found (a package upgrade changed it) fails the build, so the rewrite is never silently lost.
 */
const GLOBAL_READS = [
  {
    file: /[\\/]node_modules[\\/]@discordjs[\\/]rest[\\/]dist[\\/]index\.js$/,
    line: 'globalThis.FormData ??= import_undici2.FormData;',
    with: 'var FormData = import_undici2.FormData, Response = import_undici2.Response;',
  },
  {
    file: /[\\/]node_modules[\\/]undici[\\/]lib[\\/]web[\\/]cookies[\\/]index\.js$/,
    line: 'webidl.brandCheckMultiple([Headers, globalThis.Headers].filter(Boolean))',
    with: 'webidl.brandCheckMultiple([Headers])',
  },
];
const noNodeUndici = {
  name: 'no-node-undici',
  setup(b) {
    for (const { file, line, with: replacement } of GLOBAL_READS) {
      b.onLoad({ filter: file }, ({ path }) => {
        const source = readFileSync(path, 'utf8');
        if (!source.includes(line)) throw new Error(`${path}: expected line not found (scripts/build.mjs no-node-undici): ${line}`);
        return { contents: source.replace(line, replacement), loader: 'js', resolveDir: dirname(path) };
      });
    }
  },
};

/**
 * Builds `entries` ({ name: source path }) into `outdir`: for each entry `<name>.js` (a copy of
 * scripts/code-cache-loader.cjs) runs `<name>-bundle.js` through V8's code cache
 * `<name>-bundle.js.v8cache`, which Node 20 cannot do for an ES module (no
 * module.enableCompileCache before 22.1); compiling main's 1 MB was start-up's largest item.
 * So esbuild bundles as ES modules with splitting (an area's module, Discord and the demo stay
 * chunks loaded on first use), then each output is turned into CommonJS (`import()` becomes a
 * lazy require; `import.meta.url` the file's URL) and outdir/package.json says so.
 * Names are kept because bundled packages check classes by name (node-fetch accepts a signal
 * only when its class is called `AbortSignal`; esbuild would rename the polyfill's to avoid the
 * global), and they keep stack traces readable. Minified: the parsed source stays in memory for
 * the process's life (idle RSS 78.6 → 71.0 MB, Telegram only).
 */
export async function buildBundle(root, outdir, entries) {
  rmSync(outdir, { recursive: true, force: true });
  const result = await build({
    absWorkingDir: root,
    entryPoints: entries,
    outdir,
    entryNames: '[name]-bundle',
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    keepNames: true,
    minify: true,
    ...(process.env.BUILD_PACKAGES_EXTERNAL ? { packages: 'external' } : {}),
    external: [...RUNTIME_PACKAGES, ...(process.env.BUILD_EXTERNAL?.split(',') ?? [])],
    define: { 'import.meta.url': '__bundleUrl', 'import.meta.dirname': '__dirname' },
    plugins: [unusedWhatwgUrl, discordUndici, noNodeUndici],
    logLevel: 'warning',
    metafile: true,
  });
  for (const file of Object.keys(result.metafile.outputs)) {
    if (!file.endsWith('.js')) continue;
    await toCommonJs(resolve(root, file));
    assertLatin1(resolve(root, file));
    // Every output, chunks included: the loader runs the shared chunks start-up requires (zod's
    // among them) and the areas' through their caches too.
    writeCodeCache(resolve(root, file));
  }
  writeFileSync(join(outdir, 'package.json'), '{ "type": "commonjs" }\n');
  for (const name of Object.keys(entries)) {
    copyFileSync(new URL('./code-cache-loader.cjs', import.meta.url), join(outdir, `${name}.js`));
  }
  // The bot's caches then learn what its start-up runs (scripts/train-code-cache.mjs).
  if (entries.main) await trainCodeCache(join(outdir, 'main.js'));
  return result;
}

/**
 * Rewrites an ES module output as CommonJS. `import()` becomes `Promise.resolve().then(() =>
 * require(...))` (dynamic-import off), so a chunk still evaluates only when first asked for.
 */
async function toCommonJs(file) {
  const { code } = await transform(readFileSync(file, 'utf8'), {
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    supported: { 'dynamic-import': false },
    keepNames: true,
    minify: true,
    banner: "var __bundleUrl=require('node:url').pathToFileURL(__filename).href;",
    logLevel: 'warning',
  });
  writeFileSync(file, code);
}

/**
 * Writes V8's code cache of `bundle` as code-cache-loader.cjs compiles it (same wrapper), after
 * the bundle's SHA-1 so the loader never uses it for other bytes. Built by the Node that runs
 * the build: the Docker image builds and runs on the same node:20-slim, and a cache V8 rejects
 * (another version or flags) only costs the compile it would have saved.
 */
function writeCodeCache(bundle) {
  const bytes = readFileSync(bundle);
  const script = new Script(Module.wrap(bytes.toString('utf8')), { filename: bundle });
  writeFileSync(`${bundle}.v8cache`, Buffer.concat([createHash('sha1').update(bytes).digest(), script.createCachedData()]));
}

/**
 * V8 keeps a module's source text for the process's life, one byte a character only when every
 * character is Latin-1: one emoji left in a regex literal (esbuild escapes strings, not regexes)
 * doubles the bundle's resident source (main.js: 1.6 → 3.2 MB). Write such characters as \u escapes.
 */
function assertLatin1(file) {
  if (!file.endsWith('.js')) return;
  const text = readFileSync(file, 'utf8');
  const at = text.search(/[^\x00-\xff]/u);
  if (at < 0) return;
  const around = text.slice(Math.max(0, at - 60), at + 20);
  throw new Error(`${file}: non-Latin-1 character in the bundle (write it as a \\u escape in the source): …${around}…`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: { outdir: { type: 'string' }, entry: { type: 'string', multiple: true }, metafile: { type: 'string' } },
  });
  const root = resolve(import.meta.dirname, '..');
  const entries = values.entry?.length ? Object.fromEntries(values.entry.map((e) => e.split('=', 2))) : { main: 'src/main.ts' };
  const { metafile } = await buildBundle(root, resolve(values.outdir ?? 'dist'), entries);
  if (values.metafile) writeFileSync(values.metafile, JSON.stringify(metafile));
}
