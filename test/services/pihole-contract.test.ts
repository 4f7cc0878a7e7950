/**
 * Contract test: the fake Pi-hole must not invent routes or fields. Every route it serves
 * must exist in the FTL OpenAPI spec with the same method, and every key (recursively) of
 * its main replies must be declared there with a compatible type. Reads the read-only spec
 * files from ../shared/reference when present; skips with the reason otherwise.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { parse } from 'yaml';
import { PIHOLE_FAKE_ROUTES, startFakePihole, type FakePihole } from '../../src/demo/pihole.ts';

const SPEC_DIR = fileURLToPath(new URL('../../../shared/reference/pihole-openapi/', import.meta.url));
const present = existsSync(join(SPEC_DIR, 'main.yaml'));
const skip = present ? false : `Pi-hole OpenAPI spec not found at ${SPEC_DIR}`;

type Node = Record<string, unknown>;
const files = new Map<string, Node>();

function load(file: string): Node {
  let doc = files.get(file);
  if (!doc) {
    doc = parse(readFileSync(join(SPEC_DIR, file), 'utf8')) as Node;
    files.set(file, doc);
  }
  return doc;
}

/** Follows `$ref: 'file.yaml#/a/b'` (and local `#/a/b`) until a plain node. */
function deref(node: unknown, file: string): { node: Node; file: string } {
  let cur = node as Node;
  let f = file;
  for (let i = 0; i < 20 && cur && typeof cur.$ref === 'string'; i++) {
    const [target, pointer = ''] = (cur.$ref as string).split('#');
    if (target) f = target;
    let n: unknown = load(f);
    for (const part of pointer.split('/').filter(Boolean)) n = (n as Node)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
    cur = n as Node;
  }
  assert.ok(cur, `unresolvable $ref in ${file}`);
  return { node: cur, file: f };
}

interface Shape {
  types: Set<string>;
  nullable: boolean;
  props: Map<string, { node: unknown; file: string }>;
  items?: { node: unknown; file: string };
}

/** Merges allOf/oneOf/anyOf parts into one view of the schema. */
function shape(schema: unknown, file: string, acc: Shape = { types: new Set(), nullable: false, props: new Map() }): Shape {
  const { node, file: f } = deref(schema, file);
  if (typeof node.type === 'string') acc.types.add(node.type);
  if (node.nullable === true) acc.nullable = true;
  for (const [k, v] of Object.entries((node.properties as Node | undefined) ?? {})) acc.props.set(k, { node: v, file: f });
  if (node.items) acc.items = { node: node.items, file: f };
  for (const key of ['allOf', 'oneOf', 'anyOf']) {
    for (const part of (node[key] as unknown[] | undefined) ?? []) shape(part, f, acc);
  }
  return acc;
}

function typeOk(value: unknown, s: Shape): boolean {
  if (value === null) return s.nullable || s.types.size === 0;
  if (s.types.size === 0) return true;
  const t = Array.isArray(value) ? 'array' : typeof value;
  return [...s.types].some((st) => st === t || (st === 'integer' && Number.isInteger(value)) || (st === 'number' && t === 'number'));
}

/** Every key of `value` must be declared (where the spec declares properties), recursively. */
function conforms(value: unknown, schema: unknown, file: string, where: string, problems: string[]): void {
  const s = shape(schema, file);
  if (!typeOk(value, s)) problems.push(`${where}: ${JSON.stringify(value)} is not ${[...s.types].join('|')}${s.nullable ? '|null' : ''}`);
  if (Array.isArray(value) && s.items) {
    for (const [i, item] of value.slice(0, 5).entries()) conforms(item, s.items.node, s.items.file, `${where}[${i}]`, problems);
  } else if (value && typeof value === 'object' && s.props.size > 0) {
    for (const [k, v] of Object.entries(value)) {
      const p = s.props.get(k);
      if (!p) problems.push(`${where}.${k} is not declared in the spec`);
      else conforms(v, p.node, p.file, `${where}.${k}`, problems);
    }
  }
}

function operation(specPath: string, method: string): { node: Node; file: string } | undefined {
  const paths = load('main.yaml').paths as Node;
  if (!paths[specPath]) return undefined;
  const item = deref(paths[specPath], 'main.yaml');
  const op = item.node[method];
  return op ? { node: op as Node, file: item.file } : undefined;
}

function responseSchema(specPath: string, method: string, status: number): { node: unknown; file: string } {
  const op = operation(specPath, method);
  assert.ok(op, `${method.toUpperCase()} ${specPath} missing in spec`);
  const responses = op.node.responses as Node;
  const r = responses[String(status)];
  assert.ok(r, `${method.toUpperCase()} ${specPath} has no ${status} response in the spec`);
  const resolved = deref(r, op.file);
  const content = (resolved.node.content as Node | undefined)?.['application/json'] as Node | undefined;
  assert.ok(content?.schema, `${method.toUpperCase()} ${specPath} ${status} has no JSON schema`);
  return { node: content.schema, file: resolved.file };
}

describe('fake Pi-hole vs the FTL OpenAPI spec', { skip }, () => {
  let fake: FakePihole;
  let sid = '';
  const call = async (method: string, path: string, body?: unknown, auth = true) => {
    const res = await fetch(`${fake.url}/api${path}`, {
      method,
      headers: { ...(auth ? { 'X-FTL-SID': sid } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, json: text ? (JSON.parse(text) as unknown) : undefined };
  };

  before(async () => {
    fake = await startFakePihole({ password: 'pw', maxSessions: 2 });
    const login = await call('POST', '/auth', { password: 'pw' }, false);
    sid = (login.json as { session: { sid: string } }).session.sid;
  });
  after(async () => fake.close());

  for (const r of PIHOLE_FAKE_ROUTES) {
    test(`${r.method.toUpperCase()} ${r.specPath} exists in the spec`, () => {
      assert.ok(operation(r.specPath, r.method), `${r.method.toUpperCase()} ${r.specPath} is not in main.yaml`);
    });
  }

  const cases: { name: string; method: string; path: string; spec: string; status: number; body?: unknown; auth?: boolean }[] = [
    { name: 'login', method: 'POST', path: '/auth', spec: '/auth', status: 200, body: { password: 'pw' }, auth: false },
    { name: 'session status', method: 'GET', path: '/auth', spec: '/auth', status: 200 },
    { name: 'sessions list', method: 'GET', path: '/auth/sessions', spec: '/auth/sessions', status: 200 },
    { name: 'blocking status', method: 'GET', path: '/dns/blocking', spec: '/dns/blocking', status: 200 },
    {
      name: 'pause blocking',
      method: 'POST',
      path: '/dns/blocking',
      spec: '/dns/blocking',
      status: 200,
      body: { blocking: false, timer: 300 },
    },
    { name: 'summary', method: 'GET', path: '/stats/summary', spec: '/stats/summary', status: 200 },
    { name: 'top blocked', method: 'GET', path: '/stats/top_domains?blocked=true&count=5', spec: '/stats/top_domains', status: 200 },
    { name: 'top clients', method: 'GET', path: '/stats/top_clients?count=5', spec: '/stats/top_clients', status: 200 },
    { name: 'recent blocked', method: 'GET', path: '/stats/recent_blocked?count=3', spec: '/stats/recent_blocked', status: 200 },
    { name: 'query log', method: 'GET', path: '/queries?upstream=blocklist&length=5', spec: '/queries', status: 200 },
    { name: 'list domains', method: 'GET', path: '/domains/allow/exact', spec: '/domains/{type}/{kind}/{domain}', status: 200 },
    {
      name: 'add domain',
      method: 'POST',
      path: '/domains/allow/exact',
      spec: '/domains/{type}/{kind}',
      status: 201,
      body: { domain: 'contract.example', comment: 'x' },
    },
    {
      name: 'duplicate domain',
      method: 'POST',
      path: '/domains/allow/exact',
      spec: '/domains/{type}/{kind}',
      status: 400,
      body: { domain: 'contract.example' },
    },
    { name: 'unauthenticated', method: 'GET', path: '/stats/summary', spec: '/stats/summary', status: 401, auth: false },
    { name: 'seats exceeded', method: 'POST', path: '/auth', spec: '/auth', status: 429, body: { password: 'pw' }, auth: false },
  ];
  for (const c of cases) {
    test(`${c.name}: ${c.method} ${c.path} → ${c.status} matches the declared shape`, async () => {
      if (c.status === 429) fake.occupyAllSeats();
      const res = await call(c.method, c.path, c.body, c.auth ?? true);
      assert.equal(res.status, c.status);
      const schema = responseSchema(c.spec, c.method.toLowerCase(), c.status);
      const problems: string[] = [];
      conforms(res.json, schema.node, schema.file, 'body', problems);
      assert.deepEqual(problems, []);
    });
  }

  test('the checker itself notices an undeclared key', () => {
    const schema = responseSchema('/dns/blocking', 'get', 200);
    const problems: string[] = [];
    conforms({ blocking: 'enabled', timer: null, took: 0.1, paused_by: 'bot' }, schema.node, schema.file, 'body', problems);
    assert.deepEqual(problems, ['body.paused_by is not declared in the spec']);
    const wrongType: string[] = [];
    conforms({ blocking: 'enabled', timer: 'soon' }, schema.node, schema.file, 'body', wrongType);
    assert.equal(wrongType.length, 1);
  });
});
