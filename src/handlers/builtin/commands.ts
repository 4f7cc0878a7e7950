/** The built-in commands: /start, /help, /whoami, /status, /lang. */
import { LANGUAGES, type KeySuffix, type Messages, type Translate } from '../../core/i18n.ts';
import type { Role } from '../../permissions/roles.ts';
import type { Block, OutMessage } from '../../core/outmessage.ts';
import type { AccessControl } from '../../permissions/access.ts';
import type { Caller, PeopleStore } from '../../permissions/people.ts';
import { arg } from '../args.ts';
import { defineCommand, type AnyCommand } from '../command.ts';
import type { CommandRegistry } from '../registry.ts';
import { helpCommand } from './help.ts';
import type { StatusLine, StatusSection } from './status-section.ts';
import { stateIcon, type StateTone } from '../../core/state-icon.ts';

/** Accepting an invite code sent with /start (provided by the permissions module). */
export type InviteAcceptor = (
  code: string,
  identity: string,
  displayName: string,
) => { ok: true; role: Role } | { ok: false; reason: KeySuffix<'builtin.start.invite.'> };

/** What /start, /whoami, /status and /lang read: the registry, access, people, catalogues, status sections, invites. */
export interface BuiltinDeps {
  readonly registry: () => CommandRegistry;
  readonly access: AccessControl;
  /** Stores a person's language (/lang). */
  readonly people: PeopleStore;
  readonly messages: Messages;
  readonly statusSections: () => readonly StatusSection[];
  readonly acceptInvite?: InviteAcceptor;
  /** True while nobody owns the bot yet (the setup code is in the log): /start says so. */
  readonly awaitingOwner?: () => boolean;
}

/** A /status level in the shared colours: down is red like a critical alert. */
const LEVEL_TONE: Readonly<Record<StatusLine['level'], StateTone>> = { ok: 'ok', info: 'info', warning: 'warning', down: 'critical' };

/** Builds the built-in commands. */
export function builtinCommands(deps: BuiltinDeps): AnyCommand[] {
  /** /start with an invite code: the same for a stranger and for someone already known (who is told so). */
  const inviteReply = (accept: InviteAcceptor, t: Translate, code: string, caller: Caller): OutMessage => {
    const r = accept(code, caller.identity, caller.displayName);
    if (r.ok)
      return { blocks: [{ kind: 'text', text: t('builtin.start.inviteAccepted', { role: t(`role.${r.role}`) }) }], severity: 'success' };
    return { blocks: [{ kind: 'text', text: t(`builtin.start.invite.${r.reason}`) }], severity: 'warning' };
  };

  const start = defineCommand({
    name: 'start',
    group: 'bot',
    summaryKey: 'builtin.start.summary',
    args: { code: arg.string({ descriptionKey: 'builtin.start.code', required: false, maxLength: 64, pattern: /^[\w-]+$/ }) },
    permission: 'bot.session.start',
    async run(ctx, { code }) {
      if (code && deps.acceptInvite) return inviteReply(deps.acceptInvite, ctx.t, code, ctx.principal);
      return { blocks: [{ kind: 'text', text: ctx.t('builtin.start.welcome', { name: ctx.principal.displayName }) }] };
    },
    async runForStranger(ctx, { code }) {
      if (code && deps.acceptInvite) return inviteReply(deps.acceptInvite, ctx.t, code, ctx.stranger);
      // Before setup, the future owner needs to know where the code is (nothing secret: it is only in the log).
      if (deps.awaitingOwner?.()) return { blocks: [{ kind: 'text', text: ctx.t('builtin.start.setupHint') }] };
      // Otherwise an unknown user gets the same neutral reply as for any other message.
      return { blocks: [{ kind: 'text', text: ctx.t('pipeline.unknownUser') }] };
    },
  });

  const help = helpCommand(deps);

  const whoami = defineCommand({
    name: 'whoami',
    group: 'bot',
    summaryKey: 'builtin.whoami.summary',
    args: {},
    permission: 'bot.whoami.read',
    ephemeral: true,
    async run(ctx) {
      const effective = deps.access.effectiveRole(ctx.principal, ctx.chat);
      const fields = [
        { label: ctx.t('builtin.whoami.name'), value: ctx.principal.displayName },
        { label: ctx.t('builtin.whoami.identity'), value: ctx.principal.identity },
        { label: ctx.t('builtin.whoami.role'), value: ctx.t(`role.${ctx.principal.role}`) },
        { label: ctx.t('builtin.whoami.roleHere'), value: ctx.t(`role.${effective}`) },
        { label: ctx.t('builtin.whoami.language'), value: ctx.lang },
      ];
      return { title: ctx.t('builtin.whoami.title'), blocks: [{ kind: 'fields', fields }], ephemeral: true };
    },
  });

  const status = defineCommand({
    name: 'status',
    group: 'bot',
    summaryKey: 'builtin.status.summary',
    args: {},
    permission: 'bot.status.read',
    async run(ctx): Promise<OutMessage> {
      const sections = deps.statusSections();
      if (sections.length === 0) {
        return { title: ctx.t('builtin.status.title'), blocks: [{ kind: 'text', text: ctx.t('builtin.status.none') }] };
      }
      const now = ctx.now();
      const read = await Promise.all(
        sections.map(async (s) => {
          const line: StatusLine = await s.read(ctx.t, now).catch(() => ({ level: 'down', text: ctx.t('builtin.status.failed') }));
          return { line, text: `${stateIcon(LEVEL_TONE[line.level])} ${ctx.t(s.labelKey)}: ${line.text}` };
        }),
      );
      const levels = new Set(read.map((r) => r.line.level));
      const worst = levels.has('down') ? 'critical' : levels.has('warning') ? 'warning' : 'success';
      // Each kind of failure gets its advice once, however many services share it.
      const failures = [...new Set(read.flatMap((r) => (r.line.failure ? [r.line.failure] : [])))];
      return {
        title: ctx.t('builtin.status.title'),
        severity: worst,
        blocks: [
          { kind: 'list', items: read.map((r) => r.text) },
          ...failures.map((f): Block => ({ kind: 'text', text: ctx.t(`builtin.status.advice.${f}`) })),
        ],
      };
    },
  });

  const lang = defineCommand({
    name: 'lang',
    group: 'bot',
    summaryKey: 'builtin.lang.summary',
    args: { language: arg.choice(LANGUAGES, { descriptionKey: 'builtin.lang.language' }) },
    permission: 'bot.language.set',
    async run(ctx, { language }) {
      deps.people.setLanguage(ctx.principal.identity, language);
      return { blocks: [{ kind: 'text', text: deps.messages.t(language, 'builtin.lang.changed') }], severity: 'success' };
    },
  });

  return [start, help, whoami, status, lang];
}
