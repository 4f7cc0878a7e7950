/** Where an invocation happened, platform-neutral. */

/** Chat platforms an identity or chat can belong to. */
export const PLATFORMS = ['telegram', 'discord', 'console'] as const;
export type Platform = (typeof PLATFORMS)[number];

/** A chat: a Telegram chat or a Discord channel (group) or DM (private). */
export interface ChatRef {
  platform: Platform;
  id: string;
  kind: 'private' | 'group';
}

/** Stable text key of a chat for SQLite (`telegram:group:-100123`). */
export function chatKey(chat: ChatRef): string {
  return `${chat.platform}:${chat.kind}:${chat.id}`;
}

/** Parses a chatKey back (rows read from SQLite). */
export function parseChatKey(key: string): ChatRef | undefined {
  const m = /^(telegram|discord|console):(private|group):(.+)$/.exec(key);
  if (!m) return undefined;
  return { platform: m[1] as Platform, kind: m[2] as ChatRef['kind'], id: m[3] as string };
}

/** Splits `telegram:123` into platform and id; undefined when malformed. */
export function parseIdentity(identity: string): { platform: Platform; id: string } | undefined {
  const m = /^(telegram|discord|console):([A-Za-z0-9_.-]{1,64})$/.exec(identity);
  if (!m) return undefined;
  return { platform: m[1] as Platform, id: m[2] as string };
}

/** The private chat with a person on their platform (where approval requests are sent). */
export function privateChatOf(identity: string): ChatRef | undefined {
  const parsed = parseIdentity(identity);
  return parsed && { platform: parsed.platform, id: parsed.id, kind: 'private' };
}
