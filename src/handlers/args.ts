/**
 * Argument definitions: pure parsers from one text token (or a Discord option value) to a
 * typed value (Sapphire's resolver idea). The same definition drives text parsing,
 * Discord slash options and /help usage lines.
 */
import type { MessageKey } from '../core/i18n.ts';

/** A failed parse: a message key and its params, shown to the user. */
export interface ArgError {
  readonly key: MessageKey;
  readonly params: Readonly<Record<string, string | number>>;
}

/** A parsed value, or the message key and params saying what is wrong with the input. */
export type ArgResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ArgError };

/** How the argument appears on Discord. */
export type ArgKind = 'string' | 'integer' | 'duration' | 'choice';

/** One argument of a command: how it is parsed, described, completed and shown on Discord. */
export interface ArgDef<T> {
  readonly kind: ArgKind;
  /** Message key describing the argument (help, Discord option description). */
  readonly descriptionKey: MessageKey;
  readonly required: boolean;
  /** Takes the rest of the line (last argument only). */
  readonly rest?: boolean;
  readonly choices?: readonly string[];
  /** Name of a completion source for Discord autocomplete (e.g. 'guest', 'torrent', 'domain'). */
  readonly autocomplete?: string;
  readonly min?: number;
  readonly max?: number;
  parse(raw: string): ArgResult<T>;
}

/** A command's arguments by name, in the order they are typed. */
export type ArgDefs = Readonly<Record<string, ArgDef<unknown>>>;

/** The parsed values of a command's arguments; optional ones may be undefined. */
export type ParsedArgs<A extends ArgDefs> = {
  -readonly [K in keyof A]: A[K] extends ArgDef<infer T> ? (A[K]['required'] extends true ? T : T | undefined) : never;
};

const ok = <T>(value: T): ArgResult<T> => ({ ok: true, value });
const fail = (key: MessageKey, params: Record<string, string | number> = {}): ArgResult<never> => ({ ok: false, error: { key, params } });

interface Common {
  descriptionKey: MessageKey;
  autocomplete?: string;
}

/** A free string, trimmed, 1..maxLength characters, optionally matching a pattern. */
function string<R extends boolean = true>(
  o: Common & { required?: R; rest?: boolean; maxLength?: number; pattern?: RegExp },
): ArgDef<string> & { required: NoInfer<R> } {
  const maxLength = o.maxLength ?? 200;
  return {
    kind: 'string',
    descriptionKey: o.descriptionKey,
    required: (o.required ?? true) as R,
    ...(o.rest ? { rest: true } : {}),
    ...(o.autocomplete ? { autocomplete: o.autocomplete } : {}),
    parse(raw) {
      const v = raw.trim();
      if (!v) return fail('args.empty');
      if (v.length > maxLength) return fail('args.tooLong', { max: maxLength });
      if (o.pattern && !o.pattern.test(v)) return fail('args.badFormat');
      return ok(v);
    },
  };
}

/** A whole number within [min, max]. */
function integer<R extends boolean = true>(
  o: Common & { required?: R; min?: number; max?: number },
): ArgDef<number> & { required: NoInfer<R> } {
  const min = o.min ?? Number.MIN_SAFE_INTEGER;
  const max = o.max ?? Number.MAX_SAFE_INTEGER;
  return {
    kind: 'integer',
    descriptionKey: o.descriptionKey,
    required: (o.required ?? true) as R,
    min,
    max,
    ...(o.autocomplete ? { autocomplete: o.autocomplete } : {}),
    parse(raw) {
      const v = raw.trim();
      if (!/^-?\d{1,15}$/.test(v)) return fail('args.notInteger', { value: v.slice(0, 20) });
      const n = Number(v);
      if (n < min || n > max) return fail('args.outOfRange', { min, max });
      return ok(n);
    },
  };
}

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Parses `90s`, `5m`, `1h30m`, `2d`, or a bare number of minutes, to milliseconds. */
export function parseDuration(raw: string): number | undefined {
  const v = raw.trim().toLowerCase();
  if (/^\d{1,6}$/.test(v)) return Number(v) * 60_000;
  if (!/^(\d{1,6}\s*(min|s|m|h|d|w)\s*)+$/.test(v)) return undefined;
  let total = 0;
  for (const m of v.matchAll(/(\d{1,6})\s*(min|s|m|h|d|w)/g)) total += Number(m[1]) * (UNIT_MS[m[2] ?? ''] ?? 0);
  return total > 0 ? total : undefined;
}

/** A duration such as `30m` or `2h`, in milliseconds, within [min, max]. */
function duration<R extends boolean = true>(
  o: Common & { required?: R; minMs?: number; maxMs?: number },
): ArgDef<number> & { required: NoInfer<R> } {
  const minMs = o.minMs ?? 1000;
  const maxMs = o.maxMs ?? 30 * 86_400_000;
  return {
    kind: 'duration',
    descriptionKey: o.descriptionKey,
    required: (o.required ?? true) as R,
    min: minMs,
    max: maxMs,
    parse(raw) {
      const ms = parseDuration(raw);
      if (ms === undefined) return fail('args.notDuration', { value: raw.trim().slice(0, 20) });
      if (ms < minMs || ms > maxMs) return fail('args.durationRange', { min: formatDurationShort(minMs), max: formatDurationShort(maxMs) });
      return ok(ms);
    },
  };
}

/** One of a fixed set of words (case-insensitive). */
function choice<const C extends readonly string[], R extends boolean = true>(
  choices: C,
  o: Common & { required?: R },
): ArgDef<C[number]> & { required: NoInfer<R> } {
  return {
    kind: 'choice',
    descriptionKey: o.descriptionKey,
    required: (o.required ?? true) as R,
    choices,
    parse(raw) {
      const v = raw.trim().toLowerCase();
      const hit = choices.find((c) => c.toLowerCase() === v);
      return hit ? ok(hit) : fail('args.notChoice', { choices: choices.join(', ') });
    },
  };
}

/** Short human duration (`1h 30m`) for messages and errors. */
export function formatDurationShort(ms: number): string {
  const parts: string[] = [];
  let rest = Math.round(ms / 1000);
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.slice(0, 2).join(' ') || '0s';
}

/** Argument definition builders. */
export const arg = { string, integer, duration, choice };

/** Splits a command line into tokens, honouring "double" and 'single' quotes. */
export function tokenize(text: string): string[] {
  if (text === '') return []; // most commands are typed bare
  const out: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (const m of text.matchAll(re)) out.push(m[1] ?? m[2] ?? m[3] ?? '');
  return out;
}

/** A typed command line: the command's name as the registry reads it, its argument text, Telegram's `@bot` addressee. */
export interface CommandLine {
  readonly name: string;
  readonly text: string;
  readonly addressee?: string;
}

/**
 * Reads `/name args…` (or Telegram's `/name@bot args…`); undefined when the line is no command.
 * The one reading of a typed line for every adapter and the test harness; `tokenize` splits its text.
 */
export function parseCommandLine(line: string): CommandLine | undefined {
  const m = /^\/([A-Za-z0-9_-]+)(?:@(\w+))?(?:\s+([\s\S]*))?$/.exec(line.trim());
  if (!m) return undefined;
  return { name: (m[1] ?? '').toLowerCase().replace(/_/g, '-'), text: m[3] ?? '', ...(m[2] ? { addressee: m[2] } : {}) };
}

/**
 * One named value (a Discord option) read like a command-line argument: a value the user wrapped
 * in quotes (`"Ana's phone"`) loses them, as `tokenize` drops them from a typed line.
 */
export function unquoteValue(value: string): string {
  const tokens = tokenize(value);
  return tokens.length === 1 && /^\s*(["'])[\s\S]*\1\s*$/.test(value) ? (tokens[0] ?? value) : value;
}

/**
 * Parses positional text into named raw strings following the definition order. The last
 * `rest` argument swallows the remaining text. Returns an error for missing or extra input.
 */
export function splitPositional(defs: ArgDefs, text: string): ArgResult<Record<string, string>> {
  const names = Object.keys(defs);
  const tokens = tokenize(text);
  const out: Record<string, string> = {};
  for (let i = 0; i < names.length; i++) {
    const name = names[i] as string;
    const def = defs[name] as ArgDef<unknown>;
    if (def.rest) {
      const remaining = tokens.slice(i);
      if (remaining.length) out[name] = remaining.join(' ');
      return ok(out);
    }
    const token = tokens[i];
    if (token !== undefined) out[name] = token;
  }
  if (tokens.length > names.length) return fail('args.tooMany', { max: names.length });
  return ok(out);
}

/** Parses named raw strings with their definitions; reports the first problem with its argument name. */
export function parseNamed<A extends ArgDefs>(defs: A, raw: Readonly<Record<string, string>>): ArgResult<ParsedArgs<A>> {
  // A key the command does not define is an error, never silently ignored: what runs is what was asked.
  const unknown = Object.keys(raw).find((k) => !Object.hasOwn(defs, k));
  if (unknown !== undefined) return fail('args.unknown', { name: unknown.slice(0, 32) });
  const out: Record<string, unknown> = {};
  for (const [name, def] of Object.entries(defs)) {
    const value = raw[name];
    if (value === undefined || value.trim() === '') {
      if (def.required) return fail('args.missing', { name });
      continue;
    }
    const r = def.parse(value);
    if (!r.ok) return { ok: false, error: { key: r.error.key, params: { ...r.error.params, name } } };
    out[name] = r.value;
  }
  return ok(out as ParsedArgs<A>);
}

/**
 * The arguments as they will run: only keys the command defines, values trimmed, empty ones
 * dropped. Valid input (parseNamed accepts it) parses to the same values from this form, so an
 * approval can store and show exactly what will run.
 */
export function normaliseArgs(defs: ArgDefs, raw: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(defs)) {
    const v = Object.hasOwn(raw, name) ? raw[name]?.trim() : undefined;
    if (v) out[name] = v;
  }
  return out;
}
