/** The built-in commands: /start, /help, /whoami, /status, /lang. */
import { LANGUAGES, type KeySuffix, type Language, type Messages, type Translate } from '../../core/i18n.ts';
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

/** The line of a section whose read threw. */
const failedLine = (t: Translate): StatusLine => ({ level: 'down', text: t('builtin.status.failed') });

/** A section's line without waiting (undefined: it must be read); a throw is its failed line. */
function guardedLine(t: Translate, peek: () => StatusLine | undefined): StatusLine | undefined {
  try {
    return peek();
  } catch {
    return failedLine(t);
  }
}

/** Whether two /status readings say the same, line by line. */
function sameLines(a: readonly StatusLine[], b: readonly StatusLine[]): boolean {
  return a.length === b.length && a.every((l, i) => l.level === b[i]!.level && l.text === b[i]!.text && l.failure === b[i]!.failure);
}

/** /status from its lines: one per service with its colour and label, then each kind of failure's advice once. */
function statusReply(t: Translate, sections: readonly StatusSection[], lines: readonly StatusLine[]): OutMessage {
  const levels = new Set(lines.map((l) => l.level));
  const worst = levels.has('down') ? 'critical' : levels.has('warning') ? 'warning' : 'success';
  // Each kind of failure gets its advice once, however many services share it.
  const failures = [...new Set(lines.flatMap((l) => (l.failure ? [l.failure] : [])))];
  return {
    title: t('builtin.status.title'),
    severity: worst,
    blocks: [
      { kind: 'list', items: lines.map((l, i) => `${stateIcon(LEVEL_TONE[l.level])} ${t(sections[i]!.labelKey)}: ${l.text}`) },
      ...failures.map((f): Block => ({ kind: 'text', text: t(`builtin.status.advice.${f}`) })),
    ],
  };
}

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
      // Otherwise nothing of its own: the pipeline's one neutral reply on first contact, as for any other message.
      return undefined;
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

  // The last /status per language: while every line reads the same, its reply is given again.
  const lastStatus = new Map<Language, { sections: readonly StatusSection[]; lines: readonly StatusLine[]; reply: OutMessage }>();
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
      const peeked = sections.map((s) => guardedLine(ctx.t, () => s.peek?.(ctx.t, now)));
      // Only a section that cannot tell its line yet (before its first poll) is waited for.
      const lines = peeked.every((l) => l !== undefined)
        ? peeked
        : await Promise.all(sections.map(async (s, i) => peeked[i] ?? (await s.read(ctx.t, now).catch(() => failedLine(ctx.t)))));
      const last = lastStatus.get(ctx.lang);
      if (last?.sections === sections && sameLines(last.lines, lines)) return { ...last.reply };
      const reply = statusReply(ctx.t, sections, lines);
      lastStatus.set(ctx.lang, { sections, lines, reply });
      return { ...reply };
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
