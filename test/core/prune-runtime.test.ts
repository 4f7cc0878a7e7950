/**
 * scripts/prune-runtime.mjs (run by the Dockerfile and measured by the bench) removes only what
 * never runs: declarations, maps, TypeScript sources, READMEs, @types and better-sqlite3's
 * sources and build intermediates — never JavaScript, JSON, licences or the compiled addon.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';

const dir = mkdtempSync(join(tmpdir(), 'prune-runtime-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const KEPT = [
  'grammy/out/bot.js',
  'grammy/package.json',
  'grammy/LICENSE',
  'zod/v4/core/index.cjs',
  'oui-data/index.json',
  'better-sqlite3/lib/database.js',
  'better-sqlite3/build/Release/better_sqlite3.node',
  'pino/lib/tools.mjs',
];
const REMOVED = [
  'grammy/out/bot.d.ts',
  'grammy/out/bot.js.map',
  'grammy/README.md',
  'zod/src/index.ts',
  'zod/v4/core/index.d.cts',
  '@types/node/index.d.ts',
  'better-sqlite3/deps/sqlite3/sqlite3.c',
  'better-sqlite3/src/better_sqlite3.cpp',
  'better-sqlite3/build/Release/obj.target/x.o',
  'better-sqlite3/build/Release/test_extension.node',
  'better-sqlite3/build/Makefile',
];

test('removes what never runs and keeps what does, and reports the sizes', () => {
  const modules = join(dir, 'node_modules');
  for (const f of [...KEPT, ...REMOVED]) {
    mkdirSync(dirname(join(modules, f)), { recursive: true });
    writeFileSync(join(modules, f), 'x'.repeat(100));
  }
  const out = JSON.parse(execFileSync(process.execPath, ['scripts/prune-runtime.mjs', modules], { encoding: 'utf8' })) as {
    before: number;
    after: number;
    removedPaths: number;
  };
  for (const f of KEPT) assert.ok(existsSync(join(modules, f)), `kept ${f}`);
  for (const f of REMOVED) assert.ok(!existsSync(join(modules, f)), `removed ${f}`);
  assert.deepEqual(out, { before: 100 * (KEPT.length + REMOVED.length), after: 100 * KEPT.length, removedPaths: out.removedPaths });
});

test('without a folder it says how to use it', () => {
  assert.throws(
    () => execFileSync(process.execPath, ['scripts/prune-runtime.mjs'], { stdio: 'pipe' }),
    /usage: node scripts\/prune-runtime\.mjs/,
  );
});
