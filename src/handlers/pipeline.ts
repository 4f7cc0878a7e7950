/**
 * The dispatch pipeline (grammY composer idea: a few small steps in a fixed order):
 * who is this → which command → authorize → parse → preflight → confirm → execute → record.
 * Each step is a method taking one `RunRequest`; the pipeline names no command: areas plug in
 * through `PipelineHooks` (the permissions area's "ask an admin") and commands through their
 * own fields (`preflight`, `destructive`). Button presses re-enter the same pipeline through
 * their server-side token.
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../core/clock.ts';
import { supportedLanguage, type Language, type Messages, type Translate } from '../core/i18n.ts';
import type { Logger } from '../core/logger.ts';
import { textMessage, type Action, type OutMessage } from '../core/outmessage.ts';
import { chatAddress } from '../core/chat-address.ts';
import type { AccessControl, Caller, ChatRef, Principal, Stranger } from '../permissions/access.ts';
import { isStranger } from '../permissions/people.ts';
import type { ActionTokens } from '../permissions/action-tokens.ts';
import type { AuditLog } from '../permissions/audit.ts';
import type { PeopleStore } from '../permissions/people.ts';
import { privateReplies, type PrivateCapableSink } from './private-replies.ts';
import { parseCommandLine, parseNamed, splitPositional, type ArgDefs, type ArgError, type ParsedArgs } from './args.ts';
import type { ActionOptions, AnyCommand, Attachment, CommandContext, MessageHandle, Reply, StrangerContext } from './command.ts';
import type { CommandRegistry } from './registry.ts';
import { argLabels, usageLine } from './usage.ts';

export type { ChatRef } from '../permissions/access.ts';

/** What the user sent. */
export type Input =
  | { readonly kind: 'command'; readonly name: string; readonly text: string }
  /** Named option values (Discord slash commands). */
  | { readonly kind: 'options'; readonly name: string; readonly options: Readonly<Record<string, string>> }
  | { readonly kind: 'action'; readonly token: string }
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'document'; readonly attachment: Attachment };

/** A typed line as input: a command when it reads as one (`parseCommandLine`), else plain text. */
export function typedInput(line: string): Input {
  const c = parseCommandLine(line);
  return c ? { kind: 'command', name: c.name, text: c.text } : { kind: 'text', text: line };
}

/** One message or button press from a chat platform. */
export interface Invocation {
  readonly chat: ChatRef;
  readonly user: { readonly identity: string; readonly displayName: string; readonly languageCode?: string };
  readonly input: Input;
}

/** Where replies go; implemented by each adapter. */
export interface ReplySink extends PrivateCapableSink {
  send(message: OutMessage): Promise<MessageHandle>;
  /** Edits the message whose button was pressed (used to close confirmations). */
  updateOrigin?(message: OutMessage): Promise<void>;
}

/** Reserved arg keys carried inside action tokens (never accepted from user input). */
const CONFIRMED = '$confirmed';
const CANCEL_COMMAND = '$cancel';
const CONFIRM_TTL_MS = 5 * 60_000;
const NO_HANDLE: MessageHandle = { edit: async () => undefined };
const BUTTON_TTL_MS = 24 * 3_600_000;

/** What the pipeline needs to authorise, run and audit a command: registry, access, tokens, audit, catalogues, time. */
export interface PipelineDeps {
  readonly registry: CommandRegistry;
  readonly access: AccessControl;
  /** Where strangers who write are noted. */
  readonly people: PeopleStore;
  /** Makes and redeems button tokens (the warm-up passes one that keeps nothing). */
  readonly tokens: Pick<ActionTokens, 'create' | 'take'>;
  readonly audit: AuditLog;
  readonly messages: Messages;
  readonly clock: Clock;
  readonly log: Logger;
  readonly defaultLanguage: Language;
  /** Called the first time an unknown user writes (to tell the owner). */
  readonly onUnknownUser?: (identity: string, displayName: string) => void;
}

/**
 * One command run, as every step sees it: who runs what, where, in which language, and where the
 * replies go. Built by `handle` from an invocation, or by an area (the approval flow runs an
 * approved request as its requester).
 */
export interface RunRequest {
  readonly command: AnyCommand;
  /** Raw argument values by name (validated by the parse step). */
  readonly raw: Readonly<Record<string, string>>;
  /** Who runs it: a known person, or a stranger (who may run only commands with `runForStranger`). */
  readonly caller: Caller;
  readonly chat: ChatRef;
  readonly lang: Language;
  readonly t: Translate;
  readonly sink: ReplySink;
  /** The Confirm button of this command was pressed. */
  readonly confirmed?: boolean;
  /** The run was approved by this admin (approval flow): audited with its result, never asks to confirm. */
  readonly approvedBy?: Principal;
  readonly attachment?: Attachment;
  /** The invocation was a button press (one-shot semantics already enforced by the token). */
  readonly viaButton?: boolean;
  /** Skip the authorize step: the caller already decided (invite acceptance, an approval decided elsewhere). */
  readonly skipPermission?: boolean;
}

/** What a hook may use to build a reply for the request's caller in the request's chat. */
export interface HookTools {
  /** A button bound to the request's caller and chat that runs `command` through the pipeline. */
  action(label: string, command: string, args: Readonly<Record<string, string>>, opts?: ActionOptions): Action;
  /** May the caller press a button running `command` here (run it, or ask for it)? */
  mayPress(command: string): boolean;
}

/**
 * Where areas plug behaviour into the fixed steps, so the pipeline names no command.
 * - `onDenied`: after the authorize step refused (and the denial was audited), the reply to send
 *   instead of the plain denial; the permissions area offers "Ask an admin" here.
 * Per-command hooks live on the Command itself (`preflight`, `destructive`, `confirmKey`).
 */
export interface PipelineHooks {
  onDenied?(request: RunRequest, tools: HookTools): OutMessage | undefined;
}

/**
 * How a run ended, as written in the audit log. A no-op (the command found nothing to change) is
 * recorded as `unchanged`: the intent row exists already, and who tried what stays worth knowing.
 */
export type RunResult = 'ok' | 'unchanged' | 'failed' | 'error' | 'denied';

/** Every message and button press goes through here: authorise, parse, preflight, confirm, execute, record. */
export class Pipeline {
  /** Audit rows written as 'started' for runs still in progress. */
  private readonly startedRows = new WeakMap<RunRequest, number>();
  /** Runs of a mutating command in one of its read-only forms: never audited as a change. */
  private readonly readOnlyRuns = new WeakSet<RunRequest>();
  /** Buttons handlers asked for that the viewer could not press: stripped before sending. */
  private readonly unusable = new WeakSet<Action>();
  /** Runs whose command said it changed nothing. */
  private readonly noChangeRuns = new WeakSet<RunRequest>();
  /** One child logger per command name (a pino child per message cost more than the rest of /help). */
  private readonly commandLogs = new Map<string, Logger>();

  constructor(
    private readonly deps: PipelineDeps,
    private readonly hooks: PipelineHooks = {},
  ) {}

  /**
   * Language for a reply: the /lang choice, else the app language this message carries (the
   * freshest; it is also remembered), else the app language remembered for this identity (what
   * pushes use: some messages and presses carry no language code), else the default.
   */
  languageFor(identity: string, languageCode?: string): Language {
    const person = this.deps.access.resolve(identity);
    return person?.language ?? supportedLanguage(languageCode) ?? person?.platformLanguage ?? this.deps.defaultLanguage;
  }

  /** Remembers the language the sender's app is set to, so pushes to them speak it too; a nicety, never a reason to fail. */
  private notePlatformLanguage(identity: string, languageCode: string | undefined): void {
    const lang = supportedLanguage(languageCode);
    if (!lang) return;
    try {
      this.deps.people.notePlatformLanguage(identity, lang);
    } catch (e) {
      this.deps.log.warn({ err: e }, 'could not store the platform language');
    }
  }

  /** Handles one invocation end to end; never throws. */
  async handle(inv: Invocation, groupSink: ReplySink): Promise<void> {
    const lang = this.languageFor(inv.user.identity, inv.user.languageCode);
    const t = this.deps.messages.forLanguage(lang);
    const sink = privateReplies(groupSink, inv.chat, t);
    try {
      await this.dispatch(inv, sink, lang, t);
    } catch (e) {
      const ref = randomBytes(4).toString('hex');
      this.deps.log.error({ err: e, ref, chat: inv.chat.id }, 'invocation failed');
      await sink.send(textMessage(t('pipeline.internalError', { ref }), { severity: 'critical' })).catch(() => undefined);
    }
  }

  /** A nicety, never a reason to fail the message: on a full disk the command still gets its own clear answer. */
  private adoptPlatformName(identity: string, displayName: string): boolean {
    try {
      return this.deps.people.adoptPlatformName(identity, displayName);
    } catch (e) {
      this.deps.log.warn({ err: e }, 'could not store the platform name');
      return false;
    }
  }

  /** Who is this → rate limit → which command: then the run steps, or a short reply. */
  private async dispatch(inv: Invocation, sink: ReplySink, lang: Language, t: Translate): Promise<void> {
    const { access } = this.deps;
    let principal = access.resolve(inv.user.identity);
    this.notePlatformLanguage(inv.user.identity, inv.user.languageCode);
    if (!principal) return this.stranger(inv, sink, lang, t);
    // An owner named in config is known before they first write: from then on, the name their platform shows.
    if (this.adoptPlatformName(principal.identity, inv.user.displayName)) principal = access.resolve(inv.user.identity) ?? principal;
    // The limit protects against floods from others; the owner at a terminal is never slowed down.
    // Checked before the input is resolved, so a rate-limited press does not use up its button.
    const verdict = principal.role === 'owner' ? 'allowed' : access.consumeRateLimit(principal.identity);
    if (verdict === 'refused-quietly') return; // already told this minute: a flood is not answered message by message
    if (verdict === 'refused') {
      this.deps.log.warn(
        { identity: principal.identity, chat: chatAddress(inv.chat) },
        'rate limit reached; further commands ignored for a minute',
      );
      this.deps.audit.record({
        at: this.deps.clock.now(),
        identity: principal.identity,
        chat: chatAddress(inv.chat),
        command: 'name' in inv.input ? inv.input.name : inv.input.kind,
        args: {},
        result: 'rate-limited',
      });
      await sink.send(textMessage(t('pipeline.rateLimited')));
      return;
    }
    const resolved = this.resolveInput(inv);
    if (!resolved.ok) {
      const reply = resolved.reply;
      if (reply) {
        const text = resolved.command ? this.argErrorText(t, reply, resolved.command) : t(reply.key, reply.params);
        await sink.send(textMessage(text, { severity: 'warning' }));
      }
      return;
    }
    if (resolved.command.name === CANCEL_COMMAND) {
      this.deps.audit.record({
        at: this.deps.clock.now(),
        identity: principal.identity,
        chat: chatAddress(inv.chat),
        command: resolved.raw.command ?? '?',
        args: {},
        result: 'cancelled',
      });
      await this.closeOrigin(sink, t('pipeline.cancelled'));
      return;
    }
    await this.run({ ...resolved.opts, command: resolved.command, raw: resolved.raw, caller: principal, chat: inv.chat, lang, t, sink });
  }

  /**
   * Someone the bot does not know. Nothing is written before the in-memory limit lets the message
   * through (a flood stops there); an ignored stranger is then dropped (only their last visit is written, at most daily). Commands built
   * for strangers (accepting an invite, /link, /setup) run and answer a code they were given; every other contact (a code-less
   * /start or /link included), and every such command that did not make them known, counts into one audit row per stranger per
   * hour, gets the one neutral reply on first contact only, and the owner is told about a new stranger once.
   */
  private async stranger(inv: Invocation, sink: ReplySink, lang: Language, t: Translate): Promise<void> {
    const { access, audit, people } = this.deps;
    const { identity, displayName } = inv.user;
    if (!access.consumeStrangerLimit(identity)) return;
    const ignored = access.strangerIgnored(identity);
    // A stranger presses nothing: not even looking the token up, so a shared button is never used up.
    const resolved = inv.input.kind === 'action' ? { ok: false as const } : this.resolveInput(inv);
    const command =
      resolved.ok && resolved.command.name !== CANCEL_COMMAND && resolved.command.runForStranger ? resolved.command : undefined;
    // Whether the stranger's command answered them itself (a code redeemed or refused): then no neutral reply.
    let answered = false;
    if (resolved.ok && command) {
      const stranger: Stranger = { stranger: true, identity, displayName };
      // An ignored stranger, and any stranger in a group, hears back only when the run let them in
      // (an invite the owner gave): a failed code is not repeated to a whole group, message by message.
      const held: OutMessage[] = [];
      const quiet = ignored || inv.chat.kind === 'group';
      const runSink: ReplySink = quiet
        ? { send: async (m) => (held.push(m), NO_HANDLE) }
        : { send: (m) => ((answered = true), sink.send(m)) };
      await this.run({ ...resolved.opts, command, raw: resolved.raw, caller: stranger, chat: inv.chat, lang, t, sink: runSink });
      if (access.resolve(identity)) {
        // Their app's language comes with this very message: it does not rest on a stranger row kept from before.
        this.notePlatformLanguage(identity, inv.user.languageCode);
        for (const m of held) await sink.send(m);
        return; // joined: the run audited that itself
      }
    }
    if (ignored) {
      people.noteIgnoredKnock(identity);
      return;
    }
    audit.tallyStranger({
      at: this.deps.clock.now(),
      identity,
      chat: chatAddress(inv.chat),
      command: resolved.ok ? resolved.command.name : attemptName(inv.input),
    });
    const first = people.noteStranger(identity, displayName) === 'first';
    this.notePlatformLanguage(identity, inv.user.languageCode);
    if (first) {
      this.deps.onUnknownUser?.(identity, displayName);
      if (!answered) await sink.send(textMessage(t('pipeline.unknownUser')));
    }
  }

  /**
   * Runs one request through the steps in order: authorize → parse → preflight → confirm →
   * execute; each step either lets the run go on or ends it with its own reply, and `record`
   * audits what happened. Also the entry point for areas that run a request themselves.
   */
  async run(req: RunRequest): Promise<void> {
    // Each step's own check first: a step is awaited only when it has something to say or do.
    if (!this.allowed(req) && !(await this.authorize(req))) return;
    if (this.mustBePrivate(req) && !(await this.privateOnly(req))) return;
    const args = parseNamed(req.command.args, req.raw);
    if (!args.ok) return this.argError(req, args.error);
    if (typeof req.command.mutates === 'function' && !req.command.mutates(args.value)) this.readOnlyRuns.add(req);
    if (isStranger(req.caller)) return this.executeForStranger(req, req.caller, args.value);
    const ctx = this.context(req, req.caller);
    const found = req.command.preflight ? await this.preflight(req, ctx, args.value) : { go: true as const };
    if (!found.go) return;
    if (destructive(req.command, args.value) && !(await this.confirm(req, args.value, found.confirmParams))) return;
    await this.execute(req, ctx, args.value);
  }

  /** Step 1's decision alone: may this caller run this command here (no reply, no audit). */
  private allowed(req: RunRequest): boolean {
    // A stranger may run only a command built for strangers.
    if (isStranger(req.caller)) return req.command.runForStranger !== undefined;
    return Boolean(req.skipPermission) || this.deps.access.can(req.approvedBy ?? req.caller, req.chat, req.command.permission);
  }

  /** Step 1b's decision alone: a command that makes a one-time code, asked in a group. */
  private mustBePrivate(req: RunRequest): boolean {
    return Boolean(req.command.privateOnly) && req.chat.kind === 'group';
  }

  /**
   * Step 1: may this caller run (a stranger: only a command built for strangers) this command in this chat (or, for an approved run, may the
   * approver)? On refusal audits `denied` and replies: the `onDenied` hook's reply, or the plain denial.
   */
  async authorize(req: RunRequest): Promise<boolean> {
    const { caller } = req;
    if (this.allowed(req)) return true;
    // A refused stranger is told nothing more.
    if (isStranger(caller)) return false;
    this.record(req, 'denied');
    const offer = this.hooks.onDenied?.(req, {
      action: (label, name, args, o = {}) => this.viewerAction(caller, req.chat, label, name, args, o),
      mayPress: (name) => this.mayPress(caller, req.chat, name),
    });
    // An offer whose every button the caller could not press (a guest cannot ask an admin) is the plain denial.
    const usable = offer && this.usableOnly(offer);
    const offered = usable && (!offer.actions?.length || usable.actions?.length) ? usable : undefined;
    await req.sink.send(offered ?? textMessage(req.t('pipeline.denied'), { severity: 'warning' }));
    return false;
  }

  /** Step 1b: a command that makes a one-time code runs only in a private chat (after authorize, so a denial is still audited). */
  async privateOnly(req: RunRequest): Promise<boolean> {
    if (!this.mustBePrivate(req)) return true;
    const cancelled = req.command.cancelShownCode?.(req.raw) ?? false;
    const text = req.t('pipeline.privateOnly', { command: req.command.name });
    await req.sink.send(textMessage(cancelled ? `${text}\n${req.t('pipeline.codeCancelled')}` : text, { severity: 'warning' }));
    return false;
  }

  /** Step 2: validates the raw arguments against the command's schema; replies with the error and usage when they do not fit. */
  async parse(req: RunRequest): Promise<{ ok: true; value: ParsedArgs<ArgDefs> } | { ok: false }> {
    const parsed = parseNamed(req.command.args, req.raw);
    if (parsed.ok) return { ok: true, value: parsed.value };
    await this.argError(req, parsed.error);
    return { ok: false };
  }

  /** Step 2's reply when the arguments do not fit: the error and the usage line. */
  private async argError(req: RunRequest, e: ArgError): Promise<void> {
    await req.sink.send(textMessage(this.argErrorText(req.t, e, req.command), { severity: 'warning' }));
  }

  /**
   * Step 3: the command's own look at the target before anything is asked or changed (does the
   * guest exist?). A reply from it ends the run (audited like a command's reply); no preflight, go on.
   */
  async preflight(
    req: RunRequest,
    ctx: CommandContext,
    args: ParsedArgs<ArgDefs>,
  ): Promise<{ go: true; confirmParams?: Readonly<Record<string, string>> } | { go: false }> {
    if (!req.command.preflight) return { go: true };
    const verdict = await this.guarded(req, () => req.command.preflight!(ctx, args));
    if (verdict === 'thrown') return { go: false };
    if (!verdict) return { go: true };
    if ('confirmParams' in verdict) return { go: true, confirmParams: verdict.confirmParams };
    await this.finish(req, verdict);
    return { go: false };
  }

  /**
   * Step 4: a destructive command asks first (Confirm/Cancel buttons bound to this caller);
   * pressing Confirm re-runs the whole pipeline. An approved run does not ask again.
   */
  async confirm(req: RunRequest, args: ParsedArgs<ArgDefs>, found: Readonly<Record<string, string>> = {}): Promise<boolean> {
    const { command, raw, t, sink } = req;
    if (!destructive(command, args)) return true;
    if (req.confirmed) {
      await this.closeOrigin(sink, t('pipeline.confirmed'));
      return true;
    }
    if (req.approvedBy) return true;
    const question = t(command.confirmKey ?? 'pipeline.confirm', { command: command.name, ...raw, ...found });
    await sink.send({
      blocks: [{ kind: 'text', text: question }],
      severity: 'warning',
      actions: [
        [
          this.makeAction(
            req.caller,
            req.chat,
            t('pipeline.confirmButton'),
            command.name,
            { ...raw, [CONFIRMED]: '1' },
            {
              oneShot: true,
              ttlMs: CONFIRM_TTL_MS,
              style: 'danger',
            },
          ),
          this.makeAction(
            req.caller,
            req.chat,
            t('pipeline.cancelButton'),
            CANCEL_COMMAND,
            { command: command.name },
            { oneShot: true, ttlMs: CONFIRM_TTL_MS },
          ),
        ],
      ],
    });
    return false;
  }

  /** Step 5: runs the command and sends its reply; an unexpected error becomes a reference the user can quote. */
  async execute(req: RunRequest, ctx: CommandContext, args: ParsedArgs<ArgDefs>): Promise<void> {
    if (this.mutating(req) && !this.recordStart(req)) {
      await req.sink.send(textMessage(req.t('pipeline.notRecorded'), { severity: 'critical' }));
      return;
    }
    const reply = await this.guarded(req, () => req.command.run(ctx, args));
    if (reply !== 'thrown') await this.finish(req, reply);
  }

  /** Step 5 for a stranger: the command's stranger entry point, audited like any run. */
  private async executeForStranger(req: RunRequest, stranger: Stranger, args: ParsedArgs<ArgDefs>): Promise<void> {
    const run = req.command.runForStranger;
    if (!run) return;
    // No intent row: a stranger's command changes only the bot's own tables (an invite, a link,
    // the first owner) and its success is written right after; a row per attempt would let a
    // flood fill the log (`record` leaves everything else to the stranger's hourly row).
    const ctx: StrangerContext = {
      stranger,
      chat: req.chat,
      lang: req.lang,
      t: req.t,
      log: this.commandLog(req.command.name),
      now: () => this.deps.clock.now(),
    };
    const reply = await this.guarded(req, () => run(ctx, args));
    if (reply !== 'thrown') await this.finish(req, reply);
  }

  /**
   * Intent before action: a state-changing command's audit row is written as 'started' before it
   * runs and completed by `record`. False when the database cannot be written: the command is
   * then not run at all, so the backend never changes unrecorded.
   */
  private recordStart(req: RunRequest): boolean {
    try {
      const id = this.deps.audit.record({
        at: this.deps.clock.now(),
        identity: req.caller.identity,
        chat: chatAddress(req.chat),
        command: req.command.name,
        args: req.raw,
        result: 'started',
      });
      this.startedRows.set(req, id);
      return true;
    } catch (e) {
      this.deps.log.error({ err: e, command: req.command.name }, 'audit log not writable; command refused');
      return false;
    }
  }

  /**
   * Step 6: audits the run when it matters (a state change, an approved run, or a denial). An
   * approved run names its approver in the same row as its result.
   */
  record(req: RunRequest, result: RunResult, detail?: string): void {
    if (!this.mutating(req) && !req.approvedBy && result !== 'denied') return;
    if (isStranger(req.caller) && result !== 'ok') return; // counted in the stranger's hourly row instead
    const full = [req.approvedBy ? `approved by ${req.approvedBy.identity}` : undefined, detail].filter(Boolean).join('; ');
    const started = this.startedRows.get(req);
    try {
      if (started !== undefined) this.deps.audit.complete(started, result, full || undefined);
      else
        this.deps.audit.record({
          at: this.deps.clock.now(),
          identity: req.caller.identity,
          chat: chatAddress(req.chat),
          command: req.command.name,
          args: req.raw,
          result,
          ...(full ? { detail: full } : {}),
        });
    } catch (e) {
      // The change is made (or refused) already; a 'started' row stays as the honest record.
      this.deps.log.error({ err: e, command: req.command.name, result }, 'audit result not written');
    }
  }

  /** Does this run change state (a mutating command, not in one of its read-only forms)? */
  private mutating(req: RunRequest): boolean {
    return Boolean(req.command.mutates) && !this.readOnlyRuns.has(req);
  }

  private commandLog(command: string): Logger {
    let log = this.commandLogs.get(command);
    if (!log) this.commandLogs.set(command, (log = this.deps.log.child({ command })));
    return log;
  }

  /** What the command's code sees while it runs (methods, not arrow properties: no closure renamed per run). */
  private context(req: RunRequest, principal: Principal): CommandContext {
    const { chat, command, sink } = req;
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- methods below have their own `this`; arrow properties would each be renamed per run (keepNames)
    const pipeline = this;
    return {
      principal,
      chat,
      lang: req.lang,
      t: req.t,
      log: this.commandLog(command.name),
      now() {
        return pipeline.deps.clock.now();
      },
      action(label, name, args = {}, o = {}) {
        return pipeline.viewerAction(principal, chat, label, name, args, {
          oneShot: o.oneShot ?? Boolean(pipeline.deps.registry.get(name)?.mutates),
          ...o,
        });
      },
      // Replies of an ephemeral command stay private even when a button re-runs it in a group.
      async send(m) {
        const handle = await sink.send(pipeline.usableOnly(command.ephemeral ? { ...m, ephemeral: true } : m));
        return {
          edit(e) {
            return handle.edit(pipeline.usableOnly(e));
          },
        };
      },
      ...(req.attachment ? { attachment: req.attachment } : {}),
      ...(req.approvedBy ? { approvedBy: req.approvedBy } : {}),
      noChange() {
        pipeline.noChangeRuns.add(req);
      },
    };
  }

  /** Audits a command's reply (a warning or critical reply counts as failed) and sends it. */
  private async finish(req: RunRequest, reply: Reply): Promise<void> {
    const failed = reply?.severity === 'critical' || reply?.severity === 'warning';
    const detail = failed
      ? reply?.blocks
          .map((b) => ('text' in b ? b.text : ''))
          .join(' ')
          .slice(0, 200)
      : undefined;
    this.record(req, failed ? 'failed' : this.noChangeRuns.has(req) ? 'unchanged' : 'ok', detail);
    if (reply) await req.sink.send(this.usableOnly(req.command.ephemeral ? { ...reply, ephemeral: true } : reply));
  }

  /** May this person press a button running `command` here: they may run it, or ask for it. */
  private mayPress(principal: Principal, chat: ChatRef, command: string): boolean {
    const target = this.deps.registry.get(command);
    if (!target) return true; // internal (Cancel): open to whoever holds the token
    return this.deps.access.can(principal, chat, target.permission) || Boolean(target.requestable);
  }

  /** The message without the buttons `mayPress` refused (rows left empty go too). */
  private usableOnly(m: OutMessage): OutMessage {
    if (!m.actions?.some((row) => row.some((a) => this.unusable.has(a)))) return m;
    const rows = m.actions.map((row) => row.filter((a) => !this.unusable.has(a))).filter((row) => row.length > 0);
    const { actions: _dropped, ...rest } = m;
    return rows.length > 0 ? { ...rest, actions: rows } : rest;
  }

  /** Runs command code; a throw is logged with a reference, audited as `error` and told to the user. */
  private async guarded<T>(req: RunRequest, fn: () => Promise<T>): Promise<T | 'thrown'> {
    try {
      return await fn();
    } catch (e) {
      const ref = randomBytes(4).toString('hex');
      this.deps.log.error({ err: e, ref, command: req.command.name }, 'command failed');
      this.record(req, 'error', `internal error ref ${ref}`);
      await req.sink.send(textMessage(req.t('pipeline.internalError', { ref }), { severity: 'critical' }));
      return 'thrown';
    }
  }

  private resolveInput(
    inv: Invocation,
  ):
    | { ok: true; command: AnyCommand; raw: Record<string, string>; opts: Pick<RunRequest, 'confirmed' | 'viaButton' | 'attachment'> }
    | { ok: false; reply?: ArgError; command?: AnyCommand } {
    const { registry, tokens } = this.deps;
    const input = inv.input;
    switch (input.kind) {
      case 'command':
      case 'options': {
        const command = registry.get(input.name);
        // Internal commands carry server-made arguments; typed, they do not exist.
        if (!command || command.buttonOnly) {
          return { ok: false, reply: { key: 'pipeline.unknownCommand', params: { name: input.name.slice(0, 32) } } };
        }
        if (input.kind === 'options') return { ok: true, command, raw: stripReserved(input.options), opts: {} };
        const split = splitPositional(command.args, input.text);
        // An argument error names what to do: the command's usage line, in the reader's language.
        if (!split.ok) return { ok: false, reply: split.error, command };
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
          if (command.buttonOnly) continue;
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

  /** A button built for the viewer: one their role in this chat could not press is never made (usableOnly drops it). */
  private viewerAction(
    principal: Principal,
    chat: ChatRef,
    label: string,
    command: string,
    args: Readonly<Record<string, string>>,
    o: ActionOptions,
  ): Action {
    if (!this.mayPress(principal, chat, command)) {
      const unusable: Action = { label, token: '' };
      this.unusable.add(unusable);
      return unusable;
    }
    return this.makeAction(principal, chat, label, command, args, o);
  }

  private makeAction(
    caller: Caller,
    chat: ChatRef,
    label: string,
    command: string,
    args: Readonly<Record<string, string>>,
    o: ActionOptions,
  ) {
    const token = this.deps.tokens.create({
      command,
      args: { ...args },
      ...(o.personal === false ? {} : { allowedIdentity: caller.identity }),
      chat,
      ttlMs: o.ttlMs ?? BUTTON_TTL_MS,
      oneShot: o.oneShot ?? false,
    });
    return { label, token, ...(o.style ? { style: o.style } : {}) };
  }

  /** The error and the usage line, arguments named in the reader's language. */
  private argErrorText(t: Translate, e: ArgError, command: AnyCommand): string {
    const label = argLabels(this.deps.messages, t);
    // `name` is the code name of one of this command's arguments (an unknown key is shown as typed).
    const named = typeof e.params.name === 'string' && Object.hasOwn(command.args, e.params.name);
    const params = named ? { ...e.params, name: label(String(e.params.name)) } : e.params;
    return `${t(e.key, params)}\n${t('pipeline.usage', { usage: usageLine(command, label) })}`;
  }

  private async closeOrigin(sink: ReplySink, text: string): Promise<void> {
    if (sink.updateOrigin) await sink.updateOrigin(textMessage(text)).catch(() => undefined);
  }
}

/** Whether this run of the command asks for confirmation first. */
function destructive(command: AnyCommand, args: ParsedArgs<ArgDefs>): boolean {
  return typeof command.destructive === 'function' ? command.destructive(args) : Boolean(command.destructive);
}

/** What a stranger's message was, for their hourly audit row, when it named no command. */
function attemptName(input: Input): string {
  switch (input.kind) {
    case 'command':
    case 'options':
      return input.name.slice(0, 32);
    case 'action':
      return 'button';
    case 'text':
    case 'document':
      return 'message';
  }
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
