/** People and permissions from chat: /role, /grant, /revoke, /invite, /link, /ceiling, /setup. */
import type { KeySuffix, Translate } from '../../core/i18n.ts';
import { nearest } from '../../core/suggest.ts';
import { textMessage, type OutMessage } from '../../core/outmessage.ts';
import { chatAddress, parseAddress, parseIdentity, platformOf, type ChatRef, type Platform } from '../../core/chat-address.ts';
import { INVITE_TTL } from '../../permissions/invites.ts';
import { isPermission, P } from '../../permissions/permissions.ts';
import { ROLES, type Role } from '../../permissions/roles.ts';
import { arg, formatDurationShort } from '../args.ts';
import { defineCommand, type AnyCommand } from '../command.ts';
import { auditCommand } from './audit-command.ts';
import { onePerPerson, roleName, type PermissionDeps } from './deps.ts';
import type { Caller, Principal } from '../../permissions/people.ts';

const warn = (text: string): OutMessage => textMessage(text, { severity: 'warning' });
const done = (text: string): OutMessage => textMessage(text, { severity: 'success' });
const refused = (t: Translate, reason: KeySuffix<'permissions.refused.'>): OutMessage => warn(t(`permissions.refused.${reason}`));
const CHAT_ARG = /^((telegram|discord|console):)?-?[\w-]{1,64}$/;

/** Tells every owner (other than the person who linked) that an account was linked, so a leaked code cannot go unnoticed. */
function tellOwnersOfLink(deps: PermissionDeps, linked: Principal, from: string): void {
  const owners = onePerPerson(
    deps.access.approversFor(P.grantManage).filter((p) => p.role === 'owner' && p.personId !== linked.personId),
    platformOf(linked.identity),
  );
  for (const owner of owners) {
    deps.notify(owner.identity, (t) =>
      textMessage(t('permissions.link.ownerNotice', { name: linked.displayName, identity: linked.identity, from })),
    );
  }
}

/** Builds the people-and-permissions commands. */
export function permissionCommands(deps: PermissionDeps): AnyCommand[] {
  const { access, people, grants, management } = deps;

  const role = defineCommand({
    name: 'role',
    group: 'permissions',
    summaryKey: 'permissions.role.summary',
    args: {
      role: arg.choice([...ROLES, 'none'] as const, { descriptionKey: 'permissions.role.role', required: false }),
      who: arg.string({ descriptionKey: 'permissions.role.who', required: false, rest: true, maxLength: 100 }),
    },
    permission: P.roleManage,
    mutates: (a) => a.role !== undefined, // without a role it lists people
    async run(ctx, { role: next, who }) {
      const { t } = ctx;
      if (!next) {
        const items = people.all().map((p) =>
          t('permissions.role.item', {
            id: p.personId,
            name: p.displayName,
            role: roleName(t, p.role),
            identities: p.identities.join(', '),
          }),
        );
        // People's identities are theirs: the list goes to the asker only.
        return {
          title: t('permissions.role.title'),
          ephemeral: true,
          blocks: [
            { kind: 'list', items },
            { kind: 'text', text: t('permissions.role.hint') },
          ],
        };
      }
      if (!who) return warn(t('permissions.role.needWho', { role: next }));
      if (next === 'none') {
        const r = management.forget(ctx.principal, who, ctx.chat);
        return r.ok ? done(t('permissions.role.removed', { name: r.person.displayName })) : refused(t, r.reason);
      }
      const r = management.setRole(ctx.principal, who, next, ctx.chat);
      if (!r.ok) return refused(t, r.reason);
      if (!r.changed) ctx.noChange();
      return done(
        t(r.changed ? 'permissions.role.changed' : 'permissions.role.unchanged', { name: r.person.displayName, role: roleName(t, next) }),
      );
    },
  });

  const grantArgs = {
    role: arg.choice(['admin', 'family', 'guest'] as const, { descriptionKey: 'permissions.grant.role', required: false }),
    permission: arg.string({
      descriptionKey: 'permissions.grant.permission',
      required: false,
      maxLength: 100,
      // Any dotted name parses, so a near miss (guests.power) gets a suggestion instead of "does not look right".
      pattern: /^[a-z][a-z0-9._-]*$/,
      autocomplete: 'permission',
    }),
  };
  /**
   * /grant or /revoke without everything it needs, or with a permission nobody has heard of:
   * usage, the role's own list (what it lacks for /grant, what it holds for /revoke), or the nearest name.
   */
  const grantHelp = (
    t: Translate,
    command: 'grant' | 'revoke',
    r: 'admin' | 'family' | 'guest' | undefined,
    permission: string | undefined,
  ): OutMessage | undefined => {
    const known = grants.known().map((k) => k.permission);
    if (permission && r && isPermission(permission) && known.includes(permission)) return undefined;
    if (permission && !(isPermission(permission) && known.includes(permission))) {
      const guess = nearest(permission, known);
      return textMessage(
        guess ? t('permissions.unknown.suggest', { permission, suggestion: guess }) : t('permissions.unknown', { permission, command }),
        { severity: 'warning' },
      );
    }
    if (!r) return textMessage(t(`permissions.${command}.usage`));
    const held = known.filter((p) => access.roleHolds(r, p));
    const items = command === 'grant' ? known.filter((p) => !held.includes(p)) : held;
    return {
      blocks: [
        { kind: 'text', text: t(`permissions.${command}.listFor`, { role: roleName(t, r), roleArg: r }) },
        { kind: 'list', items: items.length ? items : [t('permissions.grants.none')] },
      ],
    };
  };
  // Without a role and a permission, /grant and /revoke only list or explain.
  const grantsSomething = (a: { role?: string; permission?: string }): boolean => a.role !== undefined && a.permission !== undefined;

  const grant = defineCommand({
    name: 'grant',
    group: 'permissions',
    summaryKey: 'permissions.grant.summary',
    args: grantArgs,
    permission: P.grantManage,
    mutates: grantsSomething,
    async run(ctx, { role: r, permission }) {
      const { t } = ctx;
      const help = grantHelp(t, 'grant', r, permission);
      if (help || !r || !permission || !isPermission(permission)) return help;
      const res = management.grant(ctx.principal, r, permission, ctx.chat);
      if (!res.ok) return refused(t, res.reason);
      if (!res.changed) ctx.noChange();
      return done(t(res.changed ? 'permissions.grant.done' : 'permissions.grant.already', { role: roleName(t, r), permission }));
    },
  });

  const revoke = defineCommand({
    name: 'revoke',
    group: 'permissions',
    summaryKey: 'permissions.revoke.summary',
    args: grantArgs,
    permission: P.grantManage,
    mutates: grantsSomething,
    async run(ctx, { role: r, permission }) {
      const { t } = ctx;
      const help = grantHelp(t, 'revoke', r, permission);
      if (help || !r || !permission || !isPermission(permission)) return help;
      const res = management.revoke(ctx.principal, r, permission, ctx.chat);
      if (!res.ok) return refused(t, res.reason);
      if (!res.changed) ctx.noChange();
      const lines = [t(res.changed ? 'permissions.revoke.done' : 'permissions.revoke.none', { role: roleName(t, r), permission })];
      if (res.stillHeldVia) lines.push(t('permissions.revoke.stillHeld', { role: roleName(t, r), via: roleName(t, res.stillHeldVia) }));
      return { severity: res.stillHeldVia ? 'warning' : 'success', blocks: lines.map((text) => ({ kind: 'text' as const, text })) };
    },
  });

  const invite = defineCommand({
    name: 'invite',
    group: 'permissions',
    summaryKey: 'permissions.invite.summary',
    args: {
      role: arg.choice(['admin', 'family', 'guest'] as const, { descriptionKey: 'permissions.invite.role' }),
      platform: arg.choice(['any', 'telegram', 'discord'] as const, { descriptionKey: 'permissions.invite.platform', required: false }),
      valid: arg.duration({
        descriptionKey: 'permissions.invite.valid',
        required: false,
        minMs: INVITE_TTL.minMs,
        maxMs: INVITE_TTL.maxMs,
      }),
    },
    permission: P.inviteCreate,
    mutates: true,
    ephemeral: true,
    privateOnly: true,
    async run(ctx, { role: r, platform, valid }) {
      const { t } = ctx;
      const ttl = valid ?? deps.inviteTtlMs;
      const only: Platform | undefined = platform === 'telegram' || platform === 'discord' ? platform : undefined;
      const res = deps.invites.createInvite(ctx.principal, r, ttl, only ? { platform: only } : {});
      if (!res.ok) return refused(t, res.reason);
      const bot = deps.telegramUsername();
      const lines = [t('permissions.invite.created', { role: roleName(t, r), valid: formatDurationShort(ttl) })];
      if (bot && only !== 'discord') lines.push(t('permissions.invite.telegram', { link: `https://t.me/${bot}?start=${res.code}` }));
      lines.push(t('permissions.invite.code', { code: res.code }));
      return { severity: 'success', ephemeral: true, blocks: lines.map((text) => ({ kind: 'text' as const, text })) };
    },
  });

  /** Joins the caller's identity to the person who made the code (a stranger's identity, or a known one moving over). */
  const redeemLink = (t: Translate, code: string, caller: Caller): OutMessage => {
    const r = deps.linking.redeemLinkCode(code, caller.identity, caller.displayName);
    if (!r.ok) return warn(t(`permissions.link.${r.reason === 'bad-identity' ? 'unknown' : r.reason}`));
    tellOwnersOfLink(deps, r.principal, r.from);
    return done(t('permissions.link.linked', { name: r.principal.displayName }));
  };

  const link = defineCommand({
    name: 'link',
    group: 'permissions',
    summaryKey: 'permissions.link.summary',
    args: { code: arg.string({ descriptionKey: 'permissions.link.code', required: false, maxLength: 20, pattern: /^[\w-]+$/ }) },
    permission: P.identityLink,
    mutates: true,
    ephemeral: true,
    privateOnly: true,
    cancelShownCode: (raw) => (raw.code ? deps.linking.cancel(raw.code) : false),
    async run(ctx, { code }) {
      const { t } = ctx;
      if (code) return redeemLink(t, code, ctx.principal);
      const made = deps.linking.createLinkCode(ctx.principal);
      return {
        ephemeral: true,
        blocks: [
          { kind: 'text', text: t('permissions.link.created') },
          { kind: 'code', text: `/link ${made.code}` },
        ],
      };
    },
    async runForStranger(ctx, { code }) {
      // Without a code nothing of its own: the pipeline's one neutral reply on first contact, as for any other message.
      return code ? redeemLink(ctx.t, code, ctx.stranger) : undefined;
    },
  });

  /** The chat a /ceiling names: an explicit `platform:id` / id of a group, else the current chat. */
  const targetChat = (here: ChatRef, named: string | undefined): ChatRef => {
    if (!named) return here;
    const address = parseAddress(named);
    return { platform: address?.platform ?? here.platform, id: address?.id ?? named, kind: 'group' };
  };

  const ceiling = defineCommand({
    name: 'ceiling',
    group: 'permissions',
    summaryKey: 'permissions.ceiling.summary',
    args: {
      role: arg.choice([...ROLES, 'none'] as const, { descriptionKey: 'permissions.ceiling.role', required: false }),
      chat: arg.string({ descriptionKey: 'permissions.ceiling.chat', required: false, maxLength: 80, pattern: CHAT_ARG }),
    },
    permission: P.ceilingManage,
    mutates: (a) => a.role !== undefined, // without a role it shows the ceilings
    async run(ctx, { role: r, chat: named }) {
      const { t } = ctx;
      const chat = targetChat(ctx.chat, named);
      const label = named ? chatAddress(chat) : t('permissions.ceiling.thisChat');
      if (!r) {
        if (chat.kind === 'group') {
          const current = grants.chatCeiling(chat);
          return textMessage(current ? t('permissions.ceiling.current', { role: roleName(t, current) }) : t('permissions.ceiling.none'));
        }
        const all = grants.chatCeilings();
        if (all.length === 0) return textMessage(t('permissions.ceiling.listEmpty'));
        const items = all.map((c) =>
          t(c.fromConfig ? 'permissions.ceiling.itemConfig' : 'permissions.ceiling.item', {
            chat: chatAddress(c.chat),
            role: roleName(t, c.maxRole),
          }),
        );
        const actions = all
          .filter((c) => !c.fromConfig)
          .map((c) => [
            ctx.action(t('permissions.ceiling.lift', { chat: chatAddress(c.chat) }), 'ceiling', {
              role: 'none',
              chat: chatAddress(c.chat),
            }),
          ]);
        return { title: t('permissions.ceiling.listTitle'), blocks: [{ kind: 'list', items }], ...(actions.length ? { actions } : {}) };
      }
      const res = management.setChatCeiling(ctx.principal, chat, r === 'none' ? null : (r as Role), ctx.chat);
      if (!res.ok) return refused(t, res.reason);
      const lines = [
        r === 'none'
          ? t('permissions.ceiling.lifted', { chat: label })
          : t('permissions.ceiling.set', { role: roleName(t, r), chat: label }),
      ];
      if (res.effective && res.effective !== r)
        lines.push(t('permissions.ceiling.configured', { chat: label, role: roleName(t, res.effective) }));
      return { severity: 'success', blocks: lines.map((text) => ({ kind: 'text' as const, text })) };
    },
  });

  /** Claims the first-run setup code: the caller becomes the owner (normally a stranger; the code is one-time either way). */
  const claimSetup = async (t: Translate, code: string, caller: Caller): Promise<OutMessage> => {
    if (!parseIdentity(caller.identity)) return warn(t('permissions.setup.invalid'));
    const r = deps.setup.claim(code, caller.identity, caller.displayName);
    if (r.ok) return done(t('permissions.setup.done'));
    return warn(t(r.reason === 'owner-exists' ? 'permissions.setup.owner-exists' : 'permissions.setup.invalid'));
  };

  const setup = defineCommand({
    name: 'setup',
    group: 'permissions',
    summaryKey: 'permissions.setup.summary',
    args: { code: arg.string({ descriptionKey: 'permissions.setup.code', maxLength: 40, pattern: /^[\w-]+$/ }) },
    permission: P.sessionStart,
    mutates: true,
    ephemeral: true,
    privateOnly: true,
    cancelShownCode: (raw) => (raw.code ? deps.setup.cancel(raw.code) : false),
    hidden: true,
    run: (ctx, { code }) => claimSetup(ctx.t, code, ctx.principal),
    runForStranger: (ctx, { code }) => claimSetup(ctx.t, code, ctx.stranger),
  });

  return [role, grant, revoke, invite, link, auditCommand(deps), ceiling, setup];
}
