/**
 * The command registry as Discord slash commands: each argument definition becomes an option
 * (integers with their range, choices as Discord choices, durations as text with suggestions,
 * named completion sources as autocomplete), with English descriptions and Spanish
 * localisations. Slash option values come back as the raw strings the pipeline parses.
 */
import type { APIApplicationCommandOption, RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';
import type { Language, MessageKey } from '../../core/i18n.ts';
import { formatDurationShort, unquoteValue, type ArgDef } from '../../handlers/args.ts';
import type { AnyCommand } from '../../handlers/command.ts';

/** Looks a message key up in a language (the default language when omitted). */
export type Describe = (key: MessageKey, lang?: Language) => string;

/** Discord allows 100 chat-input commands per scope. */
export const MAX_COMMANDS = 100;

/** Built-in completion sources the adapter answers itself. */
export const DURATION_SOURCE = '$duration';
/** Completion source answering a choice argument's values (the adapter's own, like DURATION_SOURCE). */
export const CHOICE_SOURCE = '$choice';

const OPTION = { string: 3, integer: 4 } as const;
/** Discord's integer option range (it rejects min/max beyond ±2^53). */
const SAFE = Number.MAX_SAFE_INTEGER;

const text = (s: string, fallback: string): string => {
  const t = s.trim() || fallback;
  return t.length <= 100 ? t : `${t.slice(0, 99)}…`;
};

/** Spanish descriptions as Discord localisations, when they differ from the default. */
function localised(describe: Describe, key: MessageKey, fallback: string): Record<string, string> | undefined {
  const es = text(describe(key, 'es'), fallback);
  if (es === text(describe(key), fallback)) return undefined;
  return { 'es-ES': es, 'es-419': es };
}

/** The completion source of an argument, if it has one. */
export function completionSource(def: ArgDef<unknown>): string | undefined {
  if (def.autocomplete) return def.autocomplete;
  if (def.kind === 'duration') return DURATION_SOURCE;
  if (def.kind === 'choice' && (def.choices?.length ?? 0) > 25) return CHOICE_SOURCE;
  return undefined;
}

function option(name: string, def: ArgDef<unknown>, describe: Describe): APIApplicationCommandOption {
  const description = text(describe(def.descriptionKey), name);
  const loc = localised(describe, def.descriptionKey, name);
  const base = { name, description, required: def.required, ...(loc ? { description_localizations: loc } : {}) };
  const source = completionSource(def);
  if (def.kind === 'integer') {
    const range = {
      ...(def.min !== undefined && def.min > -SAFE ? { min_value: def.min } : {}),
      ...(def.max !== undefined && def.max < SAFE ? { max_value: def.max } : {}),
    };
    return { ...base, type: OPTION.integer, ...range, ...(source ? { autocomplete: true } : {}) } as APIApplicationCommandOption;
  }
  if (def.kind === 'choice' && !source) {
    const choices = (def.choices ?? []).map((c) => ({ name: c, value: c }));
    return { ...base, type: OPTION.string, choices } as APIApplicationCommandOption;
  }
  return { ...base, type: OPTION.string, ...(source ? { autocomplete: true } : {}) } as APIApplicationCommandOption;
}

/** One slash command; required options first, as Discord requires. */
export function slashCommand(c: AnyCommand, describe: Describe): RESTPostAPIChatInputApplicationCommandsJSONBody {
  const entries = Object.entries(c.args as Record<string, ArgDef<unknown>>);
  const ordered = [...entries.filter(([, d]) => d.required), ...entries.filter(([, d]) => !d.required)];
  const loc = localised(describe, c.summaryKey, c.name);
  return {
    type: 1,
    name: c.name,
    description: text(describe(c.summaryKey), c.name),
    ...(loc ? { description_localizations: loc } : {}),
    options: ordered.map(([name, def]) => option(name, def, describe)),
  };
}

/** Every listed command of the registry as slash commands (hidden, button-only ones are left out). */
export function slashCommands(commands: readonly AnyCommand[], describe: Describe): RESTPostAPIChatInputApplicationCommandsJSONBody[] {
  return commands
    .filter((c) => !c.hidden)
    .slice(0, MAX_COMMANDS)
    .map((c) => slashCommand(c, describe));
}

/** A received option (discord.js `CommandInteractionOption` shape, reduced to what we read). */
export interface ReceivedOption {
  readonly name: string;
  readonly value?: string | number | boolean | undefined;
  readonly options?: readonly ReceivedOption[] | undefined;
}

/** Slash option values as the raw strings the pipeline parses with the same definitions as text. */
export function optionsToRaw(options: readonly ReceivedOption[]): Record<string, string> {
  const raw: Record<string, string> = {};
  for (const o of options) {
    if (o.options) Object.assign(raw, optionsToRaw(o.options));
    else if (o.value !== undefined) raw[o.name] = unquoteValue(String(o.value));
  }
  return raw;
}

/** Suggestions for a duration argument: common lengths within its range that start with what was typed. */
export function durationSuggestions(def: ArgDef<unknown>, typed: string): string[] {
  const common = [15 * 60_000, 30 * 60_000, 3_600_000, 2 * 3_600_000, 4 * 3_600_000, 8 * 3_600_000, 86_400_000, 7 * 86_400_000];
  const inRange = common.filter((ms) => ms >= (def.min ?? 0) && ms <= (def.max ?? Number.POSITIVE_INFINITY));
  const labels = inRange.map((ms) => formatDurationShort(ms).replace(/\s+/g, ''));
  const t = typed.trim().toLowerCase();
  // What the user typed is itself a candidate when it parses.
  const parsed = t ? def.parse(t) : undefined;
  const own = parsed?.ok && typeof parsed.value === 'number' ? [formatDurationShort(parsed.value).replace(/\s+/g, '')] : [];
  return [...new Set([...own, ...labels.filter((l) => l.startsWith(t))])];
}
