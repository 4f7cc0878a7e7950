/** /audit: the latest audit entries, optionally for one person, one service, or strangers' attempts (one stranger's by platform id). */
import type { Language, Translate } from '../../core/i18n.ts';
import { textMessage, type Block } from '../../core/outmessage.ts';
import { formatTime } from '../../core/time-format.ts';
import { STRANGER_RESULT, type AuditQuery, type AuditRecord } from '../../permissions/audit.ts';
import { P, serviceOf } from '../../permissions/permissions.ts';
import { arg } from '../args.ts';
import { defineCommand, type AnyCommand } from '../command.ts';
import type { PermissionDeps } from './deps.ts';

const LIMIT = 15;

/** One entry as a line; argument values are shortened, results translated when known. */
function line(deps: PermissionDeps, t: Translate, lang: Language, e: AuditRecord): string {
  const args = Object.entries(e.args)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ')
    .slice(0, 80);
  const resultKey = `permissions.audit.result.${e.result}`;
  const result = deps.messages.has(resultKey) ? t(resultKey) : e.result;
  return `${formatTime(e.at, lang, deps.timeZone, deps.now())} · ${e.person ?? e.identity} · /${e.command}${args ? ` ${args}` : ''} → ${result}`;
}

/** Builds /audit. */
export function auditCommand(deps: PermissionDeps): AnyCommand {
  return defineCommand({
    name: 'audit',
    group: 'permissions',
    summaryKey: 'permissions.audit.summary',
    args: {
      by: arg.choice(['person', 'service', 'strangers'] as const, { descriptionKey: 'permissions.audit.by', required: false }),
      value: arg.string({ descriptionKey: 'permissions.audit.value', required: false, rest: true, maxLength: 100 }),
    },
    permission: P.auditRead,
    ephemeral: true,
    async run(ctx, { by, value }) {
      const { t } = ctx;
      const q: AuditQuery = { limit: LIMIT };
      if (by && by !== 'strangers' && !value) return textMessage(t('permissions.audit.needValue'), { severity: 'warning' });
      if (by === 'strangers') {
        // Apart from the rest: in a flood these are most of the log. A value is one stranger's platform id.
        q.result = STRANGER_RESULT;
        if (value) q.identity = value;
      }
      if (by === 'person' && value) {
        const person = deps.people.find(value);
        if (!person) return textMessage(t('permissions.refused.unknown-target'), { severity: 'warning' });
        q.personId = person.personId;
      }
      if (by === 'service' && value) {
        const service = value.toLowerCase();
        q.service = service;
        // Entries written by the pipeline carry the command only; the registry knows its service.
        q.serviceCommands = deps
          .registry()
          .all()
          .filter((c) => c.group === service || serviceOf(c.permission) === service)
          .map((c) => c.name);
      }
      // Plain /audit and /audit service are for changes: strangers' attempts (a stranger's /start
      // is filed under permissions, say) are counted in one line, listed by /audit strangers.
      const counted = by === undefined || by === 'service';
      if (counted) {
        q.withoutStrangers = true;
        q.limit = LIMIT + 1; // one more tells whether the lines shown are the whole log
      }
      const found = deps.audit.query(q);
      const entries = found.slice(0, LIMIT);
      // The period the lines cover: the whole log when they are all of it, else from the oldest shown.
      const since = found.length > LIMIT ? entries.at(-1)?.at : undefined;
      const attempts = counted ? deps.audit.strangerAttempts(since, q) : 0;
      if (entries.length === 0 && attempts === 0) return textMessage(t('permissions.audit.empty'));
      const blocks: Block[] = entries.length ? [{ kind: 'list', items: entries.map((e) => line(deps, t, ctx.lang, e)) }] : [];
      if (attempts > 0) blocks.push({ kind: 'text', text: t('permissions.audit.strangerAttempts', { n: attempts }) });
      return { title: t('permissions.audit.title'), ephemeral: true, blocks };
    },
  });
}
