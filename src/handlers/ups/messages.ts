import { defineMessages } from '../../core/i18n.ts';

/** Texts of the UPS area (/status line). */
export const upsMessages = defineMessages(
  {
    'ups.label': 'UPS',
    'ups.status.checking': 'checking…',
    'ups.status.mains': 'on mains, battery {charge}, {runtime} runtime',
    'ups.status.battery': 'ON BATTERY: {charge}, {runtime} left',
    'ups.status.low': 'BATTERY LOW: {charge}, {runtime} left',
    'ups.status.replace': ', battery needs replacing',
  },
  {
    'ups.label': 'SAI',
    'ups.status.checking': 'comprobando…',
    'ups.status.mains': 'en red, batería {charge}, autonomía {runtime}',
    'ups.status.battery': 'CON BATERÍA: {charge}, quedan {runtime}',
    'ups.status.low': 'BATERÍA BAJA: {charge}, quedan {runtime}',
    'ups.status.replace': ', hay que cambiar la batería',
  },
);

declare module '../../core/i18n.ts' {
  interface MessageFragments {
    ups: typeof upsMessages;
  }
}
