/**
 * State of the fake Telegram Bot API: chats, messages (per-chat message ids shared by users
 * and the bot, as in Telegram), files, the update queue and pending callback queries. The
 * shapes follow the Bot API objects closely enough for grammY and for our adapter.
 */
import { randomBytes } from 'node:crypto';

/** A Telegram user as the Bot API sends it. */
export interface TgUser {
  id: number;
  is_bot: boolean;
  first_name: string;
  username?: string;
  language_code?: string;
}

/** A Telegram chat as the Bot API sends it. */
export interface TgChat {
  id: number;
  type: 'private' | 'group' | 'supergroup' | 'channel';
  title?: string;
  first_name?: string;
  username?: string;
  /** True when the supergroup is a forum (has topics). */
  is_forum?: boolean;
}

/** A chat given to a helper: an id (private when > 0, supergroup when < 0) or a partial chat. */
export type ChatRef = number | { id: number; type?: TgChat['type']; title?: string; isForum?: boolean };
/** A user given to a helper: an id or a partial user. */
export type UserRef = number | { id: number; first_name?: string; username?: string; language_code?: string };

/** A file known to the fake (sent by a user or uploaded by the bot). */
export interface StoredFile {
  fileId: string;
  fileUniqueId: string;
  filePath: string;
  fileName?: string;
  mimeType?: string;
  bytes: Buffer;
}

/** A message in a chat, from a user or from the bot; `text` is the visible (parsed) text. */
export interface StoredMessage {
  message_id: number;
  chat: TgChat;
  from: TgUser;
  date: number;
  edit_date?: number;
  text?: string;
  /** The raw text/caption as the bot sent it (HTML source when parse_mode was HTML). */
  raw?: string;
  parse_mode?: string;
  caption?: string;
  reply_markup?: unknown;
  photo?: StoredFile;
  document?: StoredFile;
  entities?: { type: string; offset: number; length: number }[];
  /** The forum topic it belongs to (Telegram omits both fields in the General topic). */
  message_thread_id?: number;
  is_topic_message?: boolean;
  deleted: boolean;
  /** How many times the bot edited it. */
  edits: number;
}

/** An update as delivered by getUpdates. */
export interface FakeUpdate {
  update_id: number;
  message?: Record<string, unknown>;
  callback_query?: { id: string; from: TgUser; message?: Record<string, unknown>; chat_instance: string; data: string };
}

const now = (): number => Math.floor(Date.now() / 1000);

/** Converts a stored message to the Bot API Message object. */
export function apiMessage(m: StoredMessage): Record<string, unknown> {
  const o: Record<string, unknown> = { message_id: m.message_id, from: m.from, chat: m.chat, date: m.date };
  if (m.edit_date !== undefined) o.edit_date = m.edit_date;
  if (m.text !== undefined) o.text = m.text;
  if (m.entities && m.entities.length > 0) o[m.text !== undefined ? 'entities' : 'caption_entities'] = m.entities;
  if (m.caption !== undefined) o.caption = m.caption;
  if (m.photo) o.photo = photoSizes(m.photo);
  if (m.document) o.document = apiDocument(m.document);
  if (m.reply_markup !== undefined) o.reply_markup = m.reply_markup;
  if (m.message_thread_id !== undefined) o.message_thread_id = m.message_thread_id;
  if (m.is_topic_message) o.is_topic_message = true;
  return o;
}

/** The PhotoSize array Telegram returns (one size: the fake does not resize). */
export function photoSizes(f: StoredFile): Record<string, unknown>[] {
  const w = f.bytes.length >= 24 && f.bytes.readUInt32BE(0) === 0x89504e47 ? f.bytes.readUInt32BE(16) : 320;
  const h = f.bytes.length >= 24 && f.bytes.readUInt32BE(0) === 0x89504e47 ? f.bytes.readUInt32BE(20) : 320;
  return [{ file_id: f.fileId, file_unique_id: f.fileUniqueId, width: w, height: h, file_size: f.bytes.length }];
}

/** The Document object Telegram returns. */
export function apiDocument(f: StoredFile): Record<string, unknown> {
  return {
    file_id: f.fileId,
    file_unique_id: f.fileUniqueId,
    file_size: f.bytes.length,
    ...(f.fileName !== undefined ? { file_name: f.fileName } : {}),
    ...(f.mimeType !== undefined ? { mime_type: f.mimeType } : {}),
  };
}

/** bot_command entities for every `/command` at the start of a word, as Telegram marks them. */
export function commandEntities(text: string): { type: string; offset: number; length: number }[] {
  const out: { type: string; offset: number; length: number }[] = [];
  const re = /(^|\s)(\/[a-zA-Z0-9_]{1,32}(?:@[a-zA-Z0-9_]{3,32})?)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    out.push({ type: 'bot_command', offset: m.index + (m[1]?.length ?? 0), length: m[2]?.length ?? 0 });
  }
  return out;
}

/** In-memory state of the fake API. */
export class TelegramState {
  readonly chats = new Map<number, TgChat>();
  readonly messages = new Map<number, Map<number, StoredMessage>>();
  readonly files = new Map<string, StoredFile>();
  readonly updates: FakeUpdate[] = [];
  /** Callback query ids delivered and not yet answered. */
  readonly openCallbacks = new Set<string>();
  /** Commands by `${JSON scope}|${language}` as set by setMyCommands. */
  readonly commands = new Map<string, unknown[]>();
  /** The webhook URL set with setWebhook ('' when none: getUpdates works only then). */
  webhookUrl = '';
  /** Forum topics by chat: message_thread_id → name. */
  readonly topics = new Map<number, Map<number, string>>();
  private nextUpdateId = 1;
  private readonly nextMessageId = new Map<number, number>();
  private fileSeq = 0;

  /**
   * `maxMessagesPerChat` keeps only a chat's newest messages (default every one). Benchmarks bound
   * it: kept for good, 130,000 answers of a few KB each grew the heap that every measured bot's
   * fake shares, and its collections paused whichever bot was being measured.
   */
  constructor(
    readonly bot: TgUser,
    private readonly maxMessagesPerChat = Infinity,
  ) {}

  /** Resolves a chat reference, remembering the chat so later bot messages carry it. */
  chat(ref: ChatRef): TgChat {
    const id = typeof ref === 'number' ? ref : ref.id;
    const known = this.chats.get(id);
    if (known && typeof ref === 'number') return known;
    const type = (typeof ref === 'object' ? ref.type : undefined) ?? (id > 0 ? 'private' : 'supergroup');
    const chat: TgChat =
      type === 'private'
        ? { id, type, first_name: known?.first_name ?? `User${id}` }
        : {
            id,
            type,
            title: (typeof ref === 'object' ? ref.title : undefined) ?? known?.title ?? `Group ${-id}`,
            ...((typeof ref === 'object' && ref.isForum) || known?.is_forum ? { is_forum: true } : {}),
          };
    this.chats.set(id, chat);
    return chat;
  }

  /** Resolves a user reference into a Bot API User. */
  user(ref: UserRef, languageCode?: string): TgUser {
    const u = typeof ref === 'number' ? { id: ref } : ref;
    const lang = languageCode ?? (typeof ref === 'object' ? ref.language_code : undefined);
    return {
      id: u.id,
      is_bot: false,
      first_name: (typeof ref === 'object' ? ref.first_name : undefined) ?? `User${u.id}`,
      ...(typeof ref === 'object' && ref.username ? { username: ref.username } : {}),
      ...(lang ? { language_code: lang } : {}),
    };
  }

  /** Creates a topic in a forum supergroup; its id is the id of the topic's first (service) message, as in Telegram. */
  createTopic(chatId: number, name: string): number {
    const chat = this.chats.get(chatId);
    if (!chat?.is_forum) throw new Error(`fake telegram: chat ${chatId} is not a forum`);
    const threadId = this.messageId(chatId);
    let inChat = this.topics.get(chatId);
    if (!inChat) this.topics.set(chatId, (inChat = new Map()));
    inChat.set(threadId, name);
    return threadId;
  }

  /** Allocates the next message id in a chat. */
  messageId(chatId: number): number {
    const id = this.nextMessageId.get(chatId) ?? 1;
    this.nextMessageId.set(chatId, id + 1);
    return id;
  }

  /** Stores a message and returns it. */
  store(m: Omit<StoredMessage, 'message_id' | 'date' | 'deleted' | 'edits'>): StoredMessage {
    const full: StoredMessage = { ...m, message_id: this.messageId(m.chat.id), date: now(), deleted: false, edits: 0 };
    let inChat = this.messages.get(m.chat.id);
    if (!inChat) this.messages.set(m.chat.id, (inChat = new Map()));
    inChat.set(full.message_id, full);
    // A Map keeps insertion order: the first key is the chat's oldest message.
    if (inChat.size > this.maxMessagesPerChat) inChat.delete(inChat.keys().next().value!);
    return full;
  }

  /** Looks up a live message. */
  find(chatId: number, messageId: number): StoredMessage | undefined {
    const m = this.messages.get(chatId)?.get(messageId);
    return m && !m.deleted ? m : undefined;
  }

  /** Registers file bytes and returns the stored file (file_id usable with getFile and re-sends). */
  addFile(bytes: Buffer, kind: 'photos' | 'documents', fileName?: string, mimeType?: string): StoredFile {
    const n = ++this.fileSeq;
    const fileId = `BQAC${randomBytes(12).toString('base64url')}${n}`;
    const ext = fileName?.includes('.') ? fileName.slice(fileName.lastIndexOf('.')) : kind === 'photos' ? '.jpg' : '';
    const f: StoredFile = {
      fileId,
      fileUniqueId: `AgAD${n}`,
      filePath: `${kind}/file_${n}${ext}`,
      bytes,
      ...(fileName !== undefined ? { fileName } : {}),
      ...(mimeType !== undefined ? { mimeType } : {}),
    };
    this.files.set(fileId, f);
    return f;
  }

  /** Queues an update and returns it. */
  enqueue(u: Omit<FakeUpdate, 'update_id'>): FakeUpdate {
    const full = { update_id: this.nextUpdateId++, ...u };
    this.updates.push(full);
    return full;
  }

  /** Drops updates below `offset` (Telegram's acknowledgement) and returns up to `limit` of the rest. */
  take(offset: number, limit: number): FakeUpdate[] {
    if (offset > 0) while (this.updates.length > 0 && (this.updates[0]?.update_id ?? 0) < offset) this.updates.shift();
    return this.updates.slice(0, limit);
  }

  /** A new callback query id (Telegram uses large decimal strings). */
  callbackId(): string {
    const id = BigInt.asUintN(63, randomBytes(8).readBigUInt64BE()).toString();
    this.openCallbacks.add(id);
    return id;
  }
}
