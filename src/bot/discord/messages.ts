import { defineMessages } from '../../core/i18n.ts';

/** Texts of the Discord line in /status. */
export const discordMessages = defineMessages(
  {
    'discord.label': 'Discord',
    'discord.connected': 'connected',
    'discord.disconnected': 'disconnected ({detail})',
    'discord.missingPermission': 'cannot post in #{channel}: missing permission "{permission}"',
  },
  {
    'discord.label': 'Discord',
    'discord.connected': 'conectado',
    'discord.disconnected': 'desconectado ({detail})',
    'discord.missingPermission': 'no puede publicar en #{channel}: falta el permiso "{permission}"',
  },
);

declare module '../../core/i18n.ts' {
  interface MessageFragments {
    discord: typeof discordMessages;
  }
}
