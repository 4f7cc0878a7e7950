/**
 * What discord.js keeps in memory. The bot answers interactions and posts to channels; it never
 * reads messages, reactions, presences, stickers, emojis or voice state, so those caches are off.
 * Guilds and channels stay whole (alert delivery looks channels up by id); members keep only the
 * bot's own member, which `permissionsFor` needs to warn about a channel it cannot post in.
 * Users are bounded (a DM target found in the cache saves a REST call) and swept hourly.
 */
import { Options, type ClientOptions } from 'discord.js';

/** The most users kept; beyond that a DM target is fetched over REST as for an unknown user. */
export const DISCORD_USER_CACHE = 100;

/** Cache limits and sweepers for the Discord client (discord.js `makeCache` / `sweepers`). */
export function discordCacheOptions(): Pick<ClientOptions, 'makeCache' | 'sweepers'> {
  return {
    makeCache: Options.cacheWithLimits({
      ApplicationCommandManager: 0,
      ApplicationEmojiManager: 0,
      AutoModerationRuleManager: 0,
      BaseGuildEmojiManager: 0,
      DMMessageManager: 0,
      EntitlementManager: 0,
      GuildBanManager: 0,
      GuildEmojiManager: 0,
      GuildForumThreadManager: 0,
      GuildInviteManager: 0,
      GuildMemberManager: { maxSize: 0, keepOverLimit: (member) => member.id === member.client.user.id },
      GuildMessageManager: 0,
      GuildScheduledEventManager: 0,
      GuildStickerManager: 0,
      GuildTextThreadManager: 0,
      MessageManager: 0,
      PresenceManager: 0,
      ReactionManager: 0,
      ReactionUserManager: 0,
      StageInstanceManager: 0,
      ThreadManager: 0,
      ThreadMemberManager: 0,
      UserManager: { maxSize: DISCORD_USER_CACHE, keepOverLimit: (user) => user.id === user.client.user.id },
      VoiceStateManager: 0,
    }),
    sweepers: {
      ...Options.DefaultSweeperSettings,
      users: { interval: 3600, filter: () => (user) => user.id !== user.client.user.id },
    },
  };
}
