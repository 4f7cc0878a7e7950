import { defineMessages } from '../../core/i18n.ts';

/** Texts of alert causes: the held list in /alerts and the digest, and /maintenance. */
export const alertCauseMessages = defineMessages(
  {
    'alerts.cause.action': 'stopped by {who} from chat at {at}',
    'alerts.cause.backup': 'backup in progress since {since}',
    'alerts.cause.backupGrace': 'backup finished; it has until {until} to come back',
    'alerts.cause.powercut': 'power cut since {since}',
    'alerts.cause.wan': 'internet link down since {since}',
    'alerts.cause.maintenance': 'maintenance until {until}',
    'alerts.cause.maintenanceWhy': 'maintenance until {until}: {reason}',
    'alerts.list.held': 'Held, with their cause ({count})',
    'alerts.list.heldItem': '⏸ {summary} — {cause}',
    'alerts.digest.held': '{count, plural, one {# alert} other {# alerts}} held by a known cause:',
  },
  {
    'alerts.cause.action': 'apagada por {who} desde el chat a las {at}',
    'alerts.cause.backup': 'copia de seguridad en curso desde {since}',
    'alerts.cause.backupGrace': 'copia terminada; tiene hasta las {until} para volver',
    'alerts.cause.powercut': 'corte de luz desde {since}',
    'alerts.cause.wan': 'conexión a internet caída desde {since}',
    'alerts.cause.maintenance': 'mantenimiento hasta {until}',
    'alerts.cause.maintenanceWhy': 'mantenimiento hasta {until}: {reason}',
    'alerts.list.held': 'Retenidas, con su causa ({count})',
    'alerts.list.heldItem': '⏸ {summary} — {cause}',
    'alerts.digest.held': '{count, plural, one {# alerta retenida} other {# alertas retenidas}} por una causa conocida:',
  },
);
