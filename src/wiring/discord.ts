/**
 * The Discord adapter, wired: config section → adapter options, command descriptions from the
 * message catalogues, autocomplete from the modules' cached completion sources (only for
 * people allowed to run the command), and a /status line for connection and permissions.
 */
import { DiscordAdapter } from '../bot/discord/adapter.ts';
import { discordStatusSection } from '../bot/discord/status.ts';
import type { Config } from '../core/config.ts';
import type { Language, MessageKey, Messages } from '../core/i18n.ts';
import type { Logger } from '../core/logger.ts';
import type { Pipeline } from '../handlers/pipeline.ts';
import type { CommandRegistry } from '../handlers/registry.ts';
import type { AccessControl } from '../permissions/access.ts';
import type { FeatureModule } from './module.ts';

/** What the Discord adapter is built from: config, log, messages and the root's pipeline, registry and access. */
export interface DiscordWiring {
  readonly config: Config;
  readonly log: Logger;
  readonly messages: Messages;
  readonly pipeline: Pipeline;
  readonly registry: CommandRegistry;
  readonly access: AccessControl;
  /** Modules offering completion sources (read when someone types, so late additions count). */
  readonly modules: readonly FeatureModule[];
}

/** Builds the adapter and the module carrying its /status line; undefined without a discord section. */
export function discordAdapter(w: DiscordWiring): { adapter: DiscordAdapter; module: FeatureModule } | undefined {
  const cfg = w.config.discord;
  if (!cfg) return undefined;
  const adapter = new DiscordAdapter(
    {
      token: cfg.token,
      ...(cfg.apiRoot ? { apiRoot: cfg.apiRoot } : {}),
      ...(cfg.guildId ? { guildId: cfg.guildId } : {}),
      globalCommands: cfg.globalCommands,
      describe: (key: MessageKey, lang: Language = w.config.language) => w.messages.forLanguage(lang)(key),
      complete: async (source) => {
        const provider = w.modules.find((m) => m.completions?.[source])?.completions?.[source];
        return provider ? await provider() : [];
      },
      mayRun: (identity, chat, command) => {
        const who = w.access.resolve(identity);
        const c = w.registry.get(command);
        return Boolean(who && c && w.access.can(who, chat, c.permission));
      },
    },
    w.pipeline,
    w.registry,
    w.log.child({ adapter: 'discord' }),
  );
  return { adapter, module: { name: 'discord', commands: [], statusSections: [discordStatusSection(adapter)] } };
}
