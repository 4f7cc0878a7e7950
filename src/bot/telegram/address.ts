/**
 * Where a Telegram message goes: a chat, and for a forum supergroup optionally one topic.
 * Written `<chatId>` or `<chatId>/<threadId>` after the `telegram:` platform prefix
 * (Bot API: sendMessage `message_thread_id`, "for forum supergroups only").
 */

/** A Telegram chat and, in a forum supergroup, the topic (message_thread_id). */
export interface TelegramAddress {
  readonly chatId: string;
  readonly threadId?: number;
}

/** Parses `-100123` or `-100123/7`; a malformed topic part leaves the whole text as the chat id. */
export function parseTelegramAddress(text: string): TelegramAddress {
  const m = /^(-?\d+)\/(\d+)$/.exec(text);
  return m ? { chatId: m[1] as string, threadId: Number(m[2]) } : { chatId: text };
}
