import { defineMessages } from '../../core/i18n.ts';

/** Texts of the UPS area (/status line). */
export const nutMessages = defineMessages(
  {
    'nut.label': 'UPS',
    'nut.status.checking': 'checking…',
    'nut.status.mains': 'on mains, battery {charge}, {runtime} runtime',
    'nut.status.battery': 'ON BATTERY: {charge}, {runtime} left',
    'nut.status.low': 'BATTERY LOW: {charge}, {runtime} left',
    'nut.status.replace': ', battery needs replacing',
  },
  {
    'nut.label': 'SAI',
    'nut.status.checking': 'comprobando…',
    'nut.status.mains': 'en red, batería {charge}, autonomía {runtime}',
    'nut.status.battery': 'CON BATERÍA: {charge}, quedan {runtime}',
    'nut.status.low': 'BATERÍA BAJA: {charge}, quedan {runtime}',
    'nut.status.replace': ', hay que cambiar la batería',
  },
);
