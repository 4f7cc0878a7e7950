/** The production artifact (`npm run build`, what the Docker image runs) starts and answers. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { build } from 'esbuild';

test('the esbuild bundle runs the demo on plain node and keeps discord.js and the demo fakes lazy', async () => {
  const root = resolve(import.meta.dirname, '../..');
  const cache = join(root, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  // Inside the project so node resolves the external packages from node_modules.
  const out = mkdtempSync(join(cache, 'homelab-bundle-test-'));
  try {
    await build({
      entryPoints: ['src/main.ts'],
      absWorkingDir: root,
      bundle: true,
      splitting: true,
      platform: 'node',
      format: 'esm',
      packages: 'external',
      target: 'node20',
      outdir: out,
      logLevel: 'silent',
    });
    // The Discord adapter is a separate chunk, loaded only for a Discord setup.
    assert.ok(
      readdirSync(out).some((f) => f.startsWith('discord-')),
      'discord chunk missing',
    );
    // The simulated homelab is not part of what a real setup loads: main.js and every chunk it imports
    // statically hold no module of src/demo/ (esbuild marks each module with a `// src/…` comment).
    const loaded = new Set<string>();
    const visit = (file: string): void => {
      if (loaded.has(file)) return;
      loaded.add(file);
      const code = readFileSync(join(out, file), 'utf8');
      for (const [, dep] of code.matchAll(/^(?:import|export)\b[^;]*?from\s*"\.\/([^"]+)"/gm)) visit(dep!);
      for (const [, dep] of code.matchAll(/^import\s*"\.\/([^"]+)"/gm)) visit(dep!);
    };
    visit('main.js');
    for (const file of loaded) {
      const demo = readFileSync(join(out, file), 'utf8').match(/^\/\/ src\/demo\/.*$/m);
      assert.equal(demo, null, `${file} (loaded at every start) contains ${demo?.[0]}`);
    }
    assert.ok(
      readdirSync(out).some((f) => /^\/\/ src\/demo\//m.test(readFileSync(join(out, f), 'utf8'))),
      'the demo chunk is missing (demo mode below needs it)',
    );
    const res = await new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
      const child = spawn(process.execPath, [join(out, 'main.js')], { cwd: root, env: { ...process.env, HOMELAB_CONFIG: '' } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('close', (code) => done({ code, stdout, stderr }));
      child.stdin.end('/help\n');
    });
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /Demo mode/);
    // The demo's owner sees the help by area: the router area is there (the bundle loaded it).
    assert.match(res.stdout, /\/help router/);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
