/**
 * A protocol-faithful fake Discord on 127.0.0.1 for end-to-end tests: REST under `/api/v10`
 * and the gateway WebSocket on the same port. A real discord.js Client points at it with
 * `rest: { api: fake.api }` (discord.js finds the gateway through GET /gateway/bot). Tests drive
 * it with interaction helpers (slash commands, buttons, autocomplete), inject 429s, 403s and
 * dropped connections, and wait on recorded calls and gateway events instead of sleeping.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeGateway, type GatewayLogEntry } from './discord-gateway.ts';
import { Interactions, type InteractionContext, type SlashInvocation } from './discord-interactions.ts';
import {
  DiscordState,
  FLAG,
  PERM,
  snowflake,
  type CallbackRecord,
  type DMessage,
  type DUserRef,
  type InteractionRecord,
  type PermissionName,
} from './discord-model.ts';
import { FakeRest, type DiscordCall, type DiscordFault } from './discord-rest.ts';
import { discordRoutes } from './discord-routes.ts';

export type { DiscordCall, DiscordFault } from './discord-rest.ts';
export type { GatewayLogEntry } from './discord-gateway.ts';
export type { InteractionContext, SlashInvocation } from './discord-interactions.ts';
export type { CallbackRecord, DChannel, DMessage, DUser, DUserRef, InteractionRecord, PermissionName } from './discord-model.ts';

/** Options of the fake; everything has a test-friendly default. */
export interface FakeDiscordOptions {
  readonly token?: string;
  readonly applicationId?: string;
  readonly bot?: { id?: string; username?: string };
  readonly guild?: { id?: string; name?: string };
  /** Text channels of the guild (default `general` and `alerts`). */
  readonly channels?: readonly (string | { id?: string; name: string })[];
  /** Who acts in interactions unless a helper names someone. */
  readonly defaultUser?: DUserRef;
  /** HELLO heartbeat interval (default 41250 ms, as Discord). */
  readonly heartbeatIntervalMs?: number;
  /** Time allowed for the initial interaction response (default 3000 ms). */
  readonly interactionDeadlineMs?: number;
  /** Lifetime of an interaction token for edits and follow-ups (default 15 min). */
  readonly interactionTokenTtlMs?: number;
  /** Bucket size and window of the per-route rate limits (default 50 per 1000 ms). */
  readonly rateLimit?: { limit?: number; windowMs?: number };
}

/** A dispatched interaction and waits on what the bot answers. */
export interface InteractionHandle {
  readonly id: string;
  readonly token: string;
  readonly record: InteractionRecord;
  /** Resolves with the initial response (callback) once the bot sends one. */
  waitForCallback(timeoutMs?: number): Promise<CallbackRecord>;
  /** Resolves with the response message once it is no longer "thinking" and matches `predicate`. */
  waitForReply(predicate?: (m: DMessage) => boolean, timeoutMs?: number): Promise<DMessage>;
  /** Resolves with the first answer of any kind — the finished reply or a follow-up — matching `predicate`. */
  waitForAnswer(predicate?: (m: DMessage) => boolean, timeoutMs?: number): Promise<DMessage>;
  /** Resolves with the first follow-up matching `predicate`. */
  waitForFollowup(predicate?: (m: DMessage) => boolean, timeoutMs?: number): Promise<DMessage>;
  /** Resolves with the autocomplete choices (callback type 8). */
  waitForChoices(timeoutMs?: number): Promise<{ name: string; value: string | number }[]>;
}

/** Starts the fake on 127.0.0.1 with an ephemeral port. */
export async function startFakeDiscord(opts: FakeDiscordOptions = {}) {
  const token = opts.token ?? 'fake-discord-token';
  const botId = opts.bot?.id ?? snowflake();
  const bot = { id: botId, username: opts.bot?.username ?? 'homelab-bot', discriminator: '0', global_name: null, avatar: null, bot: true };
  const guildId = opts.guild?.id ?? snowflake();
  const state = new DiscordState(bot, opts.applicationId ?? botId, guildId, opts.guild?.name ?? 'Home', '100000000000000001');
  for (const c of opts.channels ?? ['general', 'alerts']) {
    if (typeof c === 'string') state.addChannel(c);
    else state.addChannel(c.name, c.id);
  }
  let port = 0;
  const url = (): string => `http://127.0.0.1:${port}`;
  /** Where GET /gateway/bot and READY send the client: the fake itself unless a test routes it through a proxy. */
  let advertised: string | undefined;
  const gatewayUrl = (): string => advertised ?? `ws://127.0.0.1:${port}`;
  const defaultUser = opts.defaultUser ?? { id: '200000000000000002', username: 'alice' };
  const interactions = new Interactions(state, url, {
    deadlineMs: opts.interactionDeadlineMs ?? 3000,
    tokenTtlMs: opts.interactionTokenTtlMs ?? 15 * 60_000,
    defaultUser,
  });
  const rest = new FakeRest(discordRoutes({ state, interactions, baseUrl: url, gatewayUrl }), token, {
    limit: opts.rateLimit?.limit ?? 50,
    windowMs: opts.rateLimit?.windowMs ?? 1000,
  });

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const file = /^\/attachments\/[^/]+\/([^/]+)\/[^/]+$/.exec(path);
    if (file) {
      const bytes = state.files.get(file[1] ?? '');
      res.writeHead(bytes ? 200 : 404);
      res.end(bytes);
      return;
    }
    if (!path.startsWith('/api/')) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"message":"404: Not Found","code":0}');
      return;
    }
    rest.handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: `500: ${String(e)}`, code: 0 }));
    });
  });
  const gateway = new FakeGateway(server, state, { token, url: gatewayUrl, heartbeatIntervalMs: opts.heartbeatIntervalMs ?? 41_250 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;

  const live = (id: string | undefined): DMessage | undefined => {
    const m = id ? state.messages.get(id) : undefined;
    return m && !m.deleted ? m : undefined;
  };
  const handle = (rec: InteractionRecord): InteractionHandle => {
    gateway.dispatch('INTERACTION_CREATE', rec.payload);
    const wait = <T>(probe: () => T | undefined, timeoutMs: number, what: string): Promise<T> =>
      rest.log.waitFor(probe, timeoutMs, `${what} of interaction ${rec.id}`);
    return {
      id: rec.id,
      token: rec.token,
      record: rec,
      waitForCallback: (timeoutMs = 5000) => wait(() => rec.callbacks[0], timeoutMs, 'the callback'),
      waitForReply: (predicate = () => true, timeoutMs = 5000) =>
        wait(
          () => {
            const m = live(rec.originalId);
            return m && !(m.flags & FLAG.Loading) && predicate(m) ? m : undefined;
          },
          timeoutMs,
          'the reply',
        ),
      waitForAnswer: (predicate = () => true, timeoutMs = 5000) =>
        wait(
          () =>
            [rec.originalId, ...rec.followupIds]
              .map(live)
              .find((m): m is DMessage => m !== undefined && !(m.flags & FLAG.Loading) && predicate(m)),
          timeoutMs,
          'an answer',
        ),
      waitForFollowup: (predicate = () => true, timeoutMs = 5000) =>
        wait(() => rec.followupIds.map(live).find((m): m is DMessage => m !== undefined && predicate(m)), timeoutMs, 'a follow-up'),
      waitForChoices: (timeoutMs = 5000) =>
        wait(() => rec.choices as { name: string; value: string | number }[] | undefined, timeoutMs, 'choices'),
    };
  };
  const messagesIn = (channelId: string, o: { includeEphemeral?: boolean } = {}): DMessage[] =>
    [...state.messages.values()].filter(
      (m) => m.channel_id === channelId && !m.deleted && (o.includeEphemeral || !(m.flags & FLAG.Ephemeral)),
    );

  return {
    /** Base for discord.js `rest.api` (discord.js appends /v10). */
    api: `${url()}/api`,
    url: url(),
    gatewayUrl: gatewayUrl(),
    token,
    applicationId: state.applicationId,
    guildId,
    bot,
    /** The guild's channels, in order. */
    channels: [...state.channels.values()].map((c) => ({ id: c.id, name: c.name })),
    /** A channel id by name; throws for an unknown name. */
    channelId(name: string): string {
      const c = [...state.channels.values()].find((x) => x.name === name);
      if (!c) throw new Error(`fake discord: no channel named ${name}`);
      return c.id;
    },
    /** Every REST call, oldest first. */
    get calls(): readonly DiscordCall[] {
      return rest.log.calls;
    },
    /** Resolves with the first call on `route` (e.g. `POST /channels/:channel/messages`) matching `predicate`, seq >= since. */
    waitForCall(route: string, predicate: (c: DiscordCall) => boolean = () => true, timeoutMs = 5000, since = 0): Promise<DiscordCall> {
      return rest.log.waitForMatch((c) => c.seq >= since && c.route === route && predicate(c), timeoutMs, `${route}`);
    },
    /** The seq the next REST call will get. */
    mark: (): number => rest.log.nextSeq,
    onCall: (fn: (c: DiscordCall) => void) => rest.log.onCall(fn),
    /** Makes the next `times` requests on `route` fail with `fault` (429 carries rate-limit headers). */
    failNext(route: string, fault: DiscordFault, times = 1): void {
      rest.faults.add(route, fault, times);
    },
    /** Counts of answers by status. */
    stats: () => rest.log.stats(),
    /** Registered commands of a scope: the guild (default) or 'global'. */
    commands: (scope: string = guildId): Record<string, unknown>[] => state.commands.get(scope) ?? [],
    /** How many writes (PUT/POST/PATCH/DELETE) a command scope has had. */
    commandWrites: (scope: string = guildId): number => state.commandWrites.get(scope) ?? 0,
    /** Dispatches a slash command (options typed from the registered command). */
    slashCommand(name: string, inv: SlashInvocation = {}): InteractionHandle {
      return handle(interactions.create(2, interactions.commandData(name, inv), inv));
    },
    /** Dispatches a button press on a stored message. */
    pressButton(customId: string, o: InteractionContext & { messageId: string }): InteractionHandle {
      const m = live(o.messageId);
      if (!m) throw new Error(`fake discord: no message ${o.messageId}`);
      return handle(
        interactions.create(
          3,
          { custom_id: customId, component_type: 2 },
          { ...o, ...(o.channelId ? {} : { channelId: m.channel_id }) },
          m,
        ),
      );
    },
    /** Dispatches an autocomplete request while the user types `focused`. */
    autocomplete(name: string, inv: SlashInvocation & { focused: string }): InteractionHandle {
      return handle(interactions.create(4, interactions.commandData(name, inv, inv.focused), inv));
    },
    /** Dispatches any gateway event. */
    dispatch: (t: string, d: unknown): void => gateway.dispatch(t, d),
    /** Visible messages in a channel (ephemeral ones only when asked), oldest first. */
    messagesIn,
    /** A stored message by id (deleted ones too). */
    message: (id: string): DMessage | undefined => state.messages.get(id),
    /** Resolves with the first visible message in a channel matching `predicate`. */
    waitForMessage(channelId: string, predicate: (m: DMessage) => boolean = () => true, timeoutMs = 5000): Promise<DMessage> {
      return rest.log.waitFor(() => messagesIn(channelId).find(predicate), timeoutMs, `a message in channel ${channelId}`);
    },
    /** Bytes of an uploaded attachment. */
    attachmentBytes: (attachmentId: string): Buffer | undefined => state.files.get(attachmentId),
    /** Denies the bot permissions in a channel (REST answers 403; CHANNEL_UPDATE tells the client). */
    denyPermissions(channelId: string, names: readonly PermissionName[]): void {
      const c = state.channels.get(channelId);
      if (!c) throw new Error(`fake discord: no channel ${channelId}`);
      const deny = names.reduce((a, n) => a | PERM[n], 0n);
      c.permission_overwrites = deny ? [{ id: bot.id, type: 1, allow: '0', deny: deny.toString() }] : [];
      gateway.dispatch('CHANNEL_UPDATE', c);
    },
    /** The gateway: event log and connection faults. */
    gateway: {
      get log(): readonly GatewayLogEntry[] {
        return gateway.log.calls;
      },
      /** Resolves with the first gateway event of `kind` matching `predicate`, seq >= since. */
      waitFor(
        kind: GatewayLogEntry['kind'],
        predicate: (e: GatewayLogEntry) => boolean = () => true,
        timeoutMs = 5000,
        since = 0,
      ): Promise<GatewayLogEntry> {
        return gateway.log.waitForMatch((e) => e.seq >= since && e.kind === kind && predicate(e), timeoutMs, `gateway ${kind}`);
      },
      mark: (): number => gateway.log.nextSeq,
      /**
       * Sends clients to `url` (an http:// or ws:// base, e.g. a cut/hang proxy in front of this
       * fake) in GET /gateway/bot and READY's resume_gateway_url; undefined restores the fake's own.
       */
      advertise(url: string | undefined): void {
        advertised = url?.replace(/^http/, 'ws').replace(/\/+$/, '');
      },
      /** Drops open sockets: abruptly by default, or with a close code; returns how many. */
      dropConnection: (code?: number): number => gateway.dropConnection(code),
      requestReconnect: (): void => gateway.requestReconnect(),
      invalidateSessions: (): void => gateway.invalidateSessions(),
      /** Stop (false) or resume (true) answering heartbeats. */
      setHeartbeatAck(on: boolean): void {
        gateway.ackHeartbeats = on;
      },
      get connected(): number {
        return gateway.connectedCount;
      },
    },
    /** Direct access to the state for unusual assertions. */
    state,
    /** Closes sockets and the server so node can exit. */
    async close(): Promise<void> {
      gateway.close();
      rest.log.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/** The API of a running fake Discord. */
export type FakeDiscord = Awaited<ReturnType<typeof startFakeDiscord>>;
