/**
 * The approval flow. A denied `requestable` command offers "Ask an
 * admin" (a pipeline button running approval-request); every admin who holds the permission
 * gets Approve/Deny buttons of their own; the first decision runs the request as the
 * requester (approver recorded) and closes everyone else's buttons.
 */
import type { Translate } from '../../core/i18n.ts';
import { textMessage, type OutMessage } from '../../core/outmessage.ts';
import { chatAddress, privateChatOf, type ChatRef } from '../../core/chat-address.ts';
import { P } from '../../permissions/permissions.ts';
import { arg, normaliseArgs, parseNamed } from '../args.ts';
import { defineCommand, type AnyCommand } from '../command.ts';
import type { PipelineHooks } from '../pipeline.ts';
import { argLabels, type ArgLabel } from '../usage.ts';
import { onePerPerson, type PermissionDeps } from './deps.ts';

const DECIDE = 'approval-decide';
const REQUEST = 'approval-request';
const BUTTON_TTL_MS = 24 * 3_600_000;

const warn = (text: string): OutMessage => textMessage(text, { severity: 'warning' });

/** Invisible or control characters that could make a shown value read as something else. */
const DECEPTIVE = /[\u0000-\u001f\u007f-\u009f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]/;

/** One value as shown to an approver: as is, or JSON-quoted when it hides characters. */
const shown = (v: string): string => (DECEPTIVE.test(v) ? JSON.stringify(v) : v);

/** `name = value` per argument, never truncated: exactly what will run. */
export function argumentLines(args: Readonly<Record<string, string>>, label: ArgLabel = (name) => name): string[] {
  return Object.entries(args).map(([k, v]) => `${label(k)} = ${shown(v)}`);
}

/** Where a request was asked: a group by its title (as it hides nothing), else the chat's address. */
function whereAsked(t: Translate, chat: ChatRef): string {
  return chat.kind === 'group' && chat.title
    ? t('permissions.approval.whereGroup', { title: shown(chat.title) })
    : t('permissions.approval.where', { chat: chatAddress(chat) });
}

/** `/allow domain = example.org` for people to read in one line. */
function commandLine(command: string, args: Readonly<Record<string, string>>, label: ArgLabel): string {
  return [`/${command}`, ...argumentLines(args, label)].join(' · ');
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
  // A request that could not run once approved is refused now, to whoever could ask (others get the plain denial).
  const parsed = req.command.refuseRequest && parseNamed(req.command.args, req.raw);
  const refusal = parsed?.ok ? req.command.refuseRequest?.(req.t, parsed.value) : undefined;
  if (refusal) return tools.mayPress(REQUEST) ? refusal : undefined;
  const ask = (label: string, raw: Readonly<Record<string, string>>) =>
    tools.action(label, REQUEST, { command: req.command.name, args: JSON.stringify(raw) }, { oneShot: true });
  // A choice the command would ask for later (a download folder) is made now, so the approved run needs nothing more.
  const choices = req.command.requestChoices?.(req.raw) ?? [];
  const actions =
    choices.length > 0
      ? choices.map((c) => [ask(req.t('pipeline.askApprovalWith', { choice: c.label }), c.raw)])
      : [[ask(req.t('pipeline.askApproval'), req.raw)]];
  return { blocks: [{ kind: 'text', text: req.t('pipeline.deniedRequestable') }], severity: 'warning', actions };
};

/** Builds approval-request and approval-decide (button-only commands). */
export function approvalCommands(deps: PermissionDeps): AnyCommand[] {
  const { access, approvals, tokens } = deps;

  const request = defineCommand({
    name: REQUEST,
    group: 'permissions',
    summaryKey: 'permissions.approval.requestSummary',
    args: {
      command: arg.string({ descriptionKey: 'permissions.approval.command', maxLength: 32, pattern: /^[a-z][a-z0-9_-]*$/ }),
      // Server-side in the token's row (never in callback data): room for the longest requestable
      // argument as JSON (a magnet link of /addtorrent is up to 8192 characters, with many trackers often over 2000).
      args: arg.string({ descriptionKey: 'permissions.approval.args', maxLength: 20_000 }),
    },
    permission: P.approvalRequest,
    hidden: true,
    buttonOnly: true,
    mutates: true,
    async run(ctx, { command, args: json }) {
      const { t } = ctx;
      const target = deps.registry().get(command);
      if (!target?.requestable) return warn(t('permissions.approval.notRequestable'));
      const raw = parseArgs(json);
      if (!raw) return warn(t('permissions.approval.badRequest'));
      const parsed = parseNamed(target.args, raw);
      if (!parsed.ok) return warn(t('permissions.approval.badArguments', { problem: t(parsed.error.key, parsed.error.params) }));
      const refusal = target.refuseRequest?.(t, parsed.value);
      if (refusal) return refusal;
      // What is stored, shown and run is this normalised form, never the line as typed.
      const args = normaliseArgs(target.args, raw);
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
        args,
        permission: target.permission,
      });
      // Shown as stored: where it was asked is what the request row says.
      const where = approvals.get(id)?.chat ?? ctx.chat;
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
        deps.notify(approver.identity, (at: Translate) => {
          // Argument names in the approver's language; the values exactly as they will run.
          const lines = argumentLines(args, argLabels(deps.messages, at));
          return {
            title: at('permissions.approval.title'),
            severity: 'info',
            blocks: [
              {
                kind: 'text',
                text: at('permissions.approval.ask', {
                  name: ctx.principal.displayName,
                  command: target.name,
                  summary: at(target.summaryKey),
                }),
              },
              lines.length > 0 ? { kind: 'code', text: lines.join('\n') } : { kind: 'text', text: at('permissions.approval.noArguments') },
              { kind: 'text', text: whereAsked(at, where) },
            ],
            actions: [
              [
                { label: at('permissions.approval.approve'), token: approve, style: 'primary' },
                { label: at('permissions.approval.deny'), token: deny, style: 'danger' },
              ],
            ],
          };
        });
      }
      // The answer is a push to the requester's private chat: asked in a group, it does not come "here",
      // and this line goes privately too, so one the bot cannot write to yet learns in the group how to open that chat.
      return textMessage(t(ctx.chat.kind === 'group' ? 'permissions.approval.sentPrivately' : 'permissions.approval.sent'), {
        severity: 'success',
        ephemeral: true,
      });
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
    buttonOnly: true,
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
      // Each reader sees the argument names in their own language.
      const line = (lt: Translate): string => commandLine(r.request.command, r.request.args, argLabels(deps.messages, lt));
      const approver = ctx.principal.displayName;
      if (decision === 'deny') {
        deps.notify(r.requester.identity, (rt) => warn(rt('permissions.approval.youDenied', { approver, command: line(rt) })));
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
        textMessage(rt('permissions.approval.youApproved', { approver, command: line(rt) }), { severity: 'success' }),
      );
      await deps.runApproved(r.request, r.requester, ctx.principal);
      return textMessage(t('permissions.approval.approved', { command: line(t), name: r.requester.displayName }), { severity: 'success' });
    },
  });

  return [request, decide];
}
