/** The built-in commands: /start, /help, /whoami, /status, /lang. */
import { LANGUAGES, type Messages, type Translate } from '../../core/i18n.ts';
import type { OutMessage } from '../../core/outmessage.ts';
import type { AccessControl } from '../../permissions/access.ts';
import type { Caller, PeopleStore } from '../../permissions/people.ts';
import { arg } from '../args.ts';
import { defineCommand, type AnyCommand } from '../command.ts';
import type { CommandRegistry } from '../registry.ts';
import { helpCommand } from './help.ts';
import type { StatusSection } from './status-section.ts';

/** Accepting an invite code sent with /start (provided by the permissions module). */
export type InviteAcceptor = (
  code: string,
  identity: string,
  displayName: string,
) => { ok: true; role: string } | { ok: false; reason: string };

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

const LEVEL_ICON = { ok: '🟢', warning: '🟠', down: '🔴' } as const;

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
      const lines = await Promise.all(
        sections.map(async (s) => {
          const line = await s.read(ctx.t, now).catch(() => ({ level: 'down' as const, text: ctx.t('builtin.status.failed') }));
          return `${LEVEL_ICON[line.level]} ${ctx.t(s.labelKey)}: ${line.text}`;
        }),
      );
      const worst = lines.some((l) => l.startsWith(LEVEL_ICON.down))
        ? 'critical'
        : lines.some((l) => l.startsWith(LEVEL_ICON.warning))
          ? 'warning'
          : 'success';
      return { title: ctx.t('builtin.status.title'), severity: worst, blocks: [{ kind: 'list', items: lines }] };
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
