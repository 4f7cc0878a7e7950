/** Telegram session (grammY, long polling through the runner). */
import { autoRetry } from '@grammyjs/auto-retry';
import { run, type RunnerHandle } from '@grammyjs/runner';
import { Bot, GrammyError, HttpError, InputFile, type Context } from 'grammy';
import { systemClock, systemScheduler, type Clock, type Scheduler } from '../../core/clock.ts';
import type { Logger } from '../../core/logger.ts';
import { formatAddress } from '../../core/chat-address.ts';
import type { OutMessage } from '../../core/outmessage.ts';
import { parseCommandLine } from '../../handlers/args.ts';
import type { MessageHandle } from '../../handlers/command.ts';
import type { ChatRef, Input, Pipeline, ReplySink } from '../../handlers/pipeline.ts';
import type { PrivateDelivery } from '../../handlers/private-replies.ts';
import type { CommandMenus, MenuEntry } from '../../handlers/menus.ts';
import type { DeliveryOutcome } from '../../core/delivery.ts';
import type { AdapterHealth, ChatAdapter, LinkEvents } from '../adapter.ts';
import { parseTelegramAddress } from './address.ts';
import { inlineKeyboard, renderTelegramHtml, TELEGRAM_CAPTION_LIMIT } from './render.ts';
import { isServerError, serverErrorRetry } from './server-errors.ts';
import { chatOrder } from './chat-order.ts';
import { deleteWebhookOnConflict } from './webhook-conflict.ts';
import { downloadTelegramFile, TELEGRAM_FILE_MAX_BYTES } from './file-download.ts';

/** The Telegram bot's token and API root, its command menus, and the bounds on retries, calls and a stuck poll. */
export interface TelegramOptions {
  readonly token: string;
  /** Bot API root (self-hosted Bot API server or a test fake); no trailing slash. */
  readonly apiRoot?: string;
  /** Longest wait honoured for a 429 retry_after inside one call, in seconds. */
  readonly maxRetryDelaySeconds?: number;
  /** The command menus to register (setMyCommands per scope and language), kept in step with roles and languages. */
  readonly menus: CommandMenus;
  /** Client-side bound of every Bot API call, in seconds (default 40: above getUpdates' 30 s hold). */
  readonly requestTimeoutSeconds?: number;
  /** Watchdog: a getUpdates running this long restarts polling (default: the request timeout plus 15 s). */
  readonly stuckAfterMs?: number;
  /** Time for the watchdog's judgement (default the wall clock); its interval only decides how often it looks. */
  readonly clock?: Clock;
  /** Timers of the menu registration's retries (default real timers). */
  readonly scheduler?: Scheduler;
}

/** Wait between failed getUpdates calls: fixed, so polling resumes within a second of the line returning. */
const POLL_RETRY_MS = 1000;
/** Consecutive failed getUpdates calls before the link reports trouble (one blip is not an outage). */
const TROUBLE_AFTER = 2;
const WATCHDOG_TICK_MS = 1000;

/** Where a message was sent; `threadId` is the forum topic, so follow-up pages stay in it. */
type Sent = { chatId: number | string; threadId?: number; messageIds: number[]; isPhoto: boolean };

/** Telegram adapter: turns updates into invocations and OutMessages into HTML messages. */
export class TelegramAdapter implements ChatAdapter {
  readonly platform = 'telegram' as const;
  private readonly bot: Bot;
  private runner: RunnerHandle | undefined;
  private connected = false;
  private lastError: string | undefined;
  private readonly inflight = new Set<Promise<unknown>>();
  private readonly menus: MenuRegistrar;
  private events: LinkEvents | undefined;
  private pollFailures = 0;
  /** When the getUpdates in flight started (undefined between calls). */
  private pollStartedAt: number | undefined;
  private watchdog: NodeJS.Timeout | undefined;

  constructor(
    private readonly opts: TelegramOptions,
    private readonly pipeline: Pipeline,
    private readonly log: Logger,
  ) {
    // Every Bot API call has a timeout (getUpdates long-polls 30 s): a hung connection cannot stall the bot.
    this.bot = new Bot(opts.token, {
      client: { timeoutSeconds: this.requestTimeoutSeconds, ...(opts.apiRoot ? { apiRoot: opts.apiRoot.replace(/\/+$/, '') } : {}) },
    });
    // auto-retry only honours retry_after for 429s (within a bounded delay). Network errors and 5xx
    // are not retried by it (its backoff doubles from 3 s up to an hour, leaving the bot deaf long
    // after an outage): a 5xx gets one retry a second later, then the runner (every second), the
    // outbox (every few seconds) and the connection supervisor retry, whatever the outage length.
    this.bot.api.config.use(
      autoRetry({
        maxRetryAttempts: 6,
        maxDelaySeconds: opts.maxRetryDelaySeconds ?? 60,
        rethrowHttpErrors: true,
        rethrowInternalServerErrors: true,
      }),
    );
    this.bot.api.config.use(serverErrorRetry());
    this.bot.api.config.use(deleteWebhookOnConflict(() => this.log.warn('telegram: a webhook is set; deleting it to poll')));
    // Outermost: sees each call's final outcome, for the link's health facts and the poll watchdog.
    this.bot.api.config.use(async (prev, method, payload, signal) => {
      const polling = method === 'getUpdates';
      if (polling) this.pollStartedAt = this.clock.now();
      try {
        const res = await prev(method, payload, signal);
        // A 5xx is Telegram (or its front) failing, not answering: it counts as a failed call.
        if (isServerError(res)) {
          const answered = res as { error_code?: number; description?: string };
          if (polling) this.polled(new Error(`Bot API answered ${answered.error_code}: ${answered.description ?? ''}`));
          return res;
        }
        this.events?.ok();
        if (polling) this.polled(undefined);
        return res;
      } catch (e) {
        if (polling) this.polled(e);
        throw e;
      }
    });
    // One chat's updates run in order; different chats run concurrently.
    this.bot.use(chatOrder());
    // One middleware routes every update. A `bot.on(filter)` is a grammY branch that builds a new
    // Composer for each update it sees: three of them built three per message, about a quarter of
    // what the bot allocated per command beyond a bare grammY bot sending the same reply.
    this.bot.use((ctx) => {
      if (ctx.callbackQuery?.data !== undefined) return this.track(this.onCallback(ctx));
      if (ctx.message?.document !== undefined) return this.track(this.onDocument(ctx));
      if (ctx.message?.text !== undefined) return this.track(this.onText(ctx));
    });
    this.bot.catch((e) => this.log.error({ err: e.error }, 'telegram update failed'));
    this.menus = new MenuRegistrar(opts.menus, this.bot, log, opts.scheduler ?? systemScheduler);
  }

  async start(signal?: AbortSignal): Promise<void> {
    // grammY types its signal with a polyfill's AbortSignal; at runtime it is the platform's.
    const abort = signal as Parameters<Bot['init']>[0];
    // getMe checks the token (a rejected one fails start-up) and, on a reconnect, that the line
    // answers again before the link reports connected. No deleteWebhook: getUpdates removes a
    // leftover webhook only if one answers it (deleteWebhookOnConflict).
    if (this.bot.isInited()) this.bot.botInfo = await this.bot.api.getMe(abort);
    else await this.bot.init(abort);
    signal?.throwIfAborted();
    // Failed polls retry every second for as long as it takes (the runner's default backoff doubles
    // without bound, leaving the bot deaf for long after an overnight outage).
    const runner = (this.runner = run(this.bot, {
      runner: {
        fetch: { allowed_updates: ['message', 'callback_query'] },
        retryInterval: POLL_RETRY_MS,
        maxRetryTime: Number.POSITIVE_INFINITY,
        silent: true,
      },
    }));
    this.connected = true;
    this.pollFailures = 0;
    this.log.info({ bot: this.bot.botInfo.username }, 'telegram connected');
    // Menus sync beside polling, never before it: updates flow while setMyCommands calls run, and
    // a menu call still hung from an outage cannot hold polling back.
    void this.menus.start();
    // The runner ends by itself only on an error it cannot retry (e.g. 409 another poller): rebuild.
    void runner.task()?.then(
      () => this.pollingEnded(runner, 'polling stopped'),
      (e: unknown) => this.pollingEnded(runner, `polling failed: ${(e as Error).message ?? String(e)}`),
    );
    clearInterval(this.watchdog);
    this.watchdog = setInterval(() => this.checkPoll(), WATCHDOG_TICK_MS);
    this.watchdog.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.watchdog);
    const runner = this.runner;
    this.runner = undefined;
    if (runner?.isRunning()) await runner.stop();
    await Promise.allSettled([...this.inflight]);
    await this.menus.stop();
    this.connected = false;
  }

  supervise(events: LinkEvents): void {
    this.events = events;
  }

  private get clock(): Clock {
    return this.opts.clock ?? systemClock;
  }

  private get requestTimeoutSeconds(): number {
    return this.opts.requestTimeoutSeconds ?? 40;
  }

  /** One getUpdates ended: a success clears trouble, repeated failures report it. */
  private polled(error: unknown): void {
    this.pollStartedAt = undefined;
    if (error === undefined) {
      if (this.pollFailures >= TROUBLE_AFTER) {
        this.events?.back();
        // The line is back: a menu registration waiting out its backoff need not wait longer.
        this.menus.retryNow();
      }
      this.pollFailures = 0;
      return;
    }
    if (++this.pollFailures === TROUBLE_AFTER) this.events?.trouble(pollFailure(error));
  }

  /**
   * One look of the long-poll watchdog (its interval runs it every second): a getUpdates stuck
   * past its own timeout means polling is wedged, so it is abandoned and the link reconnects.
   */
  checkPoll(): void {
    const started = this.pollStartedAt;
    if (started === undefined || !this.runner) return;
    const stuckMs = this.clock.now() - started;
    if (stuckMs <= (this.opts.stuckAfterMs ?? this.requestTimeoutSeconds * 1000 + 15_000)) return;
    this.log.warn({ stuckMs }, 'telegram: getUpdates stuck past its timeout; restarting polling');
    const runner = this.runner;
    this.abandonPolling();
    // stop() aborts the wedged request; a request that ignores the abort is left behind.
    void runner.stop().catch(() => undefined);
    this.events?.lost(`getUpdates stuck for ${Math.round(stuckMs / 1000)} s`);
  }

  private pollingEnded(runner: RunnerHandle, reason: string): void {
    if (this.runner !== runner) return; // stopped on purpose, or already replaced
    this.abandonPolling();
    this.log.warn({ reason }, 'telegram polling ended; reconnecting');
    this.events?.lost(reason);
  }

  private abandonPolling(): void {
    clearInterval(this.watchdog);
    this.runner = undefined;
    this.pollStartedAt = undefined;
    this.connected = false;
  }

  health(): AdapterHealth {
    return {
      connected: this.connected && Boolean(this.runner?.isRunning()) && this.pollFailures < TROUBLE_AFTER,
      warnings: [],
      ...(this.lastError ? { detail: this.lastError } : {}),
    };
  }

  /** The bot's @username (for invite deep links). */
  get username(): string | undefined {
    return this.connected ? this.bot.botInfo.username : undefined;
  }

  async deliver(chatId: string, message: OutMessage, editRef?: string): Promise<DeliveryOutcome> {
    try {
      const to = parseTelegramAddress(chatId);
      const topic = to.threadId !== undefined ? { threadId: to.threadId } : {};
      if (editRef) {
        const [chat, id] = editRef.split(':');
        const sent: Sent = { chatId: chat ?? to.chatId, ...topic, messageIds: [Number(id)], isPhoto: false };
        await this.editSent(sent, message);
        return { ok: true, ref: editRef };
      }
      const sent = await this.sendTo(to.chatId, message, to.threadId, { silent: !isUrgent(message) });
      return { ok: true, ref: `${sent.chatId}:${sent.messageIds.at(-1)}` };
    } catch (e) {
      return deliveryError(e);
    }
  }

  private track(p: Promise<unknown>): Promise<unknown> {
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p));
    return p;
  }

  private chatRef(ctx: Context): ChatRef {
    const chat = ctx.chat;
    // A callback query's chat is its message's, which carries the title too.
    const title = chat && 'title' in chat && chat.title ? chat.title : undefined;
    return {
      platform: 'telegram',
      id: String(chat?.id),
      kind: chat?.type === 'private' ? 'private' : 'group',
      ...(title ? { title } : {}),
    };
  }

  private user(ctx: Context) {
    const from = ctx.from;
    const name = [from?.first_name, from?.last_name].filter(Boolean).join(' ') || from?.username || String(from?.id);
    return {
      identity: formatAddress('telegram', from?.id ?? ''),
      displayName: name,
      ...(from?.language_code ? { languageCode: from.language_code } : {}),
    };
  }

  /** The forum topic an update happened in (absent in the General topic and outside forums). */
  private topicOf(ctx: Context): number | undefined {
    const m = ctx.message ?? ctx.callbackQuery?.message;
    return m && 'is_topic_message' in m && m.is_topic_message ? m.message_thread_id : undefined;
  }

  private async onText(ctx: Context): Promise<void> {
    const text = ctx.message?.text ?? '';
    let input: Input;
    const line = parseCommandLine(text);
    if (line) {
      // In groups, a command addressed to another bot is not ours.
      if (line.addressee && line.addressee.toLowerCase() !== this.bot.botInfo.username.toLowerCase()) return;
      input = { kind: 'command', name: line.name, text: line.text };
    } else {
      if (ctx.chat?.type !== 'private') return; // plain chatter in groups is not for the bot
      input = { kind: 'text', text };
    }
    await this.pipeline.handle({ chat: this.chatRef(ctx), user: this.user(ctx), input }, this.sink(ctx));
    this.menus.wrote(ctx.from?.id);
  }

  private async onDocument(ctx: Context): Promise<void> {
    const doc = ctx.message?.document;
    if (!doc) return;
    const attachment = {
      fileName: doc.file_name ?? 'file',
      size: doc.file_size ?? 0,
      ...(doc.mime_type ? { mimeType: doc.mime_type } : {}),
      download: async () => {
        const file = await ctx.api.getFile(doc.file_id);
        const root = this.opts.apiRoot?.replace(/\/+$/, '') ?? 'https://api.telegram.org';
        // Never more than Telegram said the file has (nor than it serves bots at all).
        const declared = file.file_size ?? doc.file_size;
        const maxBytes = Math.min(declared ?? TELEGRAM_FILE_MAX_BYTES, TELEGRAM_FILE_MAX_BYTES);
        return downloadTelegramFile(`${root}/file/bot${this.opts.token}/${file.file_path}`, { maxBytes });
      },
    };
    await this.pipeline.handle({ chat: this.chatRef(ctx), user: this.user(ctx), input: { kind: 'document', attachment } }, this.sink(ctx));
    this.menus.wrote(ctx.from?.id);
  }

  private async onCallback(ctx: Context): Promise<void> {
    const data = ctx.callbackQuery?.data ?? '';
    // Always answer first so the client stops its spinner, whatever happens next.
    await ctx.answerCallbackQuery().catch(() => undefined);
    if (!data.startsWith('a:') || !ctx.chat) return;
    const origin = ctx.callbackQuery?.message;
    const sink = this.sink(
      ctx,
      origin
        ? {
            chatId: ctx.chat.id,
            ...this.topicField(ctx),
            messageIds: [origin.message_id],
            isPhoto: 'photo' in origin && Boolean(origin.photo),
          }
        : undefined,
    );
    await this.pipeline.handle({ chat: this.chatRef(ctx), user: this.user(ctx), input: { kind: 'action', token: data.slice(2) } }, sink);
    this.menus.wrote(ctx.from?.id);
  }

  private topicField(ctx: Context): { threadId?: number } {
    const threadId = this.topicOf(ctx);
    return threadId === undefined ? {} : { threadId };
  }

  private sink(ctx: Context, origin?: Sent): ReplySink {
    const chatId = ctx.chat!.id;
    // A command asked (or a button pressed) inside a forum topic is answered in that topic.
    const threadId = this.topicOf(ctx);
    const send = async (to: number, message: OutMessage, thread?: number): Promise<MessageHandle> => {
      const sent = await this.sendTo(to, message, thread);
      return { edit: (m) => this.editSent(sent, m) };
    };
    const fromId = ctx.from?.id;
    return {
      send: (message) => send(chatId, message, threadId),
      ...(origin ? { updateOrigin: (m: OutMessage) => this.editSent(origin, m) } : {}),
      // In a group, the asker's private chat has their user id; Telegram refuses it until they started the bot.
      ...(ctx.chat?.type !== 'private' && fromId !== undefined
        ? {
            sendPrivately: async (message: OutMessage): Promise<PrivateDelivery> => {
              try {
                return { ok: true, handle: await send(fromId, message) };
              } catch (e) {
                if (!(e instanceof GrammyError) || (e.error_code !== 403 && e.error_code !== 400)) throw e;
                return { ok: false, startLink: `https://t.me/${this.bot.botInfo.username}` };
              }
            },
          }
        : {}),
    };
  }

  private async sendTo(chatId: number | string, message: OutMessage, threadId?: number, o: { silent?: boolean } = {}): Promise<Sent> {
    const pages = renderTelegramHtml(message);
    const keyboard = inlineKeyboard(message.actions);
    const topic = threadId !== undefined ? { message_thread_id: threadId } : {};
    const where = threadId !== undefined ? { threadId } : {};
    const quiet = o.silent ? { disable_notification: true } : {};
    const ids: number[] = [];
    if (message.image) {
      const caption = pages.length === 1 && (pages[0]?.length ?? 0) <= TELEGRAM_CAPTION_LIMIT ? pages[0] : undefined;
      const photo = await this.bot.api.sendPhoto(
        chatId,
        new InputFile(Buffer.from(message.image.pngBase64, 'base64'), message.image.filename),
        {
          ...topic,
          ...quiet,
          ...(caption ? { caption, parse_mode: 'HTML' as const } : {}),
          ...(caption && keyboard ? { reply_markup: keyboard } : {}),
        },
      );
      ids.push(photo.message_id);
      if (caption) return { chatId, ...where, messageIds: ids, isPhoto: true };
    }
    for (const [i, html] of pages.entries()) {
      const last = i === pages.length - 1;
      const m = await this.bot.api.sendMessage(chatId, html, {
        ...topic,
        parse_mode: 'HTML',
        link_preview_options: { is_disabled: true },
        ...quiet,
        ...(last && keyboard ? { reply_markup: keyboard } : {}),
      });
      ids.push(m.message_id);
    }
    return { chatId, ...where, messageIds: ids, isPhoto: false };
  }

  private async editSent(sent: Sent, message: OutMessage): Promise<void> {
    const id = sent.messageIds.at(-1);
    if (id === undefined) return;
    const pages = renderTelegramHtml(message);
    const keyboard = inlineKeyboard(message.actions) ?? { inline_keyboard: [] };
    try {
      if (sent.isPhoto) {
        await this.bot.api.editMessageCaption(sent.chatId, id, {
          caption: (pages[0] ?? '').slice(0, TELEGRAM_CAPTION_LIMIT),
          parse_mode: 'HTML',
          reply_markup: keyboard,
        });
      } else {
        await this.bot.api.editMessageText(sent.chatId, id, pages[0] ?? '…', {
          parse_mode: 'HTML',
          reply_markup: keyboard,
          link_preview_options: { is_disabled: true },
        });
      }
      const topic = sent.threadId !== undefined ? { message_thread_id: sent.threadId } : {};
      for (const extra of pages.slice(1)) await this.bot.api.sendMessage(sent.chatId, extra, { ...topic, parse_mode: 'HTML' });
    } catch (e) {
      // Editing to identical content is not an error worth surfacing.
      if (e instanceof GrammyError && /message is not modified/i.test(e.description)) return;
      throw e;
    }
  }
}

/** Pushes that need attention now ring the phone; info, success and digests arrive silently. */
function isUrgent(m: OutMessage): boolean {
  return m.severity === 'warning' || m.severity === 'critical';
}

/** Why a getUpdates failed, in one line with nothing secret. */
function pollFailure(e: unknown): string {
  if (e instanceof GrammyError) return `Bot API answered ${e.error_code}: ${e.description}`;
  // The wrapped error's message can carry the request URL, token included: name only its code.
  if (e instanceof HttpError) {
    const inner = e.error as { code?: string; cause?: { code?: string }; name?: string } | undefined;
    return `network error (${inner?.code ?? inner?.cause?.code ?? inner?.name ?? 'unknown'})`;
  }
  return ((e as Error | undefined)?.message ?? String(e)).split('\n')[0]!;
}

function deliveryError(e: unknown): DeliveryOutcome {
  if (e instanceof GrammyError) {
    const retry = e.parameters.retry_after;
    if (e.error_code === 429) return { ok: false, error: e.description, retryAfterMs: (retry ?? 5) * 1000 };
    // 400 (chat not found, bad markup) and 403 (bot blocked/kicked) will not fix themselves.
    if (e.error_code === 400 || e.error_code === 403 || e.error_code === 401) return { ok: false, error: e.description, permanent: true };
    // 5xx: Telegram itself is having trouble, not this message.
    if (e.error_code >= 500) return { ok: false, error: e.description, unreachable: true };
    return { ok: false, error: e.description };
  }
  if (e instanceof HttpError) return { ok: false, error: 'network error talking to Telegram', unreachable: true };
  return { ok: false, error: (e as Error).message ?? 'unknown error' };
}

/** First wait before a menu registration that failed on the way (cut, timed out, 429, 5xx) is tried again. */
const MENU_RETRY_FIRST_MS = 5_000;
/** Longest wait between those tries (it doubles up to this): menus are right within this long of the line returning. */
const MENU_RETRY_MAX_MS = 5 * 60_000;

/**
 * Keeps Telegram's command menus equal to what `CommandMenus` wants: one setMyCommands per
 * scope and language that changed (a person's private chat, or the default), deleteMyCommands
 * for a person who is gone. Runs after start, after every people or grants change, and after a
 * person whose chat Telegram refused (they had not started the bot yet) writes to the bot.
 * A pass that fails on the way (line cut, call timed out, 429, 5xx) is tried again by itself,
 * on the scheduler, after a doubling wait (at least the 429's retry_after), or at once when
 * polling recovers; each pass recomputes what is wanted, so a superseded menu is never sent.
 * Calls go one at a time, as on the first pass, so a retry is no burst. A menu Telegram refuses
 * for good (a 400 or 403 on that list) is logged once and skipped, the rest of the pass goes on,
 * and that list is not sent again: only a changed one is.
 */
class MenuRegistrar {
  /** What each scope/language holds now, as registered. */
  private readonly registered = new Map<string, { entry: MenuEntry; json: string }>();
  /** Menus (by key) Telegram refused because it does not know the private chat yet (bot not started). */
  private readonly refused = new Set<string>();
  /** Lists (JSON by menu key) Telegram refused for good: the same list would be refused again, so it is not sent again. */
  private readonly rejected = new Map<string, string>();
  private stampDone: string | undefined;
  private chain: Promise<void> = Promise.resolve();
  private off: (() => void) | undefined;
  /** Aborts the calls in flight when stopped; absent while stopped. */
  private abort: AbortController | undefined;
  /** Passes failed on the way in a row: the next wait doubles with each. */
  private failures = 0;
  /** Cancels the retry waiting on the scheduler, if one is. */
  private cancelRetry: (() => void) | undefined;

  constructor(
    private readonly menus: CommandMenus,
    private readonly bot: Bot,
    private readonly log: Logger,
    private readonly scheduler: Scheduler,
  ) {}

  /** Registers every menu once and follows changes from then on. */
  async start(): Promise<void> {
    this.off ??= this.menus.onChange(() => void this.schedule());
    this.abort ??= new AbortController();
    await this.schedule();
  }

  /** Stops following changes and retrying, aborts the call in flight and waits for its pass to end. */
  async stop(): Promise<void> {
    this.off?.();
    this.off = undefined;
    this.cancelRetry?.();
    this.cancelRetry = undefined;
    this.abort?.abort();
    this.abort = undefined;
    await this.chain;
  }

  /** The line is back: a retry waiting out its backoff runs now. */
  retryNow(): void {
    if (!this.cancelRetry) return;
    this.cancelRetry();
    this.cancelRetry = undefined;
    void this.schedule();
  }

  /** After an update from `userId`: their menu may be registrable now, or their role or language changed. */
  wrote(userId: number | undefined): void {
    if (!this.off) return;
    const retry = userId !== undefined && this.refusedFor(String(userId));
    if (retry || this.menus.stamp() !== this.stampDone) void this.schedule(retry ? String(userId) : undefined);
  }

  private refusedFor(chatId: string): boolean {
    return [...this.refused].some((key) => key.startsWith(`${chatId}|`));
  }

  private schedule(retry?: string): Promise<void> {
    this.chain = this.chain.then(() => this.pass(retry));
    return this.chain;
  }

  /** One sync; never throws: a failure on the way schedules the next try, any other waits for the next change. */
  private async pass(retry?: string): Promise<void> {
    const signal = this.abort?.signal;
    if (!signal || signal.aborted) return;
    try {
      await this.sync(signal, retry);
      this.failures = 0;
      this.cancelRetry?.();
      this.cancelRetry = undefined;
    } catch (e) {
      if (signal.aborted) return;
      const waitMs = menuRetryWait(e, this.failures);
      if (waitMs === undefined) return this.log.warn({ err: e }, 'command menus not registered; retried on the next change');
      this.failures++;
      this.cancelRetry?.();
      this.cancelRetry = this.scheduler.after(waitMs, () => {
        this.cancelRetry = undefined;
        void this.schedule();
      });
      this.log.warn({ err: e, retryInMs: waitMs }, 'command menus not registered; retrying');
    }
  }

  private async sync(signal: AbortSignal, retry?: string): Promise<void> {
    const stamp = this.menus.stamp();
    if (stamp === this.stampDone && !(retry && this.refusedFor(retry))) return;
    // grammY types its signal with a polyfill's AbortSignal; at runtime it is the platform's.
    const abort = signal as Parameters<Bot['init']>[0];
    const wanted = new Map(this.menus.entries('telegram').map((e) => [menuKey(e), e]));
    for (const [key, entry] of wanted) {
      const json = JSON.stringify(entry.commands);
      if (this.registered.get(key)?.json === json || this.rejected.get(key) === json) continue;
      try {
        await this.bot.api.setMyCommands([...entry.commands], menuOptions(entry), abort);
        this.registered.set(key, { entry, json });
        this.refused.delete(key);
        this.rejected.delete(key);
      } catch (e) {
        // The line or the bot itself (cut, 429, 5xx, 401): the whole pass fails, as before.
        const refusal = menuRefusal(e, entry);
        if (!refusal) throw e;
        // A private chat Telegram does not know yet: retried when that person writes.
        if (refusal.kind === 'chat-unknown') this.refused.add(key);
        else {
          this.rejected.set(key, json);
          this.log.warn(
            { menu: menuLabel(entry), error: refusal.error },
            'Telegram refused a command menu; the others go on, this one is sent again once it changes',
          );
        }
      }
    }
    for (const key of this.refused) if (!wanted.has(key)) this.refused.delete(key);
    for (const key of this.rejected.keys()) if (!wanted.has(key)) this.rejected.delete(key);
    for (const [key, { entry }] of this.registered) {
      if (wanted.has(key)) continue;
      try {
        await this.bot.api.deleteMyCommands(menuOptions(entry), abort);
      } catch (e) {
        // Refused for that menu alone (its chat is gone): nothing more to do for it; the others go on.
        const refusal = menuRefusal(e, entry);
        if (!refusal) throw e;
        if (refusal.kind === 'rejected')
          this.log.warn({ menu: menuLabel(entry), error: refusal.error }, 'Telegram refused to delete a command menu');
      }
      this.registered.delete(key);
    }
    this.stampDone = stamp;
  }
}

/**
 * How Telegram refused one menu for good, or undefined when the failure is the line's or the
 * bot's (network, 401, 404, 429, 5xx: the pass's retry rules apply). Bot API errors come as
 * `{ok: false, error_code, description}` (core.telegram.org/bots/api#making-requests); a 400 or
 * 403 is about the request itself (`Bad Request: BOT_COMMAND_INVALID` for a list Telegram will
 * not take, tdlib/telegram-bot-api#98), so the same list would be refused again. A chat scope
 * whose person never started the bot is `Bad Request: chat not found`, which their first
 * message to the bot cures.
 */
function menuRefusal(e: unknown, entry: MenuEntry): { kind: 'chat-unknown' | 'rejected'; error: string } | undefined {
  if (!(e instanceof GrammyError) || (e.error_code !== 400 && e.error_code !== 403)) return undefined;
  const error = `${e.error_code}: ${e.description}`;
  return { kind: entry.chatId && /chat not found/i.test(e.description) ? 'chat-unknown' : 'rejected', error };
}

/** Which menu, for the log: its scope (a person's chat address, or the default) and language. */
function menuLabel(e: MenuEntry): { scope: string; language: string } {
  return { scope: e.chatId ? formatAddress('telegram', e.chatId) : 'default', language: e.languageCode ?? 'any' };
}

/**
 * How long to wait before retrying after `e`, or undefined when waiting will not help (a 400,
 * 401, 403: retried on the next change). A 429 reaches here only past auto-retry (retry_after
 * above its bound, or its attempts spent), so its retry_after is honoured here, not twice.
 */
function menuRetryWait(e: unknown, failures: number): number | undefined {
  const backoff = Math.min(MENU_RETRY_MAX_MS, MENU_RETRY_FIRST_MS * 2 ** failures);
  if (e instanceof HttpError) return backoff; // cut, refused, timed out: the line
  if (!(e instanceof GrammyError)) return undefined;
  if (e.error_code === 429) return Math.max(backoff, (e.parameters.retry_after ?? 0) * 1000);
  return e.error_code >= 500 ? backoff : undefined;
}

function menuKey(e: MenuEntry): string {
  return `${e.chatId ?? '*'}|${e.languageCode ?? ''}`;
}

function menuOptions(e: MenuEntry): { scope?: { type: 'chat'; chat_id: number }; language_code?: MenuEntry['languageCode'] } {
  return {
    ...(e.chatId ? { scope: { type: 'chat' as const, chat_id: Number(e.chatId) } } : {}),
    ...(e.languageCode ? { language_code: e.languageCode } : {}),
  };
}
