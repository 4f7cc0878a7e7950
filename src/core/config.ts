import { readFileSync } from 'node:fs';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { z } from 'zod';
import { configSchema, SECRET_KEYS, type Config } from './config-schema.ts';

export { configSchema, type Config } from './config-schema.ts';

/** One problem in the configuration, with the key path it concerns. */
export interface ConfigProblem {
  readonly path: string;
  readonly message: string;
}

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
  const parsed = configSchema.safeParse(resolved);
  if (!parsed.success) return { ok: false, problems: describeIssues(parsed.error.issues) };
  return { ok: true, config: parsed.data, secrets: collectSecrets(parsed.data) };
}

/** Validates an already-built object (demo mode, tests). */
export function validateConfig(raw: unknown): ConfigResult {
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, problems: describeIssues(parsed.error.issues) };
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

function describeIssues(issues: readonly z.core.$ZodIssue[]): ConfigProblem[] {
  return issues.map((i) => {
    const path = i.path.length ? i.path.map(String).join('.') : '(root)';
    if (i.code === 'unrecognized_keys') {
      return { path, message: `unknown key(s): ${i.keys.join(', ')}` };
    }
    // zod's message for wrong types already names what was expected; never echo the value.
    return { path, message: i.message };
  });
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
