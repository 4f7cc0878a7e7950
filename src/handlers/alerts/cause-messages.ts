import { defineMessages } from '../../core/i18n.ts';

/** Texts of alert causes: the held list in /alerts and the digest, and /maintenance. */
export const alertCauseMessages = defineMessages(
  {
    'alerts.cause.action': 'stopped by {who} from chat ({at})',
    'alerts.cause.backup': 'backup in progress since {since}',
    'alerts.cause.backupGrace': 'backup finished; it has until {until} to come back',
    'alerts.cause.powercut': 'power cut since {since}',
    'alerts.cause.wan': 'internet link down since {since}',
    'alerts.cause.maintenance': 'maintenance until {until}',
    'alerts.cause.maintenanceWhy': 'maintenance until {until}: {reason}',
    'alerts.list.held': 'Held, with their cause ({count})',
    'alerts.list.heldItem': '⏸ {summary} — {cause}',
    'alerts.digest.held': '{count, plural, one {# alert} other {# alerts}} held by a known cause:',
    'alerts.maintenance.summary': 'Hold the alerts of a guest, a backend or everything for a while (maintenance)',
    'alerts.maintenance.endSummary': 'End a maintenance window now',
    'alerts.maintenance.target': 'A guest (docker or 101), a backend (omv, pihole…) or all',
    'alerts.maintenance.duration': 'How long, e.g. 30m, 2h',
    'alerts.maintenance.reason': 'Why (optional), shown in /alerts',
    'alerts.maintenance.unknown': 'I do not know "{target}". Choose one of: {choices}.',
    'alerts.maintenance.everything': 'everything',
    'alerts.maintenance.schedule': 'schedule',
    'alerts.maintenance.done': '🔧 Maintenance of {target} until {until}: its alerts are held until then.',
    'alerts.maintenance.doneWhy': '🔧 Maintenance of {target} until {until} ({reason}): its alerts are held until then.',
    'alerts.maintenance.endButton': '⏹ End maintenance of {target} now',
    'alerts.maintenance.endedNow': 'Maintenance of {target} ended. Its alerts count again.',
    'alerts.maintenance.endedEarly': 'Maintenance of {target} ended early. Its alerts count again; the schedule still applies next time.',
    'alerts.maintenance.from': 'When the scheduled window began',
    'alerts.maintenance.ended': 'Maintenance of {target} is over. Its alerts count again.',
    'alerts.maintenance.notActive': 'That maintenance window has already ended.',
    'alerts.maintenance.listTitle': 'Maintenance ({count})',
    'alerts.maintenance.item': '🔧 {target} until {until} (by {who})',
    'alerts.maintenance.itemWhy': '🔧 {target} until {until} (by {who}): {reason}',
  },
  {
    'alerts.cause.action': 'apagada por {who} desde el chat ({at})',
    'alerts.cause.backup': 'copia de seguridad en curso desde {since}',
    'alerts.cause.backupGrace': 'copia terminada; tiene hasta {until} para volver',
    'alerts.cause.powercut': 'corte de luz desde {since}',
    'alerts.cause.wan': 'conexión a internet caída desde {since}',
    'alerts.cause.maintenance': 'mantenimiento hasta {until}',
    'alerts.cause.maintenanceWhy': 'mantenimiento hasta {until}: {reason}',
    'alerts.list.held': 'Retenidas, con su causa ({count})',
    'alerts.list.heldItem': '⏸ {summary} — {cause}',
    'alerts.digest.held': '{count, plural, one {# alerta retenida} other {# alertas retenidas}} por una causa conocida:',
    'alerts.maintenance.summary': 'Retener las alertas de una máquina, un servicio o todo durante un rato (mantenimiento)',
    'alerts.maintenance.endSummary': 'Terminar ya un mantenimiento',
    'alerts.maintenance.target': 'Una máquina (docker o 101), un servicio (omv, pihole…) o all',
    'alerts.maintenance.duration': 'Cuánto tiempo, p. ej. 30m, 2h',
    'alerts.maintenance.reason': 'Por qué (opcional), se muestra en /alerts',
    'alerts.maintenance.unknown': 'No conozco «{target}». Elige uno de: {choices}.',
    'alerts.maintenance.everything': 'todo',
    'alerts.maintenance.schedule': 'programado',
    'alerts.maintenance.done': '🔧 Mantenimiento de {target} hasta {until}: sus alertas quedan retenidas hasta entonces.',
    'alerts.maintenance.doneWhy': '🔧 Mantenimiento de {target} hasta {until} ({reason}): sus alertas quedan retenidas hasta entonces.',
    'alerts.maintenance.endButton': '⏹ Terminar ya el mantenimiento de {target}',
    'alerts.maintenance.endedNow': 'Mantenimiento de {target} terminado. Sus alertas vuelven a contar.',
    'alerts.maintenance.endedEarly':
      'Mantenimiento de {target} terminado antes de tiempo. Sus alertas vuelven a contar; la próxima vez el horario sigue valiendo.',
    'alerts.maintenance.from': 'Cuándo empezó el mantenimiento programado',
    'alerts.maintenance.ended': 'El mantenimiento de {target} ha terminado. Sus alertas vuelven a contar.',
    'alerts.maintenance.notActive': 'Ese mantenimiento ya ha terminado.',
    'alerts.maintenance.listTitle': 'Mantenimiento ({count})',
    'alerts.maintenance.item': '🔧 {target} hasta {until} (por {who})',
    'alerts.maintenance.itemWhy': '🔧 {target} hasta {until} (por {who}): {reason}',
  },
);

declare module '../../core/i18n.ts' {
  interface MessageFragments {
    alertCause: typeof alertCauseMessages;
  }
}
