import { defineMessages } from '../../core/i18n.ts';

/** Texts of the off-site copy check: its /status line and its alert. */
export const offsiteMessages = defineMessages(
  {
    'offsite.label': 'Off-site copy',
    'offsite.label.check': 'The off-site copy check (SSH)',
    'offsite.status.checking': 'checking…',
    'offsite.status.fresh': 'last synced {age}',
    'offsite.status.stale': 'STALE: last synced {age}, expected every {window} h',
    'offsite.status.future': 'last sync time {last} is in the future; check the clocks of the bot and the docker host',
    'alert.backup.offsite_stale': 'The off-site backup copy is {age} h old (last sync {last}, expected every {window} h)',
    'alert.backup.offsite_stale.resolved': 'The off-site backup copy is up to date again',
  },
  {
    'offsite.label': 'Copia externa',
    'offsite.label.check': 'La comprobación de la copia externa (SSH)',
    'offsite.status.checking': 'comprobando…',
    'offsite.status.fresh': 'última sincronización {age}',
    'offsite.status.stale': 'ANTIGUA: última sincronización {age}, se espera cada {window} h',
    'offsite.status.future': 'la última sincronización ({last}) está en el futuro; revisa los relojes del bot y del host de docker',
    'alert.backup.offsite_stale': 'La copia externa tiene {age} h (última sincronización {last}, se espera cada {window} h)',
    'alert.backup.offsite_stale.resolved': 'La copia externa vuelve a estar al día',
  },
);

declare module '../../core/i18n.ts' {
  interface MessageFragments {
    offsite: typeof offsiteMessages;
  }
}
