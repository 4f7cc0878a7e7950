// The area list is the one place a backend is registered: these checks fail when an area is
// missing from a derived list, or when a folder, message prefix or permission strays from its id.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ALERT_SOURCES, configSchema } from '../../src/core/config-schema.ts';
import { AREAS, backendsOf } from '../../src/wiring/areas.ts';
import { allMessageFragments, sharedMessageFragments } from '../../src/wiring/messages.ts';
import { allMigrations } from '../../src/wiring/migrations.ts';
import { startDemoTestApp } from '../support/app-harness.ts';

/** Folders under src/handlers that belong to no single area. */
const SHARED_HANDLER_FOLDERS = ['builtin', 'alerts'];
/** Top-level config keys that belong to no single area. */
const SHARED_CONFIG = ['language', 'timezone', 'database', 'log', 'health', 'telegram', 'discord', 'console', 'alerts'];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

describe('the area list', () => {
  test('ids are unique and each area has its handlers/<id>/ folder and wiring/<id>.ts', () => {
    const ids = AREAS.map((a) => a.id);
    assert.equal(new Set(ids).size, ids.length);
    const parts = AREAS.flatMap((a) => a.parts ?? []);
    const folders = readdirSync('src/handlers').filter((n) => statSync(join('src/handlers', n)).isDirectory());
    assert.deepEqual(
      folders.filter((f) => !SHARED_HANDLER_FOLDERS.includes(f)).sort(),
      [...ids, ...parts].sort(),
      'every handlers/ folder is an area (or a part of one) of the list',
    );
    for (const id of ids) assert.ok(statSync(`src/wiring/${id}.ts`).isFile(), `src/wiring/${id}.ts`);
  });

  test('every messages.ts fragment is in the catalogue, and area keys carry the area id', async () => {
    const catalogue = new Set(allMessageFragments);
    for (const file of files('src').filter((f) => /messages\.ts$/.test(f))) {
      const mod = (await import(join(process.cwd(), file))) as Record<string, unknown>;
      for (const [name, value] of Object.entries(mod))
        if (value && typeof value === 'object' && 'en' in value && 'es' in value)
          assert.ok(catalogue.has(value as never), `${name} of ${file} is not in the catalogue (add its area to src/wiring/areas.ts)`);
    }
    assert.equal(allMessageFragments.length, sharedMessageFragments.length + AREAS.flatMap((a) => a.messages).length);
    for (const a of AREAS) {
      const ids = [a.id, ...(a.parts ?? [])];
      for (const key of a.messages.flatMap((f) => Object.keys(f.en)))
        assert.ok(
          ids.some((id) => key.startsWith(`${id}.`) || key === `group.${id}`) || key.startsWith('alert.'),
          `${key} in the ${a.id} messages: keys start with "${a.id}." (or group.${a.id}, alert.)`,
        );
    }
  });

  test('every exported migration list is applied', async () => {
    const applied = new Set(allMigrations.map((m) => m.id));
    for (const file of files('src').filter((f) => f.endsWith('.ts'))) {
      if (!/export const \w+Migrations\b/.test(readFileSync(file, 'utf8'))) continue;
      const mod = (await import(join(process.cwd(), file))) as Record<string, unknown>;
      for (const [name, list] of Object.entries(mod))
        if (name.endsWith('Migrations') && Array.isArray(list))
          for (const m of list as { id: string }[]) assert.ok(applied.has(m.id), `${m.id} (${name} in ${file}) is never applied`);
    }
  });

  test('alert sources: the areas feed exactly the configurable ones (plus the engine’s own "backend")', () => {
    const fed = new Set<string>(['backend', ...AREAS.flatMap((a) => a.alertSources ?? [])]);
    assert.deepEqual([...fed].sort(), [...ALERT_SOURCES].sort());
    // Every source a rule in services/ raises is declared by some area.
    for (const file of files('src/services').filter((f) => f.endsWith('alerts.ts')))
      for (const [, source] of readFileSync(file, 'utf8').matchAll(/source: '([a-z]+)'/g))
        assert.ok(fed.has(source!), `${file} raises source "${source}" that no area declares`);
  });

  test('config sections: each belongs to one area or is shared, and each area names real sections', () => {
    const shape = configSchema.shape as Record<string, unknown>;
    const claimed = AREAS.flatMap((a) => a.configSections);
    for (const key of Object.keys(shape))
      assert.ok(SHARED_CONFIG.includes(key) || claimed.includes(key), `config section "${key}" belongs to no area`);
    for (const path of claimed) {
      const [top, sub] = path.split('.');
      assert.ok(top! in shape, `${path} is not a config section`);
      if (sub) assert.match(JSON.stringify(Object.keys(unwrap(shape[top!]))), new RegExp(`"${sub}"`), `${path} is not a config section`);
    }
  });

  test('demo: every simulated backend in src/demo/ is named by one area, and every area that polls a backend names one', async () => {
    const named = await Promise.all(AREAS.map(async (a) => ({ id: a.id, demo: await a.demo?.() })));
    for (const file of readdirSync('src/demo').filter((f) => f.endsWith('-backend.ts'))) {
      const mod = (await import(join(process.cwd(), 'src/demo', file))) as Record<string, unknown>;
      const exported = Object.values(mod).filter((v): v is object => typeof v === 'object' && v !== null && 'start' in v);
      assert.ok(exported.length > 0, `${file} exports no demo backend`);
      for (const backend of exported) {
        const owners = named.filter((n) => n.demo === backend).map((n) => n.id);
        assert.equal(
          owners.length,
          1,
          `src/demo/${file} is named by ${owners.length} areas (${owners.join(', ')}): add \`demo\` to one descriptor`,
        );
      }
    }
    for (const a of AREAS)
      if (Object.keys(a.backends ?? {}).length > 0) assert.ok(a.demo, `the ${a.id} area polls a backend but names no demo backend`);
  });

  describe('built against the simulated homelab', () => {
    let h: Awaited<ReturnType<typeof startDemoTestApp>>;
    before(async () => {
      h = await startDemoTestApp();
    });
    after(async () => h.close());

    test('each module is named by its area id; its commands use the id as permission prefix and help group', () => {
      const areas = new Map(AREAS.map((a) => [a.id, a]));
      const areaModules = h.app.modules.filter((m) => areas.has(m.name));
      assert.ok(areaModules.length >= 7, `modules: ${h.app.modules.map((m) => m.name).join(', ')}`);
      for (const m of areaModules)
        for (const c of m.commands) {
          const ids = [m.name, ...(areas.get(m.name)?.parts ?? [])];
          // The people area also holds the bot's self-service permissions (/link, /setup, asking an admin).
          const prefixes = [...ids.map((id) => `${id}.`), ...(m.name === 'permissions' ? ['bot.'] : [])];
          assert.ok(
            prefixes.some((p) => c.permission.startsWith(p)),
            `/${c.name} (${m.name}) has permission ${c.permission}`,
          );
          assert.ok(ids.includes(c.group), `/${c.name} help group ${c.group}`);
        }
    });

    test('the demo homelab configures every config section of every area that polls a backend', () => {
      for (const a of AREAS.filter((x) => Object.keys(x.backends ?? {}).length > 0))
        for (const path of a.configSections) {
          const value = path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], h.labConfig);
          assert.ok(value, `demo mode has no "${path}" section for the ${a.id} area`);
        }
    });

    test('every alert feed backend is declared by an area (label, what it runs on)', () => {
      const backends = backendsOf(AREAS);
      for (const m of h.app.modules)
        for (const f of m.alertFeeds ?? []) {
          const info = backends.get(f.backend);
          assert.ok(info, `${m.name} feeds backend "${f.backend}" that no area declares`);
          assert.ok(h.app.messages.has(info.labelKey), info.labelKey);
          if (info.runsOn) assert.ok(backends.has(info.runsOn), `${f.backend} runs on unknown ${info.runsOn}`);
        }
    });
  });
});

/** The object shape behind optional/default wrappers of a zod schema. */
function unwrap(schema: unknown): Record<string, unknown> {
  let s = schema as { shape?: Record<string, unknown>; _def?: { innerType?: unknown } };
  while (!s.shape && s._def?.innerType) s = s._def.innerType as typeof s;
  return s.shape ?? {};
}
