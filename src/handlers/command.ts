/**
 * The Command contract: one definition drives text parsing (Telegram, console), Discord
 * slash options, /help, permission checks, confirmation and approval flows.
 * Handlers never import grammy or discord.js; they return OutMessages.
 */
import type { Language, MessageKey, Translate } from '../core/i18n.ts';
import type { Logger } from '../core/logger.ts';
import type { Action, OutMessage } from '../core/outmessage.ts';
import type { ChatRef, Principal, Stranger } from '../permissions/access.ts';
import type { Permission } from '../permissions/permissions.ts';
import type { ArgDefs, ParsedArgs } from './args.ts';

/** A message already sent, which the handler may edit later (task progress). */
export interface MessageHandle {
  edit(message: OutMessage): Promise<void>;
}

/** A file the user sent with the message (a .torrent). */
export interface Attachment {
  readonly fileName: string;
  readonly size: number;
  readonly mimeType?: string;
  download(): Promise<Buffer>;
}

/** Options for a button created by a handler. */
export interface ActionOptions {
  readonly style?: Action['style'];
  /** Pressable once only (default true for state-changing commands). */
  readonly oneShot?: boolean;
  /** Default 24 h; confirmation buttons use 5 min. */
  readonly ttlMs?: number;
  /** Only the person who received the message may press it (default). False: anyone allowed by the command's permission. */
  readonly personal?: boolean;
}

/** What a running command can use besides its arguments. */
export interface CommandContext {
  readonly principal: Principal;
  readonly chat: ChatRef;
  readonly lang: Language;
  readonly t: Translate;
  readonly log: Logger;
  /** Milliseconds since epoch, from the injected clock. */
  now(): number;
  /** Creates a button that re-runs `command` with `args` through the whole pipeline when pressed. */
  action(label: string, command: string, args?: Readonly<Record<string, string>>, opts?: ActionOptions): Action;
  /** Sends a message now (before the final reply); returns a handle to edit it later. */
  send(message: OutMessage): Promise<MessageHandle>;
  /** The file attached to the invoking message, if any. */
  readonly attachment?: Attachment;
  /** Who approved this run, when it runs through the approval flow. */
  readonly approvedBy?: Principal;
  /** Marks this run as a no-op (the target was already so): audited as `unchanged`, not as done. */
  noChange(): void;
}

/** What a command's stranger entry point can use: who wrote, where, in which language; no buttons, nothing of anyone else. */
export interface StrangerContext {
  readonly stranger: Stranger;
  readonly chat: ChatRef;
  readonly lang: Language;
  readonly t: Translate;
  readonly log: Logger;
  /** Milliseconds since epoch, from the injected clock. */
  now(): number;
}

/** The result of a command: a final reply, or nothing when it already sent what it wanted. */
export type Reply = OutMessage | void;

/** One chat command: its name, arguments, permission and behaviour flags, and the code that runs it. */
export interface Command<A extends ArgDefs = ArgDefs> {
  /** Lower-case name used as `/name` and as the Discord slash command. */
  readonly name: string;
  /** Help group key, e.g. 'proxmox' (message key `group.<group>` titles it). */
  readonly group: string;
  /** Message key of the one-line summary. */
  readonly summaryKey: MessageKey;
  readonly args: A;
  readonly permission: Permission;
  /** Destructive commands ask for explicit confirmation first. */
  readonly destructive?: boolean | ((args: ParsedArgs<A>) => boolean);
  /**
   * Looks at the target before anything is confirmed or changed (runs after parsing, before the
   * confirmation question, again when Confirm is pressed): a reply ends the run with it (a
   * warning/critical reply is audited as failed), nothing lets it go on, and `{ confirmParams }`
   * goes on with what it found named in the confirmation question (the download's real name).
   */
  readonly preflight?: (ctx: CommandContext, args: ParsedArgs<A>) => Promise<PreflightResult>;
  /** Message key of the confirmation question (params: the raw args, then the preflight's `confirmParams`). Default `pipeline.confirm`. */
  readonly confirmKey?: MessageKey;
  /** Someone who lacks the permission may ask an admin to approve this run. */
  readonly requestable?: boolean;
  /**
   * For a requestable command: the choices the run would otherwise ask for with buttons (a
   * folder), made before asking an admin — one "Ask an admin: <label>" button each, so the
   * approved run needs nothing more. Undefined or empty: one plain "Ask an admin".
   */
  readonly requestChoices?: (
    raw: Readonly<Record<string, string>>,
  ) => readonly { label: string; raw: Record<string, string> }[] | undefined;
  /**
   * For a requestable command: refuses, before any admin is asked, a request no approval could
   * make work (a download folder that does not exist); undefined lets the request go on.
   */
  readonly refuseRequest?: (t: Translate, args: ParsedArgs<A>) => OutMessage | undefined;
  /** Not listed in /help or the command menus. */
  readonly hidden?: boolean;
  /** Runs only from a button the bot made (or a document): typing it, by anyone, is an unknown command. */
  readonly buttonOnly?: boolean;
  /**
   * The entry point for people the bot does not know yet (accepting an invite, claiming setup):
   * strangers may run only commands that have one. Must not reveal anything; returns nothing when
   * there is nothing to redeem (the pipeline then gives the one neutral first-contact reply).
   */
  readonly runForStranger?: (ctx: StrangerContext, args: ParsedArgs<A>) => Promise<Reply>;
  /** Reply only to the asker: Discord ephemeral; from a Telegram group, the asker's private chat. */
  readonly ephemeral?: boolean;
  /** Makes a one-time code (invites, links): refused in group chats, where others would see it. */
  readonly privateOnly?: boolean;
  /**
   * A code typed with this privateOnly command in a group was seen by everyone there: cancel it
   * (true when a live code was cancelled), so no reader can send it privately instead.
   */
  readonly cancelShownCode?: (raw: Readonly<Record<string, string>>) => boolean;
  /**
   * Changes state: audited (intent first, then the result) and buttons default to one-shot. A
   * function tells the read-only forms apart (`/guestwifi` without on/off only shows the state):
   * those are not audited at all.
   */
  readonly mutates?: boolean | ((args: ParsedArgs<A>) => boolean);
  /** Claims a plain text message (no leading /), e.g. a magnet link, returning raw args. */
  readonly fromText?: (text: string) => Record<string, string> | undefined;
  /** Claims a document by file name, e.g. `.torrent`. */
  readonly acceptsDocument?: (fileName: string) => boolean;
  run(ctx: CommandContext, args: ParsedArgs<A>): Promise<Reply>;
}

/** A preflight's verdict: a reply that ends the run, nothing (go on), or go on naming the target it found. */
export type PreflightResult = OutMessage | { readonly confirmParams: Readonly<Record<string, string>> } | undefined;

/** Identity helper so `defineCommand({...})` infers the argument types. */
export function defineCommand<A extends ArgDefs>(c: Command<A>): Command<A> {
  return c;
}

/** Any command, for registries. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyCommand = Command<any>;
