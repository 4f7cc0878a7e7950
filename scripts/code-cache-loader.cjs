'use strict';
/**
 * dist/<name>.js (scripts/build.mjs copies this file beside each entry): runs <name>-bundle.js
 * with V8's code cache, <name>-bundle.js.v8cache, written by the build. Node 20 has no
 * module.enableCompileCache (22.1+), and compiling the 1 MB main bundle was start-up's largest
 * item (~80 ms of CPU before the first getUpdates); with the cache V8 deserialises instead.
 * The cache file is the bundle's SHA-1 then V8's data: a cache for other bytes, another Node or
 * V8 flags, or a damaged file is ignored and the bundle compiles as usual. Nothing is written at
 * run time: the image's app folder is not the bot's to write, and its data folder is the host's.
 */
const { readFileSync } = require('node:fs');
const { createHash } = require('node:crypto');
const Module = require('node:module');
const { dirname } = require('node:path');
const vm = require('node:vm');

const bundle = __filename.replace(/\.js$/, '-bundle.js');
const bytes = readFileSync(bundle);
const source = bytes.toString('utf8');
const digest = createHash('sha1').update(bytes).digest();

/** The V8 data in `file` when it was made for these bytes, else undefined. */
function cachedDataFor(file) {
  try {
    const data = readFileSync(file);
    return data.length > digest.length && data.subarray(0, digest.length).equals(digest) ? data.subarray(digest.length) : undefined;
  } catch {
    return undefined;
  }
}

const script = new vm.Script(Module.wrap(source), { filename: bundle, cachedData: cachedDataFor(`${bundle}.v8cache`) });
const self = new Module(bundle, module);
self.filename = bundle;
self.paths = Module._nodeModulePaths(dirname(bundle));
script.runInThisContext().call(self.exports, self.exports, Module.createRequire(bundle), self, bundle, dirname(bundle));
