/**
 * A protocol-faithful fake Telegram Bot API on 127.0.0.1 for end-to-end tests and benchmarks.
 * A real grammY bot points at it with `client.apiRoot = fake.apiRoot`. It speaks
 * `POST /bot<token>/<method>` with JSON, form or multipart bodies, holds getUpdates long polls
 * (capped so tests stay fast), validates like Telegram, injects faults (429, 5xx, downtime,
 * per-chat flood limits) and records every call so tests wait on events, never on sleeps.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorBody, faultError, parseParams, sendJson, sendOutage, type Fault, type Outage } from './telegram-http.ts';
import { LongPoll } from './telegram-poll.ts';
import { ChatRateLimiter, type RateLimitOptions } from './telegram-limits.ts';
import { ApiError, intParam, menuScopeChat, METHODS, type Params, type UploadedFile } from './telegram-methods.ts';
import {
  apiMessage,
  commandEntities,
  TelegramState,
  type ChatRef,
  type FakeUpdate,
  type StoredMessage,
  type TgUser,
  type UserRef,
} from './telegram-model.ts';
import { CallLog, FaultQueue, type CallBase } from './calls.ts';

export type { ChatRef, FakeUpdate, StoredMessage, TgChat, TgUser, UserRef, StoredFile } from './telegram-model.ts';
export type { RateLimitOptions } from './telegram-limits.ts';
export type { UploadedFile } from './telegram-methods.ts';
export type { Fault, Outage } from './telegram-http.ts';

/** One Bot API request as the fake saw it. */
export interface RecordedCall extends CallBase {
  /** Method name as in the URL, e.g. `sendMessage`. */
  readonly method: string;
  /** JSON body, form fields or multipart fields (strings) plus query parameters. */
  readonly params: Params;
  /** Uploaded file parts by part name (grammY names them with random ids, referenced as attach://id). */
  readonly files: Record<string, UploadedFile>;
  /** The JSON body the fake answered with. */
  readonly response: unknown;
}

/** Options of the fake; everything has a test-friendly default. */
export interface FakeTelegramOptions {
  /** The bot token the fake accepts (default `123456:TEST-TOKEN`). */
  readonly token?: string;
  /** The bot's own user (default id 123456, username `test_bot`). */
  readonly bot?: { id?: number; username?: string; first_name?: string };
  /** Longest hold of a getUpdates long poll in ms, whatever `timeout` the bot asks (default 1000). */
  readonly maxHoldMs?: number;
  /** Enforce Telegram's flood limits from the start (see setRateLimit). */
  readonly rateLimit?: RateLimitOptions | boolean;
  /** Keep only the last N calls in the log (default unlimited; benchmarks bound it). */
  readonly maxLog?: number;
  /** Keep only each chat's newest N messages (default every one; benchmarks bound it). */
  readonly maxMessagesPerChat?: number;
  /**
   * How long an idle keep-alive connection stays open (default Node's 5 s). A request written as
   * the server closes its connection fails ("Network request failed" in grammY); benchmarks that
   * leave a bot idle for seconds between measurements raise it so that race is not measured.
   */
  readonly keepAliveTimeoutMs?: number;
}

/** Methods that send a new message to a chat and count against flood limits. */
const SENDS = new Set(['sendmessage', 'sendphoto', 'senddocument']);

/** Starts the fake on 127.0.0.1 with an ephemeral port. */
export async function startFakeTelegram(opts: FakeTelegramOptions = {}) {
  const token = opts.token ?? '123456:TEST-TOKEN';
  const botUser: TgUser = {
    id: opts.bot?.id ?? (Number(token.split(':')[0]) || 123456),
    is_bot: true,
    first_name: opts.bot?.first_name ?? 'Test Bot',
    username: opts.bot?.username ?? 'test_bot',
  };
  const state = new TelegramState(botUser, opts.maxMessagesPerChat);
  const log = new CallLog<RecordedCall>(opts.maxLog);
  const faults = new FaultQueue<Fault>();
  /** Methods whose next calls lose their connection before any answer (cutNext). */
  const cuts = new FaultQueue<true>();
  let limiter = opts.rateLimit ? new ChatRateLimiter(opts.rateLimit === true ? {} : opts.rateLimit) : undefined;
  let downUntil = 0;
  let outage: Outage | undefined;
  /** Methods whose calls hang unanswered until the test releases them (holdCalls). */
  const held = new Map<string, Promise<void>>();
  /** Calls hanging on a hold right now. */
  let holding = 0;
  /** Users who never pressed Start: Telegram refuses to let a bot write to them first. */
  const notStarted = new Set<number>();

  const poll = new LongPoll(state, opts.maxHoldMs ?? 1000);
  const send = sendJson;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = performance.now();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const file = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
    if (file) {
      const f = [...state.files.values()].find((x) => x.filePath === decodeURIComponent(file[2] ?? ''));
      if (file[1] !== token || !f) return send(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
      res.writeHead(200, { 'content-type': f.mimeType ?? 'application/octet-stream', 'content-length': f.bytes.length });
      res.end(f.bytes);
      return;
    }
    const m = /^\/bot([^/]*)\/(?:test\/)?([A-Za-z]+)$/.exec(url.pathname);
    const method = m?.[2] ?? url.pathname;
    const record = (params: Params, files: Map<string, UploadedFile>, status: number, response: unknown): void => {
      log.add({ method, params, files: Object.fromEntries(files), status, response, at, doneAt: performance.now() });
    };
    const reply = (params: Params, files: Map<string, UploadedFile>, status: number, body: unknown): void => {
      send(res, status, body);
      record(params, files, status, body);
    };
    const empty = new Map<string, UploadedFile>();
    if (outage) {
      // The front answers before the Bot API sees the request: nothing is parsed or checked.
      const answered = sendOutage(res, outage);
      return record({}, empty, outage.status, answered);
    }
    if (!m) return reply({}, empty, 404, { ok: false, error_code: 404, description: 'Not Found' });
    let parsed: { params: Params; files: Map<string, UploadedFile> };
    try {
      parsed = await parseParams(req, url);
    } catch {
      return reply({}, empty, 400, { ok: false, error_code: 400, description: "Bad Request: can't parse request body" });
    }
    const { params, files } = parsed;
    if (m[1] !== token) return reply(params, files, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
    const key = method.toLowerCase();
    const hold = held.get(key);
    if (hold) {
      holding++;
      await hold;
      holding--;
    }
    if (cuts.take(key)) {
      // The line drops with the request sent and no answer back: the client sees the socket close
      // (status 0 in the log: nothing was answered, nothing applied).
      req.socket.destroy();
      return record(params, files, 0, undefined);
    }
    const impl = METHODS[key];
    if (!impl && key !== 'getupdates') return reply(params, files, 404, { ok: false, error_code: 404, description: 'Not Found' });
    if (Date.now() < downUntil) return reply(params, files, 502, { ok: false, error_code: 502, description: 'Bad Gateway' });
    const fault = faults.take(key);
    if (fault) {
      const e = faultError(fault);
      return reply(params, files, e.code, errorBody(e));
    }
    if (SENDS.has(key) && notStarted.has(intParam(params, 'chat_id') ?? 0)) {
      // Bot API answer when a bot writes to a user who has not started it (core.telegram.org/bots/faq).
      const e = new ApiError(403, "Forbidden: bot can't initiate conversation with a user");
      return reply(params, files, 403, errorBody(e));
    }
    const scope = key === 'setmycommands' || key === 'deletemycommands' ? menuScopeChat(params) : undefined;
    if (scope !== undefined && notStarted.has(scope)) {
      // A chat scope names a chat the bot must know; a user who never wrote to it is not one
      // (Bot API answers "Bad Request: chat not found", as for any method given an unknown chat).
      const e = new ApiError(400, 'Bad Request: chat not found');
      return reply(params, files, 400, errorBody(e));
    }
    if (limiter && SENDS.has(key)) {
      const chat = intParam(params, 'chat_id');
      const wait = chat === undefined ? undefined : limiter.check(chat);
      if (wait !== undefined) {
        const e = new ApiError(429, `Too Many Requests: retry after ${wait}`, wait);
        return reply(params, files, 429, errorBody(e));
      }
    }
    if (key === 'getupdates' && state.webhookUrl) {
      // While a webhook is set, getUpdates is refused (tdlib/telegram-bot-api Client.cpp; Bot API: getUpdates
      // "will not work if an outgoing webhook is set up").
      const e = new ApiError(
        409,
        "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
      );
      return reply(params, files, 409, errorBody(e));
    }
    if (key === 'getupdates') {
      return poll.handle(params, res, (status, body) => {
        send(res, status, body);
        record(params, files, status, body);
      });
    }
    try {
      const result = impl!(state, params, files);
      reply(params, files, 200, { ok: true, result });
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      reply(params, files, e.code, errorBody(e));
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      send(res, 500, { ok: false, error_code: 500, description: `Internal Server Error: ${String(e)}` });
    });
  });
  if (opts.keepAliveTimeoutMs !== undefined) server.keepAliveTimeout = opts.keepAliveTimeoutMs;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const apiRoot = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const userMessage = (chat: ChatRef, from: UserRef, extra: Partial<StoredMessage>, languageCode?: string): FakeUpdate => {
    const user = state.user(from, languageCode);
    const c = state.chat(chat);
    if (c.type === 'private' && c.id === user.id) {
      c.first_name = user.first_name;
      notStarted.delete(user.id);
    }
    const msg = state.store({ chat: c, from: user, ...extra });
    const update = state.enqueue({ message: apiMessage(msg) });
    poll.notify();
    return update;
  };

  const botMessages = (chatId: number, includeDeleted = false): StoredMessage[] =>
    [...(state.messages.get(chatId)?.values() ?? [])].filter((x) => x.from.id === botUser.id && (includeDeleted || !x.deleted));

  return {
    /** Base URL for grammY's `client.apiRoot` (no trailing slash). */
    apiRoot,
    /** Same as apiRoot. */
    url: apiRoot,
    token,
    /** The bot's User object as getMe returns it. */
    bot: botUser,
    /** Every recorded call, oldest first. */
    get calls() {
      return log.calls;
    },
    /** Queues a text message from a user (bot_command entities included, as Telegram marks them). */
    sendText(chat: ChatRef, from: UserRef, text: string, o: { languageCode?: string; threadId?: number } = {}): FakeUpdate {
      const entities = commandEntities(text);
      const c = state.chat(chat);
      if (o.threadId !== undefined && !state.topics.get(c.id)?.has(o.threadId))
        throw new Error(`fake telegram: no topic ${o.threadId} in chat ${c.id}`);
      const inTopic = o.threadId !== undefined ? { message_thread_id: o.threadId, is_topic_message: true } : {};
      return userMessage(chat, from, { text, ...inTopic, ...(entities.length > 0 ? { entities } : {}) }, o.languageCode);
    },
    /** Creates a forum topic in a supergroup made with `isForum: true`; returns its message_thread_id. */
    createTopic(chat: ChatRef, name: string): number {
      return state.createTopic(state.chat(chat).id, name);
    },
    /** Queues a button press on a message the bot sent; the update's callback_query.id must be answered. */
    pressButton(chat: ChatRef, from: UserRef, messageId: number, callbackData: string, o: { languageCode?: string } = {}): FakeUpdate {
      const c = state.chat(chat);
      const msg = state.find(c.id, messageId);
      if (!msg) throw new Error(`fake telegram: no message ${messageId} in chat ${c.id}`);
      const update = state.enqueue({
        callback_query: {
          id: state.callbackId(),
          from: state.user(from, o.languageCode),
          message: apiMessage(msg),
          chat_instance: String(c.id * 7919),
          data: callbackData,
        },
      });
      poll.notify();
      return update;
    },
    /** Queues a document (e.g. a .torrent file) sent by a user; the bot can getFile and download it. */
    sendDocument(
      chat: ChatRef,
      from: UserRef,
      doc: { fileName: string; bytes: Buffer | Uint8Array; mimeType?: string; caption?: string },
    ): FakeUpdate {
      const document = state.addFile(Buffer.from(doc.bytes), 'documents', doc.fileName, doc.mimeType ?? 'application/octet-stream');
      return userMessage(chat, from, { document, ...(doc.caption !== undefined ? { caption: doc.caption } : {}) });
    },
    /** Resolves once a getUpdates long poll is being held, i.e. the bot is idle and listening. */
    waitForPoll: (timeoutMs = 5000): Promise<void> => poll.waitForPoll(timeoutMs),
    /** Messages the bot sent to a chat, in order, as they are now (after edits). */
    messagesTo: botMessages,
    /** Resolves with the first bot message in a chat that satisfies `predicate`, now or when it arrives. */
    waitForMessage(chatId: number, predicate: (m: StoredMessage) => boolean = () => true, timeoutMs = 5000): Promise<StoredMessage> {
      const find = (): StoredMessage | undefined => botMessages(chatId).find(predicate);
      return log.waitFor(find, timeoutMs, `a bot message in chat ${chatId}`);
    },
    /** Resolves with the first call of `method` (case-insensitive) matching `predicate` with seq >= since. */
    waitForCall(method: string, predicate: (c: RecordedCall) => boolean = () => true, timeoutMs = 5000, since = 0): Promise<RecordedCall> {
      const key = method.toLowerCase();
      return log.waitForMatch((c) => c.seq >= since && c.method.toLowerCase() === key && predicate(c), timeoutMs, `a ${method} call`);
    },
    /** The seq the next recorded call will get; pass it as `since` to wait only for later calls. */
    mark: (): number => log.nextSeq,
    /** Subscribes to recorded calls; returns an unsubscribe function. */
    onCall: log.onCall.bind(log),
    /** Makes the next `times` calls of `method` fail with the given fault. */
    failNext(method: string, fault: Fault, times = 1): void {
      faults.add(method.toLowerCase(), fault, times);
    },
    /** Cuts the connection of the next `times` calls of `method` once their request arrived, unanswered and not applied. */
    cutNext(method: string, times = 1): void {
      cuts.add(method.toLowerCase(), true, times);
    },
    /** Leaves every call of `method` hanging (no answer) until the returned release is called. */
    holdCalls(method: string): () => void {
      let release = (): void => undefined;
      const key = method.toLowerCase();
      held.set(key, new Promise<void>((r) => (release = r)));
      return () => {
        held.delete(key);
        release();
      };
    },
    /** Calls hanging on holdCalls right now (arrived, unanswered). */
    get heldCalls(): number {
      return holding;
    },
    /** Sets a webhook as setWebhook would (the token served a webhook deployment before): getUpdates answers 409 until it is deleted. */
    setWebhook(url: string): void {
      state.webhookUrl = url;
    },
    /** Marks a user as never having started the bot: sends to their private chat get 403 until they write to it privately. */
    neverStarted(userId: number): void {
      notStarted.add(userId);
    },
    /** Answers every call with 502 Bad Gateway for the next `ms` milliseconds. */
    downFor(ms: number): void {
      downUntil = Date.now() + ms;
    },
    /** Starts (or, with undefined, ends) an outage: every call answered 5xx until the test ends it. */
    setOutage(o: Outage | undefined): void {
      outage = o;
    },
    /** Turns Telegram's flood limits on (options or defaults) or off (false). */
    setRateLimit(o: RateLimitOptions | boolean): void {
      limiter = o ? new ChatRateLimiter(o === true ? {} : o) : undefined;
    },
    /** Commands set with setMyCommands for a scope (default scope when omitted) and language. */
    commands(scope: Record<string, unknown> = { type: 'default' }, languageCode = ''): unknown[] | undefined {
      return state.commands.get(`${JSON.stringify(scope)}|${languageCode}`);
    },
    /** Updates queued and not yet acknowledged by a getUpdates offset. */
    pendingUpdates: (): number => state.updates.length,
    /** Callback queries delivered and not answered yet. */
    unansweredCallbacks: (): string[] => [...state.openCallbacks],
    /** Counts of responses by status, e.g. how many 429s were sent. */
    stats: () => log.stats(),
    /** Direct access to the state (chats, messages, files) for unusual assertions. */
    state,
    /** Stops the server: ends held polls and drops keep-alive connections so node can exit. */
    async close(): Promise<void> {
      poll.close();
      log.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/** The API of a running fake. */
export type FakeTelegram = Awaited<ReturnType<typeof startFakeTelegram>>;
