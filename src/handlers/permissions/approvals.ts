/**
 * The approval flow and the stranger notice. A denied `requestable` command offers "Ask an
 * admin" (a pipeline button running approval-request); every admin who holds the permission
 * gets Approve/Deny buttons of their own; the first decision runs the request as the
 * requester (approver recorded) and closes everyone else's buttons.
 */
import type { Translate } from '../../core/i18n.ts';
import { textMessage, type OutMessage } from '../../core/outmessage.ts';
import { privateChatOf } from '../../permissions/chat.ts';
import { P } from '../../permissions/permissions.ts';
import { arg, parseNamed } from '../args.ts';
import { defineCommand, type AnyCommand } from '../command.ts';
import type { PipelineHooks } from '../pipeline.ts';
import { chatAddress, onePerPerson, roleName, type PermissionDeps } from './deps.ts';

const DECIDE = 'approval-decide';
const ADMIT = 'admit';
const BUTTON_TTL_MS = 24 * 3_600_000;
const STRANGER_BUTTON_TTL_MS = 7 * 24 * 3_600_000;

const warn = (text: string): OutMessage => textMessage(text, { severity: 'warning' });

/** `/allow example.org` for people to read. */
function commandLine(command: string, args: Readonly<Record<string, string>>): string {
  return [`/${command}`, ...Object.values(args)].join(' ').slice(0, 200);
}

/** Parses the JSON argument map a request button carries; undefined unless it is flat strings. */
function parseArgs(json: string): Record<string, string> | undefined {
  try {
    const v: unknown = JSON.parse(json);
    if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
    const entries = Object.entries(v);
    if (entries.some(([k, x]) => typeof x !== 'string' || k.startsWith('$'))) return undefined;
    return Object.fromEntries(entries) as Record<string, string>;
  } catch {
    return undefined;
  }
}

/**
 * The pipeline's `onDenied` hook: a denied `requestable` command offers an "Ask an admin" button
 * (one-shot, for the requester only) that runs approval-request with the command and its raw args.
 */
export const askAnAdmin: NonNullable<PipelineHooks['onDenied']> = (req, tools) => {
  if (!req.command.requestable) return undefined;
  const ask = tools.action(
    req.t('pipeline.askApproval'),
    'approval-request',
    { command: req.command.name, args: JSON.stringify(req.raw) },
    { oneShot: true },
  );
  return { blocks: [{ kind: 'text', text: req.t('pipeline.deniedRequestable') }], severity: 'warning', actions: [[ask]] };
};

/** Builds approval-request, approval-decide and admit (button-only commands). */
export function approvalCommands(deps: PermissionDeps): AnyCommand[] {
  const { access, approvals, tokens } = deps;

  const request = defineCommand({
    name: 'approval-request',
    group: 'permissions',
    summaryKey: 'permissions.approval.requestSummary',
    args: {
      command: arg.string({ descriptionKey: 'permissions.approval.command', maxLength: 32, pattern: /^[a-z][a-z0-9_-]*$/ }),
      args: arg.string({ descriptionKey: 'permissions.approval.args', maxLength: 2000 }),
    },
    permission: P.approvalRequest,
    hidden: true,
    mutates: true,
    async run(ctx, { command, args: json }) {
      const { t } = ctx;
      const target = deps.registry().get(command);
      if (!target?.requestable) return warn(t('permissions.approval.notRequestable'));
      const raw = parseArgs(json);
      if (!raw || !parseNamed(target.args, raw).ok) return warn(t('permissions.approval.badRequest'));
      if (access.can(ctx.principal, ctx.chat, target.permission)) return textMessage(t('permissions.approval.alreadyAllowed'));
      const approvers = onePerPerson(
        access.approversFor(target.permission).filter((p) => p.personId !== ctx.principal.personId),
        ctx.chat.platform,
      );
      if (approvers.length === 0) return warn(t('permissions.approval.noApprover'));
      const id = approvals.requestApproval({
        requester: ctx.principal,
        chat: ctx.chat,
        command: target.name,
        args: raw,
        permission: target.permission,
      });
      const line = commandLine(target.name, raw);
      for (const approver of approvers) {
        const chat = privateChatOf(approver.identity);
        if (!chat) continue;
        const button = (decision: 'approve' | 'deny') =>
          tokens.create({
            command: DECIDE,
            args: { id: String(id), decision },
            allowedIdentity: approver.identity,
            chat,
            ttlMs: BUTTON_TTL_MS,
            oneShot: true,
          });
        const approve = button('approve');
        const deny = button('deny');
        deps.notify(approver.identity, (at: Translate) => ({
          title: at('permissions.approval.title'),
          severity: 'info',
          blocks: [
            { kind: 'text', text: at('permissions.approval.ask', { name: ctx.principal.displayName, command: line }) },
            { kind: 'text', text: at('permissions.approval.where', { chat: chatAddress(ctx.chat) }) },
          ],
          actions: [
            [
              { label: at('permissions.approval.approve'), token: approve, style: 'primary' },
              { label: at('permissions.approval.deny'), token: deny, style: 'danger' },
            ],
          ],
        }));
      }
      return textMessage(t('permissions.approval.sent'), { severity: 'success' });
    },
  });

  const decide = defineCommand({
    name: DECIDE,
    group: 'permissions',
    summaryKey: 'permissions.approval.decideSummary',
    args: {
      id: arg.integer({ descriptionKey: 'permissions.approval.id', min: 1 }),
      decision: arg.choice(['approve', 'deny'] as const, { descriptionKey: 'permissions.approval.decision' }),
    },
    permission: P.approvalDecide,
    hidden: true,
    mutates: true,
    async run(ctx, { id, decision }) {
      const { t } = ctx;
      const pending = approvals.get(id);
      const target = pending && deps.registry().get(pending.command);
      // Never run something whose permission changed since it was asked for.
      if (pending && (!target || target.permission !== pending.permission)) return warn(t('permissions.approval.commandGone'));
      const r = approvals.decide(id, ctx.principal, decision, ctx.chat);
      if (!r.ok) return warn(t(`permissions.approval.${r.reason}`));
      tokens.revokeWhere(DECIDE, 'id', String(id));
      const line = commandLine(r.request.command, r.request.args);
      const approver = ctx.principal.displayName;
      if (decision === 'deny') {
        deps.notify(r.requester.identity, (rt) => warn(rt('permissions.approval.youDenied', { approver, command: line })));
        return textMessage(t('permissions.approval.denied', { name: r.requester.displayName }));
      }
      deps.audit.record({
        at: deps.now(),
        identity: r.requester.identity,
        chat: chatAddress(r.request.chat),
        command: r.request.command,
        args: r.request.args,
        result: 'approved',
        detail: `approved by ${ctx.principal.identity} (request #${id})`,
      });
      deps.notify(r.requester.identity, (rt) =>
        textMessage(rt('permissions.approval.youApproved', { approver, command: line }), { severity: 'success' }),
      );
      await deps.runApproved(r.request, r.requester, ctx.principal);
      return textMessage(t('permissions.approval.approved', { command: line, name: r.requester.displayName }), { severity: 'success' });
    },
  });

  const admit = defineCommand({
    name: ADMIT,
    group: 'permissions',
    summaryKey: 'permissions.admit.summary',
    args: {
      identity: arg.string({
        descriptionKey: 'permissions.admit.identity',
        maxLength: 80,
        pattern: /^(telegram|discord|console):[\w.-]+$/,
      }),
      role: arg.choice(['admin', 'family', 'guest'] as const, { descriptionKey: 'permissions.invite.role' }),
    },
    permission: P.inviteCreate,
    hidden: true,
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
      deps.notify(identity, (nt) => textMessage(nt('permissions.admit.welcome', { role: roleName(nt, role) }), { severity: 'success' }));
      return textMessage(t('permissions.admit.done', { name: r.principal.displayName, role: roleName(t, role) }), { severity: 'success' });
    },
  });

  return [request, decide, admit];
}

/** Tells each owner once about a stranger, with an "Invite as family" button of their own. */
export function notifyOwnersOfStranger(deps: PermissionDeps, identity: string, displayName: string): void {
  const platform = identity.split(':')[0] ?? '';
  const owners = onePerPerson(
    deps.access.approversFor(P.grantManage).filter((p) => p.role === 'owner'),
    platform,
  );
  for (const owner of owners) {
    const chat = privateChatOf(owner.identity);
    if (!chat) continue;
    const token = deps.tokens.create({
      command: ADMIT,
      args: { identity, role: 'family' },
      allowedIdentity: owner.identity,
      chat,
      ttlMs: STRANGER_BUTTON_TTL_MS,
      oneShot: true,
    });
    deps.notify(owner.identity, (t) => ({
      title: t('permissions.stranger.title'),
      blocks: [{ kind: 'text', text: t('permissions.stranger.text', { name: displayName.slice(0, 64), identity }) }],
      actions: [[{ label: t('permissions.stranger.invite'), token, style: 'primary' }]],
    }));
  }
}
