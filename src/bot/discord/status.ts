/** The Discord line of /status: connection state and channels the bot cannot post in. */
import type { StatusSection } from '../../handlers/builtin/status-section.ts';
import type { DiscordAdapter } from './adapter.ts';

/** A /status section reading the adapter's live state (never slow). */
export function discordStatusSection(adapter: DiscordAdapter): StatusSection {
  return {
    id: 'discord',
    labelKey: 'discord.label',
    async read(t) {
      const h = adapter.health();
      if (!h.connected) return { level: 'down', text: t('discord.disconnected', { detail: h.detail ?? '?' }) };
      const missing = adapter.permissionWarnings();
      if (missing.length === 0) return { level: 'ok', text: t('discord.connected') };
      return {
        level: 'warning',
        text: missing.map((w) => t('discord.missingPermission', { channel: w.channelName, permission: w.permission })).join('; '),
      };
    },
  };
}
