'use strict';
/**
 * dist/<name>.js (scripts/build.mjs copies this file beside each entry): runs <name>-bundle.js
 * with V8's code cache, <name>-bundle.js.v8cache, written by the build. Node 20 has no
 * module.enableCompileCache (22.1+), and compiling the 1 MB main bundle was start-up's largest
 * item (~80 ms of CPU before the first getUpdates); with the cache V8 deserialises instead.
 * The chunks beside it (each with its own <chunk>.js.v8cache) load the same way when required.
 * A cache file is its file's SHA-1 then V8's data: a cache for other bytes, another Node or
 * V8 flags, or a damaged file is ignored and the bundle compiles as usual. Nothing is written at
 * run time: the image's app folder is not the bot's to write, and its data folder is the host's.
 * Only the build's training run (scripts/train-code-cache.mjs, HOMELAB_CODE_CACHE_TRAINING=1)
 * rewrites each cache as it exits, with the functions its start-up compiled.
 */
const { readFileSync, writeFileSync } = require('node:fs');
const { createHash } = require('node:crypto');
const Module = require('node:module');
const { dirname } = require('node:path');
const vm = require('node:vm');

const bundle = __filename.replace(/\.js$/, '-bundle.js');

/** The V8 data in `file` when it was made for `bytes` (their SHA-1 first), else undefined. */
function cachedDataFor(bytes, file) {
  try {
    const digest = createHash('sha1').update(bytes).digest();
    const data = readFileSync(file);
    return data.length > digest.length && data.subarray(0, digest.length).equals(digest) ? data.subarray(digest.length) : undefined;
  } catch {
    return undefined;
  }
}

/** The scripts compiled so far, kept only in a training run (their caches are rewritten at exit). */
const training = process.env.HOMELAB_CODE_CACHE_TRAINING === '1' ? [] : undefined;
if (training) {
  process.once('exit', () => {
    for (const { script, file, digest } of training) writeFileSync(`${file}.v8cache`, Buffer.concat([digest, script.createCachedData()]));
  });
}

/** Compiles `file` (CommonJS) through its code cache when it has a valid one and runs it as `mod`; false when it has none. */
function runCached(mod, file) {
  const bytes = readFileSync(file);
  const cachedData = cachedDataFor(bytes, `${file}.v8cache`);
  if (!cachedData) return false;
  const script = new vm.Script(Module.wrap(bytes.toString('utf8')), { filename: file, cachedData });
  training?.push({ script, file, digest: createHash('sha1').update(bytes).digest() });
  script.runInThisContext().call(mod.exports, mod.exports, Module.createRequire(file), mod, file, dirname(file));
  return true;
}

// The chunks the bundle requires from its own folder (shared code such as zod, the areas) go
// through their caches too; anything else, or a chunk without a valid cache, compiles as usual.
const here = dirname(bundle);
const compileJs = Module._extensions['.js'];
Module._extensions['.js'] = function (mod, file) {
  if (dirname(file) === here && runCached(mod, file)) return;
  compileJs(mod, file);
};

const self = new Module(bundle, module);
self.filename = bundle;
self.paths = Module._nodeModulePaths(dirname(bundle));
if (!runCached(self, bundle)) {
  const source = readFileSync(bundle, 'utf8');
  new vm.Script(Module.wrap(source), { filename: bundle })
    .runInThisContext()
    .call(self.exports, self.exports, Module.createRequire(bundle), self, bundle, dirname(bundle));
}
