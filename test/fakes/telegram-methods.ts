/**
 * Bot API methods of the fake Telegram server, validating like Telegram does (text length
 * after entity parsing, callback_data bytes, answerCallbackQuery text, "message is not
 * modified") and answering with Bot API objects. Each method returns its `result` or throws
 * an ApiError carrying the error_code and description Telegram would send.
 */
import { visibleText } from './telegram-html.ts';
import { apiMessage, type StoredFile, type StoredMessage, type TelegramState } from './telegram-model.ts';

/** A Bot API error: `{ok:false, error_code, description, parameters?}`. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly description: string,
    readonly retryAfter?: number,
  ) {
    super(description);
  }
}

/** A file part received in a multipart request. */
export interface UploadedFile {
  readonly filename?: string;
  readonly contentType?: string;
  readonly bytes: Buffer;
}

export type Params = Record<string, unknown>;
type Method = (s: TelegramState, p: Params, files: ReadonlyMap<string, UploadedFile>) => unknown;

const bad = (what: string): ApiError => new ApiError(400, `Bad Request: ${what}`);

/** Reads an integer parameter (JSON number or numeric multipart string). */
export function intParam(p: Params, key: string): number | undefined {
  const v = p[key];
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return Number(v);
  return undefined;
}

/** Reads a JSON-object parameter that multipart bodies carry as a string. */
function jsonParam(p: Params, key: string): unknown {
  const v = p[key];
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v);
  } catch {
    throw bad(`can't parse ${key} JSON object`);
  }
}

const strParam = (p: Params, key: string): string | undefined => (typeof p[key] === 'string' ? (p[key] as string) : undefined);

function chatId(p: Params): number {
  const id = intParam(p, 'chat_id');
  if (id === undefined) throw bad(p.chat_id === undefined ? 'chat_id is empty' : 'chat not found');
  return id;
}

function checkParseMode(p: Params): string | undefined {
  const mode = strParam(p, 'parse_mode');
  if (mode !== undefined && mode !== '' && !['html', 'markdown', 'markdownv2'].includes(mode.toLowerCase())) {
    throw bad(`unsupported parse_mode "${mode}"`);
  }
  return mode || undefined;
}

/** Text as Telegram stores it; throws Telegram's errors for empty, too long or malformed HTML. */
function messageText(raw: string | undefined, mode: string | undefined, max: number, what: 'text' | 'caption'): string {
  if (raw === undefined && what === 'text') throw bad('message text is empty');
  const r = visibleText(raw ?? '', mode);
  if (!r.ok) throw new ApiError(400, r.error);
  if (what === 'text' && r.text.length === 0) throw bad('message text is empty');
  if (r.text.length > max) throw bad(what === 'text' ? 'message is too long' : 'message caption is too long');
  return r.text;
}

/** Validates an inline keyboard: callback_data must be 1–64 bytes of UTF-8. */
function replyMarkup(p: Params): unknown {
  const markup = jsonParam(p, 'reply_markup');
  if (markup === undefined) return undefined;
  if (typeof markup !== 'object' || markup === null) throw bad("can't parse reply keyboard markup JSON object");
  const rows = (markup as { inline_keyboard?: unknown }).inline_keyboard;
  if (rows === undefined) return markup;
  if (!Array.isArray(rows) || !rows.every(Array.isArray))
    throw bad('field "inline_keyboard" of the InlineKeyboardMarkup should be an Array of Arrays');
  for (const row of rows as unknown[][]) {
    for (const b of row as { text?: unknown; callback_data?: unknown; url?: unknown }[]) {
      if (typeof b.text !== 'string' || b.text.length === 0) throw bad('BUTTON_TEXT_INVALID');
      if (b.callback_data !== undefined) {
        const bytes = typeof b.callback_data === 'string' ? Buffer.byteLength(b.callback_data) : 0;
        if (bytes < 1 || bytes > 64) throw bad('BUTTON_DATA_INVALID');
      } else if (b.url === undefined) {
        throw bad('text buttons are unallowed in the inline keyboard');
      }
    }
  }
  return markup;
}

/** Resolves a photo/document parameter: an uploaded part (attach://id or same-named part) or a known file_id. */
function inputFile(s: TelegramState, p: Params, files: ReadonlyMap<string, UploadedFile>, key: 'photo' | 'document'): StoredFile {
  const v = p[key];
  const attach = typeof v === 'string' && v.startsWith('attach://') ? files.get(v.slice(9)) : files.get(key);
  if (attach) {
    return s.addFile(
      attach.bytes,
      key === 'photo' ? 'photos' : 'documents',
      attach.filename,
      key === 'document' ? attach.contentType : undefined,
    );
  }
  if (typeof v === 'string' && s.files.has(v)) return s.files.get(v)!;
  // A URL would make Telegram download it; the fake never leaves 127.0.0.1.
  throw bad('wrong file identifier/HTTP URL specified');
}

/**
 * The topic a send targets: message_thread_id must name a topic of a forum supergroup
 * (Bot API: "for forum supergroups only"; Telegram answers "message thread not found" otherwise).
 */
function topic(s: TelegramState, p: Params): Pick<StoredMessage, 'message_thread_id' | 'is_topic_message'> {
  const threadId = intParam(p, 'message_thread_id');
  if (threadId === undefined) return {};
  if (!s.topics.get(chatId(p))?.has(threadId)) throw bad('message thread not found');
  return { message_thread_id: threadId, is_topic_message: true };
}

function botMessage(s: TelegramState, p: Params, extra: Partial<StoredMessage>): Record<string, unknown> {
  const markup = replyMarkup(p);
  const m = s.store({
    chat: s.chat(chatId(p)),
    from: s.bot,
    ...topic(s, p),
    ...extra,
    ...(markup !== undefined ? { reply_markup: markup } : {}),
  });
  return apiMessage(m);
}

function editable(s: TelegramState, p: Params): StoredMessage {
  if (p.inline_message_id !== undefined) throw bad('inline messages are not supported by the fake');
  const id = intParam(p, 'message_id');
  if (id === undefined) throw bad('message identifier is not specified');
  const m = s.find(chatId(p), id);
  if (!m) throw bad('message to edit not found');
  if (m.from.id !== s.bot.id) throw bad("message can't be edited");
  return m;
}

const NOT_MODIFIED =
  'message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message';

const now = (): number => Math.floor(Date.now() / 1000);

/** The methods the fake serves, by lower-case name (Telegram method names are case-insensitive). */
export const METHODS: Record<string, Method> = {
  getme: (s) => ({ ...s.bot, can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false }),
  deletewebhook: (s, p) => {
    if (p.drop_pending_updates === true || p.drop_pending_updates === 'true') s.updates.length = 0;
    s.webhookUrl = '';
    return true;
  },
  // Bot API setWebhook: an empty url removes the webhook; a set one must be HTTPS ("bad webhook: An HTTPS URL must be provided").
  setwebhook: (s, p) => {
    const url = strParam(p, 'url');
    if (url === undefined) throw bad('url is empty');
    if (url !== '' && !url.startsWith('https://')) throw bad('bad webhook: An HTTPS URL must be provided for webhook');
    s.webhookUrl = url;
    return true;
  },
  getwebhookinfo: (s) => ({ url: s.webhookUrl, has_custom_certificate: false, pending_update_count: s.webhookUrl ? s.updates.length : 0 }),
  sendmessage: (s, p) => {
    const mode = checkParseMode(p);
    const raw = strParam(p, 'text');
    const text = messageText(raw, mode, 4096, 'text');
    return botMessage(s, p, { text, ...(raw !== undefined ? { raw } : {}), ...(mode ? { parse_mode: mode } : {}) });
  },
  sendphoto: (s, p, files) => {
    chatId(p);
    const mode = checkParseMode(p);
    const raw = strParam(p, 'caption');
    const caption = raw !== undefined ? messageText(raw, mode, 1024, 'caption') : undefined;
    const photo = inputFile(s, p, files, 'photo');
    return botMessage(s, p, { photo, ...(caption !== undefined ? { caption, raw } : {}), ...(mode ? { parse_mode: mode } : {}) });
  },
  senddocument: (s, p, files) => {
    chatId(p);
    const mode = checkParseMode(p);
    const raw = strParam(p, 'caption');
    const caption = raw !== undefined ? messageText(raw, mode, 1024, 'caption') : undefined;
    const document = inputFile(s, p, files, 'document');
    return botMessage(s, p, { document, ...(caption !== undefined ? { caption, raw } : {}), ...(mode ? { parse_mode: mode } : {}) });
  },
  editmessagetext: (s, p) => {
    const m = editable(s, p);
    if (m.text === undefined) throw bad('there is no text in the message to edit');
    const mode = checkParseMode(p);
    const raw = strParam(p, 'text');
    const text = messageText(raw, mode, 4096, 'text');
    // Without reply_markup the edit removes the inline keyboard, as in Telegram.
    const markup = replyMarkup(p);
    if (text === m.text && JSON.stringify(markup) === JSON.stringify(m.reply_markup)) throw bad(NOT_MODIFIED);
    Object.assign(m, { text, raw, parse_mode: mode, reply_markup: markup, edit_date: now(), edits: m.edits + 1 });
    return apiMessage(m);
  },
  editmessagecaption: (s, p) => {
    const m = editable(s, p);
    const mode = checkParseMode(p);
    const raw = strParam(p, 'caption');
    const caption = messageText(raw, mode, 1024, 'caption');
    const markup = replyMarkup(p);
    if (caption === m.caption && JSON.stringify(markup) === JSON.stringify(m.reply_markup)) throw bad(NOT_MODIFIED);
    Object.assign(m, { caption, raw, parse_mode: mode, reply_markup: markup, edit_date: now(), edits: m.edits + 1 });
    return apiMessage(m);
  },
  editmessagereplymarkup: (s, p) => {
    const m = editable(s, p);
    const markup = replyMarkup(p);
    if (JSON.stringify(markup) === JSON.stringify(m.reply_markup)) throw bad(NOT_MODIFIED);
    Object.assign(m, { reply_markup: markup, edit_date: now(), edits: m.edits + 1 });
    return apiMessage(m);
  },
  deletemessage: (s, p) => {
    const m = s.find(chatId(p), intParam(p, 'message_id') ?? -1);
    if (!m) throw bad('message to delete not found');
    m.deleted = true;
    return true;
  },
  answercallbackquery: (s, p) => {
    const id = strParam(p, 'callback_query_id') ?? String(p.callback_query_id ?? '');
    const text = strParam(p, 'text');
    if (text !== undefined && text.length > 200) throw bad('MESSAGE_TOO_LONG');
    if (!s.openCallbacks.delete(id)) throw bad('query is too old and response timeout expired or query ID is invalid');
    return true;
  },
  sendchataction: (s, p) => {
    chatId(p);
    if (!strParam(p, 'action')) throw bad('wrong parameter action in request');
    return true;
  },
  // BotCommand limits from core.telegram.org/bots/api#botcommand (command 1-32 of [a-z0-9_],
  // description 1-256 characters); a list breaking them is refused whole, nothing stored, as
  // `{ok:false, error_code:400, description:"Bad Request: BOT_COMMAND_INVALID"}` (the wording
  // Telegram's Bot API answers, per its maintainer in tdlib/telegram-bot-api#98).
  setmycommands: (s, p) => {
    const commands = jsonParam(p, 'commands');
    if (!Array.isArray(commands)) throw bad('commands must be an array');
    if (commands.length > 100) throw bad('too many commands');
    for (const c of commands as { command?: unknown; description?: unknown }[]) {
      if (typeof c.command !== 'string' || !/^[a-z0-9_]{1,32}$/.test(c.command)) throw bad('BOT_COMMAND_INVALID');
      if (typeof c.description !== 'string' || c.description.length < 1 || c.description.length > 256)
        throw bad('BOT_COMMAND_DESCRIPTION_INVALID');
    }
    s.commands.set(commandsKey(p), commands);
    return true;
  },
  getmycommands: (s, p) => s.commands.get(commandsKey(p)) ?? [],
  deletemycommands: (s, p) => {
    s.commands.delete(commandsKey(p));
    return true;
  },
  getfile: (s, p) => {
    const f = s.files.get(strParam(p, 'file_id') ?? '');
    if (!f) throw bad('invalid file_id');
    return { file_id: f.fileId, file_unique_id: f.fileUniqueId, file_size: f.bytes.length, file_path: f.filePath };
  },
  getchat: (s, p) => {
    const c = s.chats.get(chatId(p));
    if (!c) throw bad('chat not found');
    return c;
  },
};

/** The chat a setMyCommands/deleteMyCommands scope names (`chat`, `chat_administrators`, `chat_member`), if any. */
export function menuScopeChat(p: Params): number | undefined {
  let scope: unknown;
  try {
    scope = jsonParam(p, 'scope');
  } catch {
    return undefined; // the method itself reports the bad JSON
  }
  const id = (scope as { chat_id?: unknown } | undefined)?.chat_id;
  return typeof id === 'number' ? id : typeof id === 'string' && /^-?\d+$/.test(id) ? Number(id) : undefined;
}

/** Key under which setMyCommands stores a list: scope and language. */
export function commandsKey(p: Params): string {
  const scope = jsonParam(p, 'scope') ?? { type: 'default' };
  return `${JSON.stringify(scope)}|${strParam(p, 'language_code') ?? ''}`;
}
