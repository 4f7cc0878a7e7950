/**
 * State of the fake Discord: one guild with text channels, the bot user and member, messages
 * per channel, application commands per scope, and every interaction with what the bot
 * answered to it. Objects use Discord's API field names so they can be sent as-is.
 */

/** Discord's epoch (2015-01-01) in ms, for snowflakes. */
const DISCORD_EPOCH = 1420070400000n;
let increment = 0n;

/** A real-looking snowflake: timestamp, worker bits and an increment. */
export function snowflake(at = Date.now()): string {
  increment = (increment + 1n) & 0xfffn;
  return (((BigInt(at) - DISCORD_EPOCH) << 22n) | (1n << 17n) | increment).toString();
}

/** Permission bits the fake understands (subset of Discord's). */
export const PERM = {
  CreateInstantInvite: 1n << 0n,
  AddReactions: 1n << 6n,
  ViewChannel: 1n << 10n,
  SendMessages: 1n << 11n,
  EmbedLinks: 1n << 14n,
  AttachFiles: 1n << 15n,
  ReadMessageHistory: 1n << 16n,
  UseExternalEmojis: 1n << 18n,
  UseApplicationCommands: 1n << 31n,
  SendMessagesInThreads: 1n << 38n,
} as const;
export type PermissionName = keyof typeof PERM;

/** What @everyone may do in the fake guild: the usual rights of a chat bot. */
export const EVERYONE_PERMS = Object.values(PERM).reduce((a, b) => a | b, 0n);

/** Message flags used by the fake. */
export const FLAG = { SuppressEmbeds: 4, Ephemeral: 64, Loading: 128 } as const;

/** A Discord user object. */
export interface DUser {
  id: string;
  username: string;
  discriminator: string;
  global_name: string | null;
  avatar: string | null;
  bot?: boolean;
}

/** A user given to a helper: an id or a partial user. */
export type DUserRef = string | { id: string; username?: string; globalName?: string };

/** A guild text channel with its permission overwrites. */
export interface DChannel {
  id: string;
  type: number;
  name: string;
  guild_id: string;
  position: number;
  parent_id: null;
  nsfw: boolean;
  topic: null;
  rate_limit_per_user: number;
  last_message_id: string | null;
  flags: number;
  permission_overwrites: { id: string; type: 0 | 1; allow: string; deny: string }[];
}

/** A stored message in API shape (`deleted` is the fake's own marker). */
export interface DMessage {
  id: string;
  channel_id: string;
  guild_id?: string;
  author: DUser;
  content: string;
  embeds: Record<string, unknown>[];
  components: Record<string, unknown>[];
  attachments: { id: string; filename: string; size: number; url: string; proxy_url: string; content_type?: string }[];
  flags: number;
  type: number;
  timestamp: string;
  edited_timestamp: string | null;
  tts: boolean;
  mention_everyone: boolean;
  mentions: unknown[];
  mention_roles: unknown[];
  pinned: boolean;
  webhook_id?: string;
  application_id?: string;
  interaction_metadata?: Record<string, unknown>;
  message_reference?: Record<string, unknown>;
  nonce?: string | number;
  deleted?: boolean;
}

/** One initial response (callback) the bot gave to an interaction. */
export interface CallbackRecord {
  readonly type: number;
  readonly data: Record<string, unknown> | undefined;
  readonly at: number;
}

/** An interaction the fake dispatched and everything the bot answered. */
export interface InteractionRecord {
  readonly id: string;
  readonly token: string;
  /** 2 application command, 3 component, 4 autocomplete. */
  readonly type: number;
  readonly payload: Record<string, unknown>;
  readonly createdAt: number;
  readonly callbacks: CallbackRecord[];
  /** The response message (type 4/5), or the component's message (type 6/7). */
  originalId?: string;
  readonly followupIds: string[];
  choices?: unknown[];
}

/** In-memory state of the fake. */
export class DiscordState {
  readonly channels = new Map<string, DChannel>();
  /** Direct-message channels by channel id (created by POST /users/@me/channels). */
  readonly dms = new Map<string, { id: string; type: 1; recipients: DUser[]; last_message_id: string | null; flags: number }>();
  readonly messages = new Map<string, DMessage>();
  readonly files = new Map<string, Buffer>();
  /** Commands by scope: 'global' or a guild id. */
  readonly commands = new Map<string, Record<string, unknown>[]>();
  readonly commandWrites = new Map<string, number>();
  readonly interactions = new Map<string, InteractionRecord>();
  readonly users = new Map<string, DUser>();

  constructor(
    readonly bot: DUser,
    readonly applicationId: string,
    readonly guildId: string,
    readonly guildName: string,
    readonly ownerId: string,
  ) {}

  /** Adds a text channel. */
  addChannel(name: string, id = snowflake()): DChannel {
    const c: DChannel = {
      id,
      type: 0,
      name,
      guild_id: this.guildId,
      position: this.channels.size,
      parent_id: null,
      nsfw: false,
      topic: null,
      rate_limit_per_user: 0,
      last_message_id: null,
      flags: 0,
      permission_overwrites: [],
    };
    this.channels.set(id, c);
    return c;
  }

  /** Resolves a user reference, remembering it. */
  user(ref: DUserRef): DUser {
    const id = typeof ref === 'string' ? ref : ref.id;
    const known = this.users.get(id);
    if (known && typeof ref === 'string') return known;
    const username = (typeof ref === 'object' ? ref.username : undefined) ?? known?.username ?? `user${id.slice(-4)}`;
    const u: DUser = {
      id,
      username,
      discriminator: '0',
      global_name: (typeof ref === 'object' ? ref.globalName : undefined) ?? known?.global_name ?? username,
      avatar: null,
    };
    this.users.set(id, u);
    return u;
  }

  /** The DM channel with a user, created on first use. */
  dmWith(u: DUser): { id: string; type: 1; recipients: DUser[]; last_message_id: string | null; flags: number } {
    const found = [...this.dms.values()].find((d) => d.recipients[0]?.id === u.id);
    if (found) return found;
    const dm = { id: snowflake(), type: 1 as const, recipients: [u], last_message_id: null, flags: 0 };
    this.dms.set(dm.id, dm);
    return dm;
  }

  /** Permission bits the bot has in a channel (@everyone minus the channel's member overwrite). */
  botPermissions(channelId: string): bigint {
    const c = this.channels.get(channelId);
    let p = EVERYONE_PERMS;
    for (const o of c?.permission_overwrites ?? []) {
      if (o.id === this.bot.id || o.id === this.guildId) p = (p & ~BigInt(o.deny)) | BigInt(o.allow);
    }
    return p;
  }

  /** Stores a new message from the bot. */
  addMessage(
    m: Omit<
      DMessage,
      'id' | 'timestamp' | 'edited_timestamp' | 'tts' | 'mention_everyone' | 'mentions' | 'mention_roles' | 'pinned' | 'author'
    >,
  ): DMessage {
    const id = snowflake();
    const full: DMessage = {
      id,
      author: this.bot,
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      pinned: false,
      ...m,
    };
    this.messages.set(id, full);
    const c = this.channels.get(m.channel_id);
    if (c && !(full.flags & FLAG.Ephemeral)) c.last_message_id = id;
    return full;
  }

  /** The guild object sent in GUILD_CREATE and GET /guilds/:id. */
  guild(): Record<string, unknown> {
    return {
      id: this.guildId,
      name: this.guildName,
      icon: null,
      splash: null,
      discovery_splash: null,
      owner_id: this.ownerId,
      afk_channel_id: null,
      afk_timeout: 300,
      verification_level: 0,
      default_message_notifications: 0,
      explicit_content_filter: 0,
      roles: [
        {
          id: this.guildId,
          name: '@everyone',
          permissions: EVERYONE_PERMS.toString(),
          position: 0,
          color: 0,
          hoist: false,
          managed: false,
          mentionable: false,
          flags: 0,
        },
      ],
      emojis: [],
      stickers: [],
      features: [],
      mfa_level: 0,
      system_channel_id: null,
      premium_tier: 0,
      preferred_locale: 'en-US',
      nsfw_level: 0,
      max_members: 500000,
    };
  }

  /** A guild member object for a user. */
  member(u: DUser): Record<string, unknown> {
    return { user: u, roles: [], joined_at: new Date(0).toISOString(), deaf: false, mute: false, flags: 0, nick: null, avatar: null };
  }
}
