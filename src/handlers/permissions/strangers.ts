/**
 * Strangers who wrote to the bot: the owner's notice with Invite/Ignore (folded in a flood), and the buttons behind
 * it (admit, stranger-ignore), the undo of an Ignore (stranger-unignore) and /ignored, which
 * lists the ignored with a button each. Names and identities go to the asker privately.
 */
import { IDENTITY_PATTERN, platformOf, privateChatOf, type ChatRef } from '../../core/chat-address.ts';
import type { Scheduler } from '../../core/clock.ts';
import { textMessage, type OutMessage } from '../../core/outmessage.ts';
import { formatTime } from '../../core/time-format.ts';
import { STRANGER_NOTICE_TTL_MS } from '../../permissions/people.ts';
import { P } from '../../permissions/permissions.ts';
import { STRANGER_NOTICE_WINDOW_MS, StrangerNoticeFold } from '../../permissions/stranger-notice-fold.ts';
import { arg } from '../args.ts';
import { defineCommand, type AnyCommand, type CommandContext } from '../command.ts';
import { onePerPerson, roleName, type PermissionDeps } from './deps.ts';

const ADMIT = 'admit';
const IGNORE = 'stranger-ignore';
const UNIGNORE = 'stranger-unignore';
/** Ignored strangers /ignored shows (one button each): the most recent, as many as a chat message holds comfortably. */
const IGNORED_LISTED = 10;

const warn = (text: string): OutMessage => textMessage(text, { severity: 'warning' });

const identityArg = () => arg.string({ descriptionKey: 'permissions.admit.identity', maxLength: 80, pattern: IDENTITY_PATTERN });

/** Builds admit, stranger-ignore and stranger-unignore (button-only) and /ignored. */
export function strangerCommands(deps: PermissionDeps): AnyCommand[] {
  const { people, tokens } = deps;

  /** Why a button about `identity` has no stranger to act on: they joined meanwhile, or are not (or no longer) remembered. */
  const noStranger = (ctx: CommandContext, identity: string): OutMessage =>
    warn(ctx.t(deps.access.resolve(identity) ? 'permissions.admit.already-known' : 'permissions.admit.not-a-stranger'));

  const admit = defineCommand({
    name: ADMIT,
    group: 'permissions',
    summaryKey: 'permissions.admit.summary',
    args: {
      identity: identityArg(),
      role: arg.choice(['admin', 'family', 'guest'] as const, { descriptionKey: 'permissions.invite.role' }),
    },
    permission: P.inviteCreate,
    hidden: true,
    buttonOnly: true,
    mutates: true,
    async run(ctx, { identity, role }) {
      const { t } = ctx;
      const r = deps.invites.admit(ctx.principal, identity, role);
      if (!r.ok)
        return warn(
          t(
            r.reason === 'already-known' || r.reason === 'not-a-stranger'
              ? `permissions.admit.${r.reason}`
              : `permissions.refused.${r.reason}`,
          ),
        );
      tokens.revokeWhere(IGNORE, 'identity', identity);
      tokens.revokeWhere(UNIGNORE, 'identity', identity);
      deps.notify(identity, (nt) => textMessage(nt('permissions.admit.welcome', { role: roleName(nt, role) }), { severity: 'success' }));
      return textMessage(t('permissions.admit.done', { name: r.principal.displayName, role: roleName(t, role) }), { severity: 'success' });
    },
  });

  /** A button-only change to one stranger who wrote (by the name they wrote under): refused when there is none. */
  const onStranger = (
    name: typeof IGNORE | typeof UNIGNORE,
    summaryKey: 'permissions.ignore.summary' | 'permissions.unignore.summary',
    change: (ctx: CommandContext, identity: string, strangerName: string) => OutMessage,
  ) =>
    defineCommand({
      name,
      group: 'permissions',
      summaryKey,
      args: { identity: identityArg() },
      permission: P.inviteCreate,
      hidden: true,
      buttonOnly: true,
      mutates: true,
      // The stranger's name: the presser's eyes only.
      ephemeral: true,
      async run(ctx, { identity }) {
        const strangerName = people.strangerName(identity);
        return strangerName === undefined ? noStranger(ctx, identity) : change(ctx, identity, strangerName);
      },
    });

  const ignore = onStranger(IGNORE, 'permissions.ignore.summary', (ctx, identity, name) => {
    const { t } = ctx;
    // Every owner's notice offered both buttons: once decided, neither opens again.
    tokens.revokeWhere(ADMIT, 'identity', identity);
    tokens.revokeWhere(IGNORE, 'identity', identity);
    const changed = people.ignoreStranger(identity, ctx.principal.identity);
    if (!changed) ctx.noChange();
    return {
      blocks: [{ kind: 'text', text: t(changed ? 'permissions.ignore.done' : 'permissions.ignore.already', { name }) }],
      severity: changed ? 'success' : 'info',
      actions: [[ctx.action(t('permissions.ignore.undo'), UNIGNORE, { identity }, { oneShot: true })]],
    };
  });

  const unignore = onStranger(UNIGNORE, 'permissions.unignore.summary', (ctx, identity, name) => {
    const { t } = ctx;
    if (!people.unignoreStranger(identity)) {
      ctx.noChange();
      return textMessage(t('permissions.unignore.already', { name }));
    }
    // Decided: the list's and the confirmation's other Undo buttons close.
    tokens.revokeWhere(UNIGNORE, 'identity', identity);
    return {
      blocks: [{ kind: 'text', text: t('permissions.unignore.done', { name }) }],
      severity: 'success',
      // The notice's choice again: let them in, or ignore them after all.
      actions: [
        [
          ctx.action(t('permissions.stranger.invite'), ADMIT, { identity, role: 'family' }, { oneShot: true, style: 'primary' }),
          ctx.action(t('permissions.stranger.ignore'), IGNORE, { identity }, { oneShot: true }),
        ],
      ],
    };
  });

  const ignored = defineCommand({
    name: 'ignored',
    group: 'permissions',
    summaryKey: 'permissions.ignored.summary',
    args: {},
    permission: P.inviteCreate,
    // Names and platform ids of people who wrote to the bot: the asker's eyes only.
    ephemeral: true,
    async run(ctx) {
      const { t } = ctx;
      const total = people.ignoredStrangerCount();
      if (total === 0) return textMessage(t('permissions.ignored.none'));
      const list = people.ignoredStrangers(IGNORED_LISTED);
      const by = (identity: string | null): string => (identity ? (people.resolve(identity)?.displayName ?? identity) : '?');
      const items = list.map((s) =>
        t('permissions.ignored.item', {
          name: s.displayName.slice(0, 64),
          identity: s.identity,
          when: formatTime(s.ignoredAt, ctx.lang, deps.timeZone, ctx.now()),
          by: by(s.ignoredBy),
        }),
      );
      return {
        title: t('permissions.ignored.title', { n: total }),
        ephemeral: true,
        blocks: [
          { kind: 'list', items },
          ...(total > list.length ? [{ kind: 'text' as const, text: t('permissions.ignored.more', { n: total - list.length }) }] : []),
        ],
        actions: list.map((s) => [
          ctx.action(
            t('permissions.ignored.button', { name: s.displayName.slice(0, 32) }),
            UNIGNORE,
            { identity: s.identity },
            { oneShot: true },
          ),
        ]),
      };
    },
  });

  return [admit, ignore, unignore, ignored];
}

/** The owners' stranger notices: one per new stranger, folded in a flood (StrangerNoticeFold). */
export interface StrangerNotices {
  /** Tells each owner once about a new stranger, or counts them into that owner's folded notice. */
  notify(identity: string, displayName: string): void;
  /** Sends the folded notices counted so far (shutdown). */
  stop(): void;
}

/** Builds the owners' stranger notices; folded notices fall due on `scheduler`. */
export function strangerNotices(deps: PermissionDeps, scheduler: Scheduler): StrangerNotices {
  const fold = new StrangerNoticeFold({ now: deps.now }, scheduler, (to, count) =>
    // No buttons: a token per folded stranger is what a flood must not mint. /audit shows them.
    deps.notify(to, (t) => ({
      title: t('permissions.stranger.folded.title'),
      blocks: [{ kind: 'text', text: t('permissions.stranger.folded.text', { n: count, minutes: STRANGER_NOTICE_WINDOW_MS / 60_000 }) }],
    })),
  );
  return {
    notify(identity, displayName) {
      const owners = onePerPerson(
        deps.access.approversFor(P.grantManage).filter((p) => p.role === 'owner'),
        platformOf(identity),
      );
      for (const owner of owners) {
        const chat = privateChatOf(owner.identity);
        // One window per person: an owner on Telegram and Discord is not told twice as often.
        if (!chat || fold.note(owner.personId, owner.identity) === 'folded') continue;
        notifyOwner(deps, owner.identity, chat, identity, displayName);
      }
    },
    stop: () => fold.stop(),
  };
}

/** One owner's notice about one stranger, with "Invite as family" and "Ignore" buttons of their own. */
function notifyOwner(deps: PermissionDeps, owner: string, chat: ChatRef, identity: string, displayName: string): void {
  const button = (command: string, args: Record<string, string>): string =>
    deps.tokens.create({ command, args, allowedIdentity: owner, chat, ttlMs: STRANGER_NOTICE_TTL_MS, oneShot: true });
  const invite = button(ADMIT, { identity, role: 'family' });
  const ignore = button(IGNORE, { identity });
  deps.notify(owner, (t) => ({
    title: t('permissions.stranger.title'),
    blocks: [{ kind: 'text', text: t('permissions.stranger.text', { name: displayName.slice(0, 64), identity }) }],
    actions: [
      [
        { label: t('permissions.stranger.invite'), token: invite, style: 'primary' },
        { label: t('permissions.stranger.ignore'), token: ignore },
      ],
    ],
  }));
}
