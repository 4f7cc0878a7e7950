import { readFileSync } from 'node:fs';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type * as z from 'zod';
import { configSchema, SECRET_KEYS, type Config } from './config-schema.ts';
import { nearest } from './suggest.ts';

export { configSchema, type Config } from './config-schema.ts';

/** One problem in the configuration, with the key path it concerns. */
export interface ConfigProblem {
  readonly path: string;
  readonly message: string;
}

/** A config file's outcome: the config and its secrets (to mask in logs), or every problem found. */
export type ConfigResult =
  { readonly ok: true; readonly config: Config; readonly secrets: string[] } | { readonly ok: false; readonly problems: ConfigProblem[] };

type Env = Readonly<Record<string, string | undefined>>;

/** Reads, interpolates and validates a YAML config file. */
export function loadConfigFile(path: string, env: Env = process.env): ConfigResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    return { ok: false, problems: [{ path: '(file)', message: `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}` }] };
  }
  return parseConfigText(text, env, (p) => readFileSync(p, 'utf8'));
}

/** Parses config text: YAML → `${VAR}` interpolation → `*_FILE` secrets → zod validation. */
export function parseConfigText(
  text: string,
  env: Env = process.env,
  readFile: (path: string) => string = (p) => readFileSync(p, 'utf8'),
): ConfigResult {
  let raw: unknown;
  try {
    raw = parseYaml(text) ?? {};
  } catch (e) {
    const where = e instanceof YAMLParseError && e.linePos ? `line ${e.linePos[0].line}` : '(file)';
    return { ok: false, problems: [{ path: where, message: `not valid YAML: ${(e as Error).message.split('\n')[0]}` }] };
  }
  const problems: ConfigProblem[] = [];
  const resolved = resolveValues(raw, [], env, readFile, problems);
  if (problems.length) return { ok: false, problems };
  // Parsed once per start: zod's JIT would first compile a parser for every object of the schema.
  const parsed = configSchema.safeParse(resolved, { jitless: true });
  if (!parsed.success) return { ok: false, problems: describeIssues(parsed.error.issues, resolved) };
  return { ok: true, config: parsed.data, secrets: collectSecrets(parsed.data) };
}

/** Validates an already-built object (demo mode, tests). */
export function validateConfig(raw: unknown): ConfigResult {
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, problems: describeIssues(parsed.error.issues, raw) };
  return { ok: true, config: parsed.data, secrets: collectSecrets(parsed.data) };
}

function resolveValues(value: unknown, path: string[], env: Env, readFile: (p: string) => string, problems: ConfigProblem[]): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{(\w+)\}/g, (_, name: string) => {
      const v = envValue(name, env, readFile);
      if (typeof v === 'string') return v;
      problems.push({ path: path.join('.'), message: v.problem });
      return '';
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => resolveValues(v, [...path, String(i)], env, readFile, problems));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const resolvedValue = resolveValues(v, [...path, k], env, readFile, problems);
      // Docker-secrets style: `password_FILE: /run/secrets/x` becomes `password: <file contents>`.
      if (k.endsWith('_FILE')) {
        const key = k.slice(0, -'_FILE'.length);
        const where = [...path, k].join('.');
        if (typeof resolvedValue !== 'string') {
          problems.push({ path: where, message: 'expected a file path' });
          continue;
        }
        try {
          out[key] = readFile(resolvedValue).trim();
        } catch (e) {
          problems.push({ path: where, message: `cannot read ${resolvedValue}: ${(e as NodeJS.ErrnoException).code ?? 'error'}` });
        }
      } else {
        out[k] = resolvedValue;
      }
    }
    return out;
  }
  return value;
}

/**
 * `${NAME}` reads the environment variable NAME or, when only `NAME_FILE` is set, the file it
 * names (the Docker-secrets convention of the official images): the compose file mounts
 * /run/secrets/x and sets `NAME_FILE`, and one example config serves Docker and `npm start`.
 */
function envValue(name: string, env: Env, readFile: (p: string) => string): string | { problem: string } {
  const direct = env[name];
  if (direct !== undefined) return direct;
  const file = env[`${name}_FILE`];
  if (file === undefined) return { problem: `environment variable ${name} is not set` };
  try {
    return readFile(file).trim();
  } catch (e) {
    return { problem: `cannot read ${file} (from ${name}_FILE): ${(e as NodeJS.ErrnoException).code ?? 'error'}` };
  }
}

/** zod issues in words a person fixing a YAML file can act on: no zod jargon, never a secret value. */
function describeIssues(issues: readonly z.core.$ZodIssue[], input: unknown): ConfigProblem[] {
  return issues.flatMap((i): ConfigProblem[] => {
    const path = i.path.length ? i.path.map(String).join('.') : '(root)';
    if (i.code === 'unrecognized_keys') {
      const known = keysAt(configSchema, i.path);
      return i.keys.map((k) => {
        const guess = nearest(k, known);
        return {
          path: path === '(root)' ? k : `${path}.${k}`,
          message: guess ? `unknown key: did you mean ${guess}?` : `unknown key (known here: ${known.join(', ')})`,
        };
      });
    }
    const value = valueAt(input, i.path);
    if (i.code === 'invalid_type') {
      if (value === undefined) return [{ path, message: 'is required' }];
      const ownerIdHelp = ownerIdAdvice(i.path, value);
      if (ownerIdHelp) return [{ path, message: ownerIdHelp }];
      return [{ path, message: `expected ${article(i.expected)}, not ${describeValue(value)}` }];
    }
    if (i.code === 'invalid_value') return [{ path, message: `must be one of: ${i.values.map(String).join(', ')}` }];
    if (i.code === 'invalid_format' || i.code === 'too_small' || i.code === 'too_big') {
      const ownerIdHelp = ownerIdAdvice(i.path, value);
      if (ownerIdHelp) return [{ path, message: ownerIdHelp }];
    }
    // Our own messages (refinements, regex hints) are already written for people.
    return [{ path, message: i.message.replace(/^Invalid input: /, '') }];
  });
}

/** "@myname" or a name where a numeric owner id belongs: say how to find the number. */
function ownerIdAdvice(path: readonly PropertyKey[], value: unknown): string | undefined {
  if (path[1] !== 'ownerIds' || typeof value !== 'string') return undefined;
  if (path[0] === 'telegram')
    return 'a Telegram user id is a number, not a @username: send /start to @userinfobot, or /whoami to this bot, to see yours';
  if (path[0] === 'discord')
    return 'a Discord user id is a long number: turn on Developer Mode (Settings → Advanced), then right-click your name → Copy User ID';
  return undefined;
}

const article = (type: string): string =>
  ({ number: 'a number', string: 'text', boolean: 'true or false', array: 'a list', object: 'a section (key: value lines)' })[type] ?? type;

function describeValue(v: unknown): string {
  if (Array.isArray(v)) return 'a list';
  if (v === null) return 'empty';
  return article(typeof v);
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v = root;
  for (const k of path) v = v && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined;
  return v;
}

/** The keys a schema object accepts at a path (through optional/default wrappers and arrays). */
function keysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let s: z.ZodType | undefined = schema;
  const unwrap = (x: z.ZodType): z.ZodType => {
    for (;;) {
      const def = (x as unknown as { _zod: { def: { type: string; innerType?: z.ZodType; element?: z.ZodType; in?: z.ZodType } } })._zod
        .def;
      if (def.innerType) x = def.innerType;
      else if (def.type === 'pipe' && def.in) x = def.in;
      else return x;
    }
  };
  for (const k of path) {
    if (!s) return [];
    s = unwrap(s);
    const def = (s as unknown as { _zod: { def: { type: string; element?: z.ZodType; shape?: Record<string, z.ZodType> } } })._zod.def;
    s = def.type === 'array' ? def.element : def.shape?.[String(k)];
  }
  if (!s) return [];
  const def = (unwrap(s) as unknown as { _zod: { def: { shape?: Record<string, z.ZodType> } } })._zod.def;
  return Object.keys(def.shape ?? {});
}

/** Every secret value in the config, so the logger can mask it wherever it appears. */
export function collectSecrets(config: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown, key: string): void => {
    if (typeof v === 'string') {
      if (SECRET_KEYS.test(key) && v) out.push(v);
    } else if (Array.isArray(v)) v.forEach((x) => walk(x, key));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, k);
  };
  walk(config, '');
  return out;
}

/** A deep copy with every secret replaced by `[REDACTED]`, for logging the config. */
export function redactConfig<T>(config: T): T {
  const walk = (v: unknown, key: string): unknown => {
    if (typeof v === 'string') return SECRET_KEYS.test(key) ? '[REDACTED]' : v;
    if (Array.isArray(v)) return v.map((x) => walk(x, key));
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, k)]));
    return v;
  };
  return walk(config, '') as T;
}

/** Human-readable list of problems, one per line. */
export function formatProblems(problems: readonly ConfigProblem[]): string {
  return problems.map((p) => `  ${p.path}: ${p.message}`).join('\n');
}
