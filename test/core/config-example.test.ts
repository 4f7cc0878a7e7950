/** data/config.example.yaml must validate and document every key the schema knows. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parse } from 'yaml';
import * as z from 'zod';
import { configSchema, parseConfigText } from '../../src/core/config.ts';

const text = readFileSync('data/config.example.yaml', 'utf8');
const env = Object.fromEntries([...text.matchAll(/\$\{(\w+)\}/g)].map((m) => [m[1], `example-${m[1]}-value-123456`]));
/** Alternatives are documented as commented-out keys (`# password: …`); uncommenting them shows every key. */
const documented = (source: string): string =>
  source
    .split('\n')
    .map((line) => {
      for (let m = /^(\s*)# ?(.*)$/.exec(line); m && /^\s*(#|[A-Za-z_]\w*:(\s|$))/.test(m[2]!); m = /^(\s*)# ?(.*)$/.exec(line))
        line = m[1]! + m[2]!;
      return line;
    })
    .join('\n');

test('the example config shows one form per key: no side-by-side alternatives, one Telegram id place', () => {
  const active = parse(text) as Record<string, Record<string, unknown>>;
  assert.equal(active.mdadm, undefined, 'omv and mdadm are alternatives');
  assert.equal(active.proxmox?.password, undefined, 'token or password, not both');
  assert.equal(active.nextcloud?.serverinfoToken, undefined);
  const sshAuth = (ssh: unknown): string[] => ['privateKey', 'privateKeyPath', 'password'].filter((k) => k in (ssh as object));
  assert.equal(sshAuth((active.nextcloud?.occ as { ssh: unknown }).ssh).length, 1, 'one SSH auth form');
  assert.equal(sshAuth((active.alerts?.offsite as { ssh: unknown }).ssh).length, 1, 'one SSH auth form');
  assert.equal([...text.matchAll(/^[^#\n]*123456789(?!\d)/gm)].length, 1, 'your Telegram id appears once');
  const omv = active.omv as { url: string; fingerprint?: string };
  assert.ok(!(omv.url.startsWith('http:') && omv.fingerprint), 'no certificate fingerprint on an http URL');
});

test('the example config is valid', () => {
  const withToken = { ...env, TELEGRAM_TOKEN: '123456:ExampleTokenExampleToken', DISCORD_TOKEN: 'discord-example-token-1234567890' };
  const r = parseConfigText(text, withToken);
  assert.ok(r.ok, JSON.stringify(!r.ok && r.problems));
});

/** Every key path of the schema (arrays and records collapse to their element). */
function schemaPaths(schema: z.ZodType, prefix: string, out: Set<string>): void {
  let s: z.ZodType = schema;
  for (;;) {
    const def = (s as unknown as { _zod: { def: { type: string; innerType?: z.ZodType; element?: z.ZodType; left?: z.ZodType } } })._zod
      .def;
    if (def.type === 'optional' || def.type === 'default' || def.type === 'nullable' || def.type === 'prefault') s = def.innerType!;
    else if (def.type === 'array') s = def.element!;
    else break;
  }
  if (s instanceof z.ZodObject) {
    for (const [k, v] of Object.entries(s.shape as Record<string, z.ZodType>)) {
      const p = prefix ? `${prefix}.${k}` : k;
      out.add(p);
      schemaPaths(v, p, out);
    }
  }
}

function yamlPaths(v: unknown, prefix: string, out: Set<string>): void {
  if (Array.isArray(v)) v.forEach((x) => yamlPaths(x, prefix, out));
  else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      const p = prefix ? `${prefix}.${k}` : k;
      out.add(p);
      // Records (downloadDirs) have user-chosen keys: do not descend.
      if (p !== 'transmission.downloadDirs') yamlPaths(x, p, out);
    }
  }
}

test('the example config documents every key', () => {
  const expected = new Set<string>();
  schemaPaths(configSchema, '', expected);
  const present = new Set<string>();
  yamlPaths(parse(documented(text), { uniqueKeys: false }), '', present);
  const missing = [...expected].filter((p) => !present.has(p) && !p.startsWith('transmission.downloadDirs.'));
  assert.deepEqual(missing, [], `keys missing from data/config.example.yaml: ${missing.join(', ')}`);
});
