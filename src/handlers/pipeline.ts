/**
 * The dispatch pipeline (grammY composer idea: a few small steps in a fixed order):
 * who is this → may they → parse the arguments → confirm if destructive → run → reply.
 * Button presses re-enter the same pipeline through their server-side token.
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../core/clock.ts';
import { pickLanguage, type Language, type Messages, type Translate } from '../core/i18n.ts';
import type { Logger } from '../core/logger.ts';
import { textMessage, type OutMessage } from '../core/outmessage.ts';
import type { AccessControl, ChatRef, Principal } from '../permissions/access.ts';
import type { ActionTokens } from '../permissions/action-tokens.ts';
import type { AuditLog } from '../permissions/audit.ts';
import { parseNamed, splitPositional, type ArgError } from './args.ts';
import type { ActionOptions, AnyCommand, Attachment, CommandContext, MessageHandle } from './command.ts';
import type { CommandRegistry } from './registry.ts';
import { usageLine } from './usage.ts';

export type { ChatRef } from '../permissions/access.ts';

/** What the user sent. */
export type Input =
  | { readonly kind: 'command'; readonly name: string; readonly text: string }
  /** Named option values (Discord slash commands). */
  | { readonly kind: 'options'; readonly name: string; readonly options: Readonly<Record<string, string>> }
  | { readonly kind: 'action'; readonly token: string }
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'document'; readonly attachment: Attachment };

/** One message or button press from a chat platform. */
export interface Invocation {
  readonly chat: ChatRef;
  readonly user: { readonly identity: string; readonly displayName: string; readonly languageCode?: string };
  readonly input: Input;
}

/** Where replies go; implemented by each adapter. */
export interface ReplySink {
  send(message: OutMessage): Promise<MessageHandle>;
  /** Edits the message whose button was pressed (used to close confirmations). */
  updateOrigin?(message: OutMessage): Promise<void>;
}

/** Reserved arg keys carried inside action tokens (never accepted from user input). */
const CONFIRMED = '$confirmed';
const CANCEL_COMMAND = '$cancel';
const CONFIRM_TTL_MS = 5 * 60_000;
const BUTTON_TTL_MS = 24 * 3_600_000;

export interface PipelineDeps {
  readonly registry: CommandRegistry;
  readonly access: AccessControl;
  readonly tokens: ActionTokens;
  readonly audit: AuditLog;
  readonly messages: Messages;
  readonly clock: Clock;
  readonly log: Logger;
  readonly defaultLanguage: Language;
  /** Called the first time an unknown user writes (to tell the owner). */
  readonly onUnknownUser?: (identity: string, displayName: string) => void;
}

/** Options of one run. */
export interface RunOptions {
  readonly confirmed?: boolean;
  readonly approvedBy?: Principal;
  readonly attachment?: Attachment;
  /** The invocation was a button press (one-shot semantics already enforced by the token). */
  readonly viaButton?: boolean;
}

export class Pipeline {
  constructor(private readonly deps: PipelineDeps) {}

  /** Language for a user: stored choice, else the platform's language code, else the default. */
  languageFor(identity: string, languageCode?: string): Language {
    return (
      this.deps.access.getLanguage(identity) ??
      (languageCode ? pickLanguage(languageCode, this.deps.defaultLanguage) : this.deps.defaultLanguage)
    );
  }

  /** Handles one invocation end to end; never throws. */
  async handle(inv: Invocation, sink: ReplySink): Promise<void> {
    const lang = this.languageFor(inv.user.identity, inv.user.languageCode);
    const t = this.deps.messages.forLanguage(lang);
    try {
      await this.dispatch(inv, sink, lang, t);
    } catch (e) {
      const ref = randomBytes(4).toString('hex');
      this.deps.log.error({ err: e, ref, chat: inv.chat.id }, 'invocation failed');
      await sink.send(textMessage(t('pipeline.internalError', { ref }), { severity: 'critical' })).catch(() => undefined);
    }
  }

  private async dispatch(inv: Invocation, sink: ReplySink, lang: Language, t: Translate): Promise<void> {
    const { access } = this.deps;
    const principal = access.resolve(inv.user.identity);
    const resolved = this.resolveInput(inv);
    if (!principal) {
      // Unknown users may only run commands built for them (accepting an invite).
      if (resolved.ok && resolved.command.name !== CANCEL_COMMAND && resolved.command.allowUnknown) {
        const guest: Principal = { personId: 0, identity: inv.user.identity, role: 'guest', displayName: inv.user.displayName };
        await this.run(resolved.command, resolved.raw, guest, inv.chat, lang, t, sink, { ...resolved.opts, skipPermission: true });
        return;
      }
      if (access.noteUnknownUser(inv.user.identity, inv.user.displayName) === 'first') {
        this.deps.onUnknownUser?.(inv.user.identity, inv.user.displayName);
        await sink.send(textMessage(t('pipeline.unknownUser')));
      }
      return;
    }
    if (!access.consumeRateLimit(principal.identity)) {
      await sink.send(textMessage(t('pipeline.rateLimited')));
      return;
    }
    if (!resolved.ok) {
      if (resolved.reply) await sink.send(textMessage(t(resolved.reply.key, resolved.reply.params), { severity: 'warning' }));
      return;
    }
    if (resolved.command.name === CANCEL_COMMAND) {
      this.deps.audit.record({
        at: this.deps.clock.now(),
        identity: principal.identity,
        chat: chatKey(inv.chat),
        command: resolved.raw.command ?? '?',
        args: {},
        result: 'cancelled',
      });
      await this.closeOrigin(sink, t('pipeline.cancelled'));
      return;
    }
    await this.run(resolved.command, resolved.raw, principal, inv.chat, lang, t, sink, resolved.opts);
  }

  /** Runs a command as `principal` (also used by the approval flow to run a request as its requester). */
  async run(
    command: AnyCommand,
    raw: Readonly<Record<string, string>>,
    principal: Principal,
    chat: ChatRef,
    lang: Language,
    t: Translate,
    sink: ReplySink,
    opts: RunOptions & { skipPermission?: boolean } = {},
  ): Promise<void> {
    const { access, audit, clock } = this.deps;
    const auditBase = { identity: principal.identity, chat: chatKey(chat), command: command.name, args: raw };
    const record = (result: string, detail?: string): void => {
      if (command.mutates || opts.approvedBy || result === 'denied') {
        // An approved run names its approver in the same row as its result.
        const full = [opts.approvedBy ? `approved by ${opts.approvedBy.identity}` : undefined, detail].filter(Boolean).join('; ');
        audit.record({ at: clock.now(), ...auditBase, result, ...(full ? { detail: full } : {}) });
      }
    };

    if (!opts.skipPermission) {
      const allowed = opts.approvedBy
        ? access.can(opts.approvedBy, chat, command.permission)
        : access.can(principal, chat, command.permission);
      if (!allowed) {
        record('denied');
        const request = command.requestable ? this.deps.registry.get('approval-request') : undefined;
        const actions = request
          ? [
              [
                this.makeAction(
                  principal,
                  chat,
                  t('pipeline.askApproval'),
                  request.name,
                  { command: command.name, args: JSON.stringify(raw) },
                  { oneShot: true },
                ),
              ],
            ]
          : undefined;
        await sink.send({
          blocks: [{ kind: 'text', text: t(request ? 'pipeline.deniedRequestable' : 'pipeline.denied') }],
          severity: 'warning',
          ...(actions ? { actions } : {}),
        });
        return;
      }
    }

    const parsed = parseNamed(command.args, raw);
    if (!parsed.ok) {
      await sink.send(textMessage(this.argErrorText(t, parsed.error, command), { severity: 'warning' }));
      return;
    }

    const destructive = typeof command.destructive === 'function' ? command.destructive(parsed.value) : Boolean(command.destructive);
    if (destructive && !opts.confirmed && !opts.approvedBy) {
      const confirmArgs = { ...raw, [CONFIRMED]: '1' };
      const question = t(command.confirmKey ?? 'pipeline.confirm', { command: command.name, ...raw });
      await sink.send({
        blocks: [{ kind: 'text', text: question }],
        severity: 'warning',
        actions: [
          [
            this.makeAction(principal, chat, t('pipeline.confirmButton'), command.name, confirmArgs, {
              oneShot: true,
              ttlMs: CONFIRM_TTL_MS,
              style: 'danger',
            }),
            this.makeAction(
              principal,
              chat,
              t('pipeline.cancelButton'),
              CANCEL_COMMAND,
              { command: command.name },
              { oneShot: true, ttlMs: CONFIRM_TTL_MS },
            ),
          ],
        ],
      });
      return;
    }
    if (destructive && opts.confirmed) await this.closeOrigin(sink, t('pipeline.confirmed'));

    const ctx: CommandContext = {
      principal,
      chat,
      lang,
      t,
      log: this.deps.log.child({ command: command.name }),
      now: () => clock.now(),
      action: (label, name, args = {}, o = {}) =>
        this.makeAction(principal, chat, label, name, args, { oneShot: o.oneShot ?? Boolean(this.deps.registry.get(name)?.mutates), ...o }),
      // Replies of an ephemeral command stay private even when a button re-runs it in a group.
      send: (m) => sink.send(command.ephemeral ? { ...m, ephemeral: true } : m),
      ...(opts.attachment ? { attachment: opts.attachment } : {}),
      ...(opts.approvedBy ? { approvedBy: opts.approvedBy } : {}),
    };
    try {
      const reply = await command.run(ctx, parsed.value);
      const failed = reply?.severity === 'critical' || reply?.severity === 'warning';
      record(
        failed ? 'failed' : 'ok',
        failed
          ? reply?.blocks
              .map((b) => ('text' in b ? b.text : ''))
              .join(' ')
              .slice(0, 200)
          : undefined,
      );
      if (reply) await sink.send(command.ephemeral ? { ...reply, ephemeral: true } : reply);
    } catch (e) {
      const ref = randomBytes(4).toString('hex');
      this.deps.log.error({ err: e, ref, command: command.name }, 'command failed');
      record('error', `internal error ref ${ref}`);
      await sink.send(textMessage(t('pipeline.internalError', { ref }), { severity: 'critical' }));
    }
  }

  private resolveInput(
    inv: Invocation,
  ): { ok: true; command: AnyCommand; raw: Record<string, string>; opts: RunOptions } | { ok: false; reply?: ArgError } {
    const { registry, tokens } = this.deps;
    const input = inv.input;
    switch (input.kind) {
      case 'command':
      case 'options': {
        const command = registry.get(input.name);
        if (!command) return { ok: false, reply: { key: 'pipeline.unknownCommand', params: { name: input.name.slice(0, 32) } } };
        if (input.kind === 'options') return { ok: true, command, raw: stripReserved(input.options), opts: {} };
        const split = splitPositional(command.args, input.text);
        if (!split.ok) return { ok: false, reply: { key: split.error.key, params: { ...split.error.params, usage: usageLine(command) } } };
        return { ok: true, command, raw: stripReserved(split.value), opts: {} };
      }
      case 'action': {
        const taken = tokens.take(input.token, inv.user.identity);
        if (!taken.ok) return { ok: false, reply: { key: `pipeline.token.${taken.reason}`, params: {} } };
        if (taken.command === CANCEL_COMMAND) {
          return { ok: true, command: cancelCommand, raw: { ...taken.args }, opts: { viaButton: true } };
        }
        const command = registry.get(taken.command);
        if (!command) return { ok: false, reply: { key: 'pipeline.token.unknown', params: {} } };
        const { [CONFIRMED]: confirmed, ...args } = taken.args;
        return { ok: true, command, raw: args, opts: { confirmed: confirmed === '1', viaButton: true } };
      }
      case 'text': {
        for (const command of registry.all()) {
          const raw = command.fromText?.(input.text);
          if (raw) return { ok: true, command, raw: stripReserved(raw), opts: {} };
        }
        return { ok: false, reply: { key: 'pipeline.notACommand', params: {} } };
      }
      case 'document': {
        const command = registry.all().find((c) => c.acceptsDocument?.(input.attachment.fileName));
        if (!command) return { ok: false, reply: { key: 'pipeline.documentNotUnderstood', params: {} } };
        return { ok: true, command, raw: {}, opts: { attachment: input.attachment } };
      }
    }
  }

  private makeAction(
    principal: Principal,
    chat: ChatRef,
    label: string,
    command: string,
    args: Readonly<Record<string, string>>,
    o: ActionOptions,
  ) {
    const token = this.deps.tokens.create({
      command,
      args: { ...args },
      ...(o.personal === false ? {} : { allowedIdentity: principal.identity }),
      chat,
      ttlMs: o.ttlMs ?? BUTTON_TTL_MS,
      oneShot: o.oneShot ?? false,
    });
    return { label, token, ...(o.style ? { style: o.style } : {}) };
  }

  private argErrorText(t: Translate, e: ArgError, command: AnyCommand): string {
    return `${t(e.key, e.params)}\n${t('pipeline.usage', { usage: usageLine(command) })}`;
  }

  private async closeOrigin(sink: ReplySink, text: string): Promise<void> {
    if (sink.updateOrigin) await sink.updateOrigin(textMessage(text)).catch(() => undefined);
  }
}

/** `platform:id` of a chat, as used in audit entries and bindings. */
export function chatKey(chat: ChatRef): string {
  return `${chat.platform}:${chat.id}`;
}

function stripReserved(raw: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(raw).filter(([k]) => !k.startsWith('$')));
}

/** Internal pseudo-command behind every Cancel button; never registered or listed. */
const cancelCommand: AnyCommand = {
  name: CANCEL_COMMAND,
  group: 'bot',
  summaryKey: 'pipeline.cancelled',
  args: {},
  permission: 'bot.session.start',
  run: async () => undefined,
};
