/**
 * Discord session (discord.js 14, Guilds intent only: slash commands and buttons arrive as
 * interactions). Registers the registry as slash commands, turns interactions into pipeline
 * invocations, answers autocomplete from cached state, and delivers alerts to channels.
 * discord.js resumes dropped gateway sessions and honours REST rate limits by itself; a session
 * that stays down is rebuilt with a fresh client by the link supervisor.
 */
import {
  Client,
  Events,
  GatewayIntentBits,
  MessageFlags,
  type RESTOptions,
  type AutocompleteInteraction,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type Interaction,
} from 'discord.js';
import type { Logger } from '../../core/logger.ts';
import { formatAddress } from '../../core/chat-address.ts';
import type { OutMessage } from '../../core/outmessage.ts';
import type { ArgDef } from '../../handlers/args.ts';
import type { ChatRef, Input, Pipeline } from '../../handlers/pipeline.ts';
import type { CommandRegistry } from '../../handlers/registry.ts';
import { codedDeliveryError, type DeliveryOutcome } from '../../core/delivery.ts';
import type { AdapterHealth, ChatAdapter, LinkEvents } from '../adapter.ts';
import { CHOICE_SOURCE, completionSource, DURATION_SOURCE, durationSuggestions, optionsToRaw, type Describe } from './commands.ts';
import { discordCacheOptions } from './cache.ts';
import { deliverToChannel, PermissionWarnings, type PermissionWarning } from './delivery.ts';
import { InteractionSink } from './interaction-sink.ts';
import { registerCommands } from './registration.ts';
import { undiciRestTransport } from './rest-transport.ts';
import { renderDiscord, tokenFromCustomId } from './render.ts';

/** The Discord bot's token and API root, where its slash commands are registered, and how they are described and completed. */
export interface DiscordOptions {
  readonly token: string;
  /** REST base for discord.js `rest.api` (default https://discord.com/api; a test fake's `/api`). */
  readonly apiRoot?: string;
  /** Register commands in this guild (instant); without it, in every guild the bot is in. */
  readonly guildId?: string;
  /** Register commands globally instead (and clear the guild's copy, so nothing shows twice). */
  readonly globalCommands?: boolean;
  /** Message lookup for command and option descriptions. */
  readonly describe: Describe;
  /** Values of a completion source ('guest', 'torrent', 'domain'…) from cached state; must be fast. */
  readonly complete?: (source: string) => readonly string[] | Promise<readonly string[]>;
  /** Whether someone may run a command here (autocomplete reveals nothing to others). */
  readonly mayRun?: (identity: string, chat: ChatRef, command: string) => boolean;
  /** A gateway down this long is rebuilt with a fresh client (default 60 s; tests shorten it). */
  readonly gatewayLostAfterMs?: number;
}

/** Every REST call is bounded (discord.js waits 15 s by default, then retries 3 times: a minute on a hung line). */
const REST_TIMEOUT_MS = 10_000;
const REST_RETRIES = 1;
/** A gateway down this long (discord.js's own resume attempts failing) is rebuilt from scratch. */
const GATEWAY_LOST_AFTER_MS = 60_000;
/**
 * @discordjs/ws's debug line when a heartbeat went unacknowledged (WebSocketShard.heartbeat →
 * destroy({ reason: 'Zombie connection' })). On a hung line the close that follows waits out ws's
 * 30 s close timeout before discord.js emits anything else, so this line is the first sign.
 */
const ZOMBIE_DEBUG_LINE = /Reason: Zombie connection/;

/** Discord adapter: interactions in, OutMessages out. */
export class DiscordAdapter implements ChatAdapter {
  readonly platform = 'discord' as const;
  /** Logins count against Discord's daily identify limit: attempts are spaced further apart than Telegram's. */
  readonly linkPolicy = { attemptTimeoutMs: 20_000, delaysMs: [1000, 5000, 15_000, 30_000] };
  private client: Client;
  /** The client has logged in once: the next start() builds a fresh one (a destroyed client cannot log in again reliably). */
  private used = false;
  private readonly inflight = new Set<Promise<unknown>>();
  private readonly warnings: PermissionWarnings;
  private connected = false;
  private detail: string | undefined;
  private stopping = false;
  private events: LinkEvents | undefined;
  private lostTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly opts: DiscordOptions,
    private readonly pipeline: Pipeline,
    private readonly registry: CommandRegistry,
    private readonly log: Logger,
  ) {
    this.warnings = new PermissionWarnings(log);
    this.client = this.makeClient();
  }

  private makeClient(): Client {
    const rest: Partial<RESTOptions> = {
      makeRequest: undiciRestTransport({ timeoutMs: REST_TIMEOUT_MS }),
      timeout: REST_TIMEOUT_MS,
      retries: REST_RETRIES,
      ...(this.opts.apiRoot ? { api: this.opts.apiRoot.replace(/\/+$/, '') } : {}),
    };
    const client = new Client({ intents: [GatewayIntentBits.Guilds], rest, ...discordCacheOptions() });
    // Events of a replaced client are history.
    const mine =
      <A extends unknown[]>(f: (...a: A) => void) =>
      (...a: A) => {
        if (this.client === client) f(...a);
      };
    client.on(
      Events.InteractionCreate,
      mine((i: Interaction) => {
        // During shutdown nothing new starts; Discord shows the user that the bot did not answer.
        if (!this.stopping) void this.track(this.onInteraction(i));
      }),
    );
    client.rest.on(
      'response',
      mine(() => this.events?.ok()),
    );
    client.on(
      Events.ShardDisconnect,
      mine((e: { code: number }) => this.setConnected(false, `gateway closed (${e.code})`)),
    );
    client.on(
      Events.ShardReconnecting,
      mine(() => this.setConnected(false, 'reconnecting to the gateway')),
    );
    client.on(
      Events.ShardResume,
      mine((_id: number, replayed: number) => this.setConnected(true, undefined, `resumed, ${replayed} events replayed`)),
    );
    client.on(
      Events.ShardReady,
      mine(() => this.setConnected(true)),
    );
    client.on(
      Events.Debug,
      mine((line: string) => {
        if (ZOMBIE_DEBUG_LINE.test(line)) this.setConnected(false, 'gateway stopped acknowledging heartbeats');
      }),
    );
    client.on(
      Events.Error,
      mine((e: Error) => this.log.error({ err: e }, 'discord client error')),
    );
    return client;
  }

  supervise(events: LinkEvents): void {
    this.events = events;
  }

  private setConnected(on: boolean, detail?: string, note?: string): void {
    if (this.stopping || on === this.connected) return;
    this.connected = on;
    this.detail = detail;
    clearTimeout(this.lostTimer);
    if (on) {
      this.log.info(note ? { note } : {}, 'discord connected');
      this.events?.back();
      return;
    }
    this.log.warn({ detail }, 'discord disconnected');
    this.events?.trouble(detail ?? 'gateway disconnected');
    // discord.js keeps resuming by itself; one that never comes back is rebuilt by the link.
    const lostAfterMs = this.opts.gatewayLostAfterMs ?? GATEWAY_LOST_AFTER_MS;
    this.lostTimer = setTimeout(() => {
      if (this.connected || this.stopping) return;
      const old = this.client;
      this.client = this.makeClient();
      void destroyClient(old);
      this.events?.lost(`gateway down for ${lostAfterMs / 1000} s`);
    }, lostAfterMs);
    this.lostTimer.unref();
  }

  async start(signal?: AbortSignal): Promise<void> {
    if (this.used) {
      const old = this.client;
      this.client = this.makeClient();
      await destroyClient(old);
    }
    this.used = true;
    const client = this.client;
    // An abandoned attempt must not come up later behind the link's back.
    const onAbort = (): void => {
      if (this.client === client) this.client = this.makeClient();
      void destroyClient(client);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const ready = new Promise<void>((resolve, reject) => {
      client.once(Events.ClientReady, () => resolve());
      signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
    ready.catch(() => undefined);
    try {
      // An abandoned attempt settles at once: login on a hung line would wait for ever.
      const login = client.login(this.opts.token);
      login.catch(() => undefined);
      await Promise.race([login.then(() => ready), ready]);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    signal?.throwIfAborted();
    clearTimeout(this.lostTimer);
    this.connected = true;
    this.log.info({ bot: this.client.user?.username, guilds: this.client.guilds.cache.size }, 'discord connected');
    const appId = this.client.application?.id ?? this.client.user?.id ?? '';
    await registerCommands(this.client.rest, appId, this.registry.all(), this.opts, [...this.client.guilds.cache.keys()], this.log).catch(
      (e: unknown) => {
        // Without commands the bot still delivers alerts; the log says why commands are missing.
        this.log.warn({ err: e }, 'discord: registering slash commands failed');
      },
    );
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.lostTimer);
    await Promise.allSettled([...this.inflight]);
    await destroyClient(this.client);
    this.connected = false;
  }

  health(): AdapterHealth {
    return {
      connected: this.connected,
      ...(this.detail ? { detail: this.detail } : {}),
      warnings: this.warnings.list().map((w) => `cannot post in #${w.channelName}: missing permission "${w.permission}"`),
    };
  }

  /** Missing channel permissions, for /status. */
  permissionWarnings(): PermissionWarning[] {
    return this.warnings.list();
  }

  deliver(chatId: string, message: OutMessage, editRef?: string, meta?: { readonly dedupKey: string }): Promise<DeliveryOutcome> {
    // Before the client is ready its guilds and channels are unknown, and every channel would look
    // unknown (a permanent error): rows queued before a restart or during a rebuild wait instead.
    if (!this.client.isReady())
      return Promise.resolve({ ok: false, unreachable: true, error: codedDeliveryError('not-connected', 'discord') });
    return deliverToChannel(this.client, this.warnings, this.log, chatId, message, editRef, meta);
  }

  private track(p: Promise<unknown>): Promise<unknown> {
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p));
    return p;
  }

  private chatRef(i: Interaction): ChatRef {
    if (!i.inGuild()) return { platform: 'discord', id: i.channelId ?? i.user.id, kind: 'private' };
    const title = guildChannelTitle(i.guild?.name, i.channel && 'name' in i.channel ? i.channel.name : undefined);
    return { platform: 'discord', id: i.channelId ?? i.user.id, kind: 'group', ...(title ? { title } : {}) };
  }

  private user(i: Interaction) {
    const member = i.member && 'displayName' in i.member ? i.member.displayName : undefined;
    return {
      identity: formatAddress('discord', i.user.id),
      displayName: member ?? i.user.globalName ?? i.user.username,
      languageCode: i.locale,
    };
  }

  private async onInteraction(i: Interaction): Promise<void> {
    try {
      if (i.isAutocomplete()) await this.onAutocomplete(i);
      else if (i.isChatInputCommand()) await this.onCommand(i);
      else if (i.isButton()) await this.onButton(i);
    } catch (e) {
      // Typically an interaction that expired before we answered (10062); nothing to tell the user.
      this.log.warn({ err: e, interaction: i.id }, 'discord interaction failed');
    }
  }

  private async onCommand(i: ChatInputCommandInteraction): Promise<void> {
    const ephemeral = Boolean(this.registry.get(i.commandName)?.ephemeral);
    // Answer within Discord's 3 seconds whatever the command does; the reply edits this.
    await i.deferReply(ephemeral ? { flags: MessageFlags.Ephemeral } : {});
    const sink = new InteractionSink(i, { ephemeral, render: (m) => renderDiscord(m) });
    const input: Input = { kind: 'options', name: i.commandName, options: optionsToRaw(i.options.data) };
    await this.pipeline.handle({ chat: this.chatRef(i), user: this.user(i), input }, sink);
    await sink.finish();
  }

  private async onButton(i: ButtonInteraction): Promise<void> {
    const token = tokenFromCustomId(i.customId);
    await i.deferUpdate();
    if (!token) return;
    const sink = new InteractionSink(i, { ephemeral: i.message.flags.has(MessageFlags.Ephemeral), render: (m) => renderDiscord(m) });
    await this.pipeline.handle({ chat: this.chatRef(i), user: this.user(i), input: { kind: 'action', token } }, sink);
  }

  private async onAutocomplete(i: AutocompleteInteraction): Promise<void> {
    const focused = i.options.getFocused(true);
    const command = this.registry.get(i.commandName);
    const def = command?.args[focused.name] as ArgDef<unknown> | undefined;
    const source = def && completionSource(def);
    const allowed = command && (this.opts.mayRun?.(formatAddress('discord', i.user.id), this.chatRef(i), command.name) ?? true);
    if (!def || !source || !allowed) return void (await i.respond([]));
    const typed = String(focused.value);
    let values: readonly string[];
    if (source === DURATION_SOURCE) values = durationSuggestions(def, typed);
    else if (source === CHOICE_SOURCE) values = def.choices ?? [];
    else values = await withTimeout(Promise.resolve(this.opts.complete?.(source) ?? []), 2000).catch(() => []);
    const needle = typed.trim().toLowerCase();
    const hits = [...new Set(values)].filter((v) => v.toLowerCase().includes(needle) && v.length <= 100);
    // Prefix matches first: that is what the user is typing.
    hits.sort((a, b) => Number(!a.toLowerCase().startsWith(needle)) - Number(!b.toLowerCase().startsWith(needle)));
    await i.respond(hits.slice(0, 25).map((v) => ({ name: v, value: def.kind === 'integer' && /^-?\d+$/.test(v) ? Number(v) : v })));
  }
}

/**
 * Destroys a client for good. Two traps in @discordjs/ws 1.x's shard destroy(), both hit on a
 * cut or hung line: it drops the socket's error handler even while the opening handshake is
 * pending, so the handshake's later timeout or reset is an uncaught exception that kills the
 * process (the class of discordjs/discord.js#7964 and #8150); and a destroy that lands in the
 * 500 ms pause between reconnect attempts is ignored ("shard was idle"), after which the pause
 * ends and the shard reconnects: a ghost client that keeps dialling, and logs in again once the
 * line returns. So each shard's socket gets a no-op error listener and the shard can no longer
 * reconnect, before the client is destroyed; a socket still in its handshake is terminated.
 */
async function destroyClient(client: Client): Promise<void> {
  for (const shard of gatewayShards(client)) {
    shard.internalConnect = async () => undefined;
    const connection = shard.connection;
    if (typeof connection?.on === 'function') connection.on('error', () => undefined);
    // destroy() closes only an open socket: one still in its opening handshake (a hung line)
    // would stay until the handshake timeout, one more per abandoned attempt.
    if (connection?.readyState === CONNECTING && typeof connection.terminate === 'function') connection.terminate();
  }
  await client.destroy().catch(() => undefined);
}

/** The ws WebSocket's readyState while the opening handshake is pending. */
const CONNECTING = 0;

/** A @discordjs/ws WebSocketShard, as far as destroyClient touches it (private API). */
interface ShardInternals {
  internalConnect: () => Promise<void>;
  readonly connection?: {
    on?: (event: 'error', listener: () => void) => unknown;
    readonly readyState?: number;
    terminate?: () => void;
  } | null;
}

/** The client's gateway shards (SimpleShardingStrategy.shards in @discordjs/ws 1.x); none if that shape changes. */
function gatewayShards(client: Client): ShardInternals[] {
  const manager = (client.ws as unknown as { _ws?: { strategy?: { shards?: unknown } } })._ws;
  const shards = manager?.strategy?.shards;
  if (!(shards instanceof Map)) return [];
  return [...(shards as Map<unknown, Partial<ShardInternals>>).values()].filter(
    (s): s is ShardInternals => typeof s.internalConnect === 'function',
  );
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** A guild channel as its members name it, `Home #general` (Discord's own notation, no words to translate). */
function guildChannelTitle(guild: string | undefined, channel: string | undefined): string | undefined {
  const parts = [guild, channel && `#${channel}`].filter((p): p is string => Boolean(p));
  return parts.length > 0 ? parts.join(' ') : undefined;
}
