#!/usr/bin/env node
/**
 * Removes from a production node_modules what never runs: type declarations, source maps,
 * TypeScript sources, READMEs/changelogs, `@types`, and better-sqlite3's SQLite sources and
 * build intermediates (only the compiled `better_sqlite3.node` is loaded). The Docker image runs
 * it after `npm prune --omit=dev`; `npm run bench` runs it on `npm ci --omit=dev` to report the
 * same install size. Usage: `node scripts/prune-runtime.mjs <node_modules> [--dry-run]`.
 * Prints the size before and after in bytes as JSON.
 */
import { lstatSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/** Files never read at run time (Node 20 cannot load .ts; declarations and maps are for tools). */
const DEAD_FILE = /(\.d\.[cm]?ts|\.map|(?<!\.d)\.[cm]?ts|\.md|\.markdown)$/i;
/** Kept whatever their name: licences must travel with the code. */
const KEEP_FILE = /^(licen[cs]e|copying|notice)/i;

/** Total bytes of regular files under `dir` (symlinks not followed). */
function sizeOf(dir) {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += sizeOf(path);
    else if (entry.isFile()) total += lstatSync(path).size;
  }
  return total;
}

/** Paths to remove under a node_modules folder. */
function deadPaths(modules) {
  const dead = [];
  const sqlite = join(modules, 'better-sqlite3');
  for (const name of ['deps', 'src']) dead.push(join(sqlite, name));
  const build = join(sqlite, 'build');
  if (exists(build)) {
    for (const entry of readdirSync(build)) if (entry !== 'Release') dead.push(join(build, entry));
    const release = join(build, 'Release');
    if (exists(release)) for (const entry of readdirSync(release)) if (entry !== 'better_sqlite3.node') dead.push(join(release, entry));
  }
  dead.push(join(modules, '@types'));
  walk(modules, (path, name) => {
    if (DEAD_FILE.test(name) && !KEEP_FILE.test(name)) dead.push(path);
  });
  return dead.filter(exists);
}

function exists(path) {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

function walk(dir, onFile) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path, onFile);
    else if (entry.isFile()) onFile(path, entry.name);
  }
}

const modules = process.argv[2];
if (!modules) {
  process.stderr.write('usage: node scripts/prune-runtime.mjs <node_modules> [--dry-run]\n');
  process.exit(2);
}
const before = sizeOf(modules);
const dead = deadPaths(modules);
if (!process.argv.includes('--dry-run')) for (const path of dead) rmSync(path, { recursive: true, force: true });
process.stdout.write(`${JSON.stringify({ before, after: sizeOf(modules), removedPaths: dead.length })}\n`);
