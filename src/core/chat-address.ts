/**
 * Chat addresses, built and parsed here only. Two text forms exist:
 * - `ChatAddress` `platform:id`: where a message goes (`telegram:-100123`, `discord:<channelId>`,
 *   `console:main`) and a person's identity on a platform (`telegram:123`; a Telegram user's private
 *   chat id equals their user id). What follows the platform is the platform's own business
 *   (Telegram forum topics: `telegram:<chat>/<topic>`, see bot/telegram/address.ts).
 * - the storage key `platform:kind:id`, which SQLite rows (grants, buttons, approvals) keep for a chat.
 */

/** Chat platforms an identity or chat can belong to. */
export const PLATFORMS = ['telegram', 'discord', 'console'] as const;
/** One of PLATFORMS. */
export type Platform = (typeof PLATFORMS)[number];

/** `platform:id`: a chat to send to, or a person's identity on a platform. */
export type ChatAddress = `${Platform}:${string}`;

/** A chat: a Telegram chat or a Discord channel (group) or DM (private). */
export interface ChatRef {
  platform: Platform;
  id: string;
  kind: 'private' | 'group';
  /**
   * A group's name as its members see it (Telegram `chat.title`, Discord `guild #channel`), when the
   * adapter knows it: for people to read (an approver sees where a request was made), never a key.
   * User-controlled: escape it for the output format.
   */
  readonly title?: string;
}

const isPlatform = (text: string): text is Platform => (PLATFORMS as readonly string[]).includes(text);

/** `platform:id` from its two parts. */
export function formatAddress(platform: Platform, id: string | number): ChatAddress {
  return `${platform}:${id}`;
}

/** The `platform:id` of a chat, as audit entries, notify() and config name it. */
export function chatAddress(chat: ChatRef): ChatAddress {
  return formatAddress(chat.platform, chat.id);
}

/** Splits `platform:rest` (rest may itself hold colons or a topic); undefined for an unknown platform or empty rest. */
export function parseAddress(text: string): { platform: Platform; id: string } | undefined {
  const at = text.indexOf(':');
  if (at < 0) return undefined;
  const platform = text.slice(0, at);
  const id = text.slice(at + 1);
  return isPlatform(platform) && id !== '' ? { platform, id } : undefined;
}

/** The platform of an address or identity; undefined when malformed. */
export function platformOf(address: string): Platform | undefined {
  return parseAddress(address)?.platform;
}

/**
 * A person's identity `platform:id` (a strict id: letters, digits, `_.-`, at most 64; no topic,
 * no spaces). The one pattern the config schema, `/admit`, `/ignore` and parseIdentity share.
 */
export const IDENTITY_PATTERN = /^(?:telegram|discord|console):[A-Za-z0-9_.-]{1,64}$/;

/** Splits an identity `telegram:123` into platform and id (a strict id: no topic, no spaces); undefined when malformed. */
export function parseIdentity(identity: string): { platform: Platform; id: string } | undefined {
  return IDENTITY_PATTERN.test(identity) ? parseAddress(identity) : undefined;
}

/** The private chat with a person on their platform (where approval requests are sent). */
export function privateChatOf(identity: string): ChatRef | undefined {
  const parsed = parseIdentity(identity);
  return parsed && { platform: parsed.platform, id: parsed.id, kind: 'private' };
}

/** Stable text key of a chat for SQLite rows (`telegram:group:-100123`); never shown to people. */
export function chatStorageKey(chat: ChatRef): string {
  return `${chat.platform}:${chat.kind}:${chat.id}`;
}

/** Parses a chatStorageKey back (rows read from SQLite). */
export function parseChatStorageKey(key: string): ChatRef | undefined {
  const m = /^(telegram|discord|console):(private|group):(.+)$/.exec(key);
  if (!m) return undefined;
  return { platform: m[1] as Platform, kind: m[2] as ChatRef['kind'], id: m[3] as string };
}
