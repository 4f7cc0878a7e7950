// buildModules loads an area's code only when one of its config sections is present, so what an
// unconfigured area needs (its clients, handlers, schemas) is never read or parsed at start-up.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateConfig } from '../../src/core/config.ts';
import type { AreaDescriptor, FeatureModule, WiringContext } from '../../src/wiring/module.ts';
import { buildModules } from '../../src/wiring/modules.ts';

/** A descriptor that records whether its module code was loaded. */
function area(id: string, configSections: string[], loaded: string[]): AreaDescriptor {
  return {
    id,
    messages: [],
    configSections,
    load: async () => {
      loaded.push(id);
      return (): FeatureModule => ({ name: id, commands: [] });
    },
  };
}

function contextWith(raw: Record<string, unknown>): WiringContext {
  const r = validateConfig({ database: ':memory:', ...raw });
  assert.ok(r.ok, JSON.stringify(r));
  // buildModules reads only the config; the factories here ignore the rest of the context.
  return { config: r.config } as WiringContext;
}

test('only areas with a config section present are loaded, nested sections included, in area order', async () => {
  const loaded: string[] = [];
  const areas = [
    area('ups', ['nut'], loaded),
    area('pihole', ['pihole'], loaded),
    area('offsite', ['alerts.offsite'], loaded),
    area('nas', ['omv', 'mdadm'], loaded),
    area('permissions', ['permissions'], loaded),
  ];
  const ctx = contextWith({
    nut: { host: '127.0.0.1' },
    mdadm: { ssh: { host: '127.0.0.1', username: 'bot', password: 'x', hostKey: `SHA256:${'A'.repeat(43)}` } },
  });
  const built = await buildModules(ctx, areas);
  assert.deepEqual(loaded.sort(), ['nas', 'permissions', 'ups']);
  assert.deepEqual(
    built.all.map((m) => m.name),
    ['ups', 'nas', 'permissions'],
  );
  assert.equal(built.of(areas[1]!), undefined);
});
