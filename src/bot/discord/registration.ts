/**
 * Slash command registration: reads what Discord has, and only when it differs from the
 * registry overwrites it in bulk (PUT keeps the ids of same-named commands), so a restart
 * neither duplicates commands nor spends a write, and a changed registry is picked up.
 */
import { Routes, type REST } from 'discord.js';
import type { Logger } from '../../core/logger.ts';
import type { AnyCommand } from '../../handlers/command.ts';
import { slashCommands, type Describe } from './commands.ts';

type Json = Record<string, unknown>;

function canonicalOption(o: Json): Json {
  return {
    type: o.type,
    name: o.name,
    description: o.description,
    required: Boolean(o.required),
    autocomplete: Boolean(o.autocomplete),
    choices: ((o.choices as Json[] | undefined) ?? []).map((c) => ({ name: c.name, value: c.value })),
    min: o.min_value ?? null,
    max: o.max_value ?? null,
    loc: o.description_localizations ?? {},
    options: ((o.options as Json[] | undefined) ?? []).map(canonicalOption),
  };
}

/** What we control of a command, in a form that compares equal however Discord echoes it. */
function canonical(commands: readonly Json[]): string {
  const list = commands
    .map((c) => ({
      name: c.name,
      description: c.description,
      loc: c.description_localizations ?? {},
      options: ((c.options as Json[] | undefined) ?? []).map(canonicalOption),
    }))
    .sort((a, b) => String(a.name).localeCompare(String(b.name)));
  return JSON.stringify(list);
}

async function sync(rest: REST, appId: string, guild: string | undefined, desired: readonly Json[], log: Logger): Promise<void> {
  const route = guild ? Routes.applicationGuildCommands(appId, guild) : Routes.applicationCommands(appId);
  // Localisation dictionaries only come back when asked for; without them every restart
  // would see a difference and re-PUT every command.
  const existing = (await rest.get(route, { query: new URLSearchParams({ with_localizations: 'true' }) })) as Json[];
  const scope = guild ?? 'global';
  if (canonical(existing) === canonical(desired)) {
    log.debug({ scope, count: desired.length }, 'discord: slash commands up to date');
    return;
  }
  await rest.put(route, { body: desired });
  log.info({ scope, count: desired.length }, 'discord: slash commands registered');
}

/** Registers the registry's commands per guild (or globally), writing only what changed. */
export async function registerCommands(
  rest: REST,
  appId: string,
  commands: readonly AnyCommand[],
  o: { readonly guildId?: string; readonly globalCommands?: boolean; readonly describe: Describe },
  guildIds: readonly string[],
  log: Logger,
): Promise<void> {
  const desired = slashCommands(commands, o.describe) as unknown as Json[];
  const listed = commands.filter((c) => !c.hidden).length;
  if (listed > desired.length)
    log.warn({ listed, registered: desired.length }, 'discord: more commands than Discord allows; the rest work on Telegram only');
  const targets = o.globalCommands ? [undefined] : o.guildId ? [o.guildId] : guildIds;
  for (const guild of targets) await sync(rest, appId, guild, desired, log);
  // Global commands plus a guild copy would show every command twice in that guild.
  if (o.globalCommands && o.guildId) await sync(rest, appId, o.guildId, [], log);
}
