/** The Dockerfile, the compose example and the example config agree (no Docker engine here: read them). */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parse } from 'yaml';
import { parseConfigText } from '../../src/core/config.ts';
import { IMAGE_MALLOC_ENV } from '../../bench/lib/child.ts';

const dockerfile = readFileSync('Dockerfile', 'utf8');
const compose = parse(readFileSync('docker-compose.example.yml', 'utf8')) as {
  services: Record<string, { environment?: Record<string, string>; secrets?: string[] }>;
  secrets: Record<string, { file: string }>;
};
const example = readFileSync('data/config.example.yaml', 'utf8');

test('the image runs as the base image node user (uid 1000), not a new system user', () => {
  const users = [...dockerfile.matchAll(/^USER\s+(\S+)/gm)].map((m) => m[1]);
  assert.deepEqual(users, ['node']);
  assert.doesNotMatch(dockerfile, /useradd|adduser/);
  assert.match(dockerfile, /uid\/gid 1000/, 'the Dockerfile says which uid it runs as and how to change it');
});

test('the HEALTHCHECK asks the bot with its own config (the port the app reads), not an env var it ignores', () => {
  const check = /^HEALTHCHECK[\s\S]*?CMD (.*)$/m.exec(dockerfile)?.[1] ?? '';
  assert.match(check, /--healthcheck/);
  assert.match(check, /--config/);
  assert.doesNotMatch(dockerfile, /HEALTH_PORT/);
  assert.match(readFileSync('src/main.ts', 'utf8'), /healthcheck: \{ type: 'boolean'/);
});

test('tests and image use the same Node major', () => {
  const majors = [...dockerfile.matchAll(/^FROM node:(\d+)/gm)].map((m) => Number(m[1]));
  assert.ok(majors.length >= 1);
  for (const m of majors) assert.equal(m, Number(process.versions.node.split('.')[0]));
});

test('npm build settings use documented forms, not npm_config_* env settings', () => {
  assert.doesNotMatch(dockerfile, /npm_config_/i);
  assert.match(dockerfile, /npm ci --ignore-scripts/);
  // npm warns about settings it does not know (build-from-source); nodedir is one of its own.
  const testAll = readFileSync('scripts/test-all.sh', 'utf8');
  assert.doesNotMatch(testAll, /npm_config_build_from_source=|--build-from-source/i);
  assert.match(testAll, /npm ci --ignore-scripts/);
});

test('the image and the test install build every package with an install script (optional ones may be left out)', () => {
  const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as {
    packages: Record<string, { hasInstallScript?: boolean; optional?: boolean }>;
  };
  const needed = Object.entries(lock.packages)
    .filter(([path, p]) => path && p.hasInstallScript && !p.optional)
    .map(([path]) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length))
    .sort();
  for (const [name, text] of [
    ['Dockerfile', dockerfile],
    ['scripts/test-all.sh', readFileSync('scripts/test-all.sh', 'utf8')],
  ] as const) {
    const rebuilt = /npm rebuild ([^\n&|;\\]+)/.exec(text)?.[1]?.trim().split(/\s+/) ?? [];
    const compiled = /npm run build-release --prefix node_modules\/(\S+)/.exec(text)?.[1];
    assert.deepEqual([...rebuilt, ...(compiled ? [compiled] : [])].sort(), needed, name);
  }
});

test('a .dockerignore keeps node_modules, the database, local config and secrets out of the build context', () => {
  const ignored = readFileSync('.dockerignore', 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  for (const p of ['node_modules', '.git', 'data/config.yaml', 'data/*.db', 'secrets', 'dist']) assert.ok(ignored.includes(p), p);
});

test('tsx is a dev dependency (the image runs the bundle), and npm start still uses it', () => {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
    scripts: Record<string, string>;
  };
  assert.equal(pkg.dependencies.tsx, undefined);
  assert.ok(pkg.devDependencies.tsx);
  assert.match(pkg.scripts.start ?? '', /^tsx /);
});

test('every compose secret is read by the example config, and the example validates with them', () => {
  const service = Object.values(compose.services)[0]!;
  const env = service.environment ?? {};
  const files: Record<string, string> = {};
  for (const name of service.secrets ?? []) {
    assert.ok(compose.secrets[name], `secret ${name} is declared`);
    const path = `/run/secrets/${name}`;
    const variable = Object.entries(env).find(([, v]) => v === path)?.[0];
    assert.ok(variable?.endsWith('_FILE'), `an environment variable points at ${path}`);
    const plain = variable!.slice(0, -'_FILE'.length);
    assert.ok(example.includes(`\${${plain}}`), `the example config reads \${${plain}} (secret ${name})`);
    files[path] = `123456:secret-${name}-value-1234567890\n`;
  }
  // Every other ${VAR} comes from the environment, as documented at the top of the example.
  const others = Object.fromEntries(
    [...example.matchAll(/^[^#\n]*\$\{(\w+)\}/gm)]
      .map((m) => [m[1]!, `example-${m[1]}-value-123456`] as const)
      .filter(([k]) => !(`${k}_FILE` in env)),
  );
  const r = parseConfigText(example, { ...others, ...env, DISCORD_TOKEN: 'discord-example-token-1234567890' }, (p) => {
    const v = files[p];
    if (v === undefined) throw Object.assign(new Error('missing'), { code: 'ENOENT' });
    return v;
  });
  assert.ok(r.ok, JSON.stringify(!r.ok && r.problems));
  assert.equal(r.config.telegram?.token, '123456:secret-telegram_token-value-1234567890', 'the token comes from the mounted secret');
});

test('the image prunes node_modules with the script the bench measures, after dropping dev dependencies', () => {
  const prune = dockerfile.indexOf('npm prune --omit=dev');
  const runtime = dockerfile.indexOf('node scripts/prune-runtime.mjs node_modules');
  assert.ok(prune > 0 && runtime > prune, 'scripts/prune-runtime.mjs runs after npm prune --omit=dev');
  assert.match(dockerfile, /^COPY .*scripts\/prune-runtime\.mjs/m);
});

test('the image builds its bundle with the script the bench and the bundle test build with', () => {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };
  assert.equal(pkg.scripts.build, 'node scripts/build.mjs');
  assert.match(dockerfile, /^COPY .*scripts\/build\.mjs/m);
  // And every script the build reads beside it (the code cache's loader and its training).
  const beside = [...readFileSync('scripts/build.mjs', 'utf8').matchAll(/'\.\/([\w-]+\.[cm]js)'/g)].map((m) => m[1]!);
  assert.deepEqual(beside.sort(), ['code-cache-loader.cjs', 'train-code-cache.mjs']);
  for (const f of beside) assert.match(dockerfile, new RegExp(`^COPY .*scripts/${f.replace('.', '\\.')}`, 'm'), f);
  assert.match(dockerfile, /^RUN npm run build/m);
  assert.match(readFileSync('bench/lib/bundle.ts', 'utf8'), /scripts\/build\.mjs/);
  assert.match(dockerfile, /^CMD \["node", "dist\/main\.js"/m);
});

test('the image sets the malloc settings the bench runs the bot with', () => {
  const env = [...dockerfile.matchAll(/^ENV\s+(.*)$/gm)].flatMap((m) => m[1]!.split(/\s+/));
  for (const [name, value] of Object.entries(IMAGE_MALLOC_ENV)) assert.ok(env.includes(`${name}=${value}`), `${name}=${value}`);
});
