/**
 * The fake Discord gateway: a `ws` WebSocketServer on the REST server's port speaking gateway v10
 * with JSON encoding and no compression (discord.js uses zlib-stream only when zlib-sync is
 * installed). HELLO → IDENTIFY → READY (guild listed unavailable) → GUILD_CREATE, heartbeats
 * with ACK, and sessions that survive a dropped socket so RESUME replays what was missed.
 */
import type { Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import { CallLog, type CallBase } from './calls.ts';
import type { DiscordState } from './discord-model.ts';

/** Something that happened on the gateway, for tests to wait on. */
export interface GatewayLogEntry extends CallBase {
  readonly kind: 'connect' | 'identify' | 'resume' | 'heartbeat' | 'close' | 'dispatch';
  readonly detail: Record<string, unknown>;
}

interface Session {
  readonly id: string;
  seq: number;
  readonly events: { s: number; t: string; d: unknown }[];
  ws: WebSocket | undefined;
}

/** Keep this many dispatched events per session for RESUME replay. */
const REPLAY_BUFFER = 1000;

/** Gateway side of the fake. */
export class FakeGateway {
  readonly log = new CallLog<GatewayLogEntry>();
  readonly sessions = new Map<string, Session>();
  /** When false, heartbeats go unanswered and discord.js declares a zombie connection. */
  ackHeartbeats = true;
  private readonly wss: WebSocketServer;

  constructor(
    server: Server,
    private readonly state: DiscordState,
    private readonly o: { token: string; url: () => string; heartbeatIntervalMs: number },
  ) {
    this.wss = new WebSocketServer({ server });
    this.wss.on('connection', (ws, req) => this.connected(ws, req.url ?? '/'));
  }

  private note(kind: GatewayLogEntry['kind'], detail: Record<string, unknown>): void {
    const at = performance.now();
    this.log.add({ kind, detail, status: 0, at, doneAt: at });
  }

  private connected(ws: WebSocket, url: string): void {
    this.note('connect', { url });
    // Discord closes a connection asking for another gateway version with 4012 Invalid API version
    // (docs.discord.com/developers/topics/opcodes-and-status-codes#gateway-close-event-codes).
    const version = new URL(url, 'ws://127.0.0.1').searchParams.get('v');
    if (version !== null && version !== '10') return ws.close(4012, 'Invalid API version.');
    let session: Session | undefined;
    const send = (payload: unknown): void => ws.send(JSON.stringify(payload));
    send({ op: 10, d: { heartbeat_interval: this.o.heartbeatIntervalMs }, s: null, t: null });
    ws.on('message', (raw) => {
      let msg: { op?: number; d?: Record<string, unknown> | number | null };
      try {
        msg = JSON.parse(String(raw)) as typeof msg;
      } catch {
        return ws.close(4002, 'Error while decoding payload.');
      }
      const d = (typeof msg.d === 'object' && msg.d !== null ? msg.d : {}) as Record<string, unknown>;
      switch (msg.op) {
        case 1:
          this.note('heartbeat', { seq: msg.d ?? null });
          if (this.ackHeartbeats) send({ op: 11 });
          return;
        case 2:
          if (session) return ws.close(4005, 'Already authenticated.');
          if (d.token !== this.o.token) return ws.close(4004, 'Authentication failed.');
          // intents is a required integer bitfield of IDENTIFY; a bad value closes with 4013 Invalid intent(s).
          if (!Number.isInteger(d.intents) || (d.intents as number) < 0) return ws.close(4013, 'Invalid intent(s).');
          this.note('identify', { intents: d.intents, shard: d.shard });
          session = this.identify(ws);
          return;
        case 6: {
          const found = this.sessions.get(String(d.session_id));
          this.note('resume', { session_id: d.session_id, seq: d.seq, known: Boolean(found) });
          if (!found || d.token !== this.o.token) return send({ op: 9, d: false, s: null, t: null });
          session = found;
          found.ws = ws;
          for (const e of found.events) if (e.s > Number(d.seq ?? 0)) send({ op: 0, ...e });
          this.dispatchTo(found, 'RESUMED', {});
          return;
        }
        case 3:
        case 4:
        case 8:
          if (!session) ws.close(4003, 'Not authenticated.');
          return;
        default:
          ws.close(4001, 'Unknown opcode.');
      }
    });
    ws.on('close', (code) => {
      this.note('close', { code });
      if (session?.ws === ws) session.ws = undefined;
      // A client that closes with 1000 ends its session; any other close may be resumed.
      if (session && code === 1000) this.sessions.delete(session.id);
    });
  }

  private identify(ws: WebSocket): Session {
    const session: Session = { id: randomBytes(16).toString('hex'), seq: 0, events: [], ws };
    this.sessions.set(session.id, session);
    const s = this.state;
    this.dispatchTo(session, 'READY', {
      v: 10,
      user: { ...s.bot, verified: true, mfa_enabled: false, flags: 0 },
      guilds: [{ id: s.guildId, unavailable: true }],
      session_id: session.id,
      resume_gateway_url: this.o.url(),
      shard: [0, 1],
      application: { id: s.applicationId, flags: 0 },
      private_channels: [],
      presences: [],
      relationships: [],
      guild_join_requests: [],
      user_settings: {},
    });
    this.dispatchTo(session, 'GUILD_CREATE', this.guildCreate());
    return session;
  }

  /** The GUILD_CREATE payload: guild, channels with overwrites, the bot's member. */
  guildCreate(): Record<string, unknown> {
    const s = this.state;
    return {
      ...s.guild(),
      joined_at: new Date(0).toISOString(),
      large: false,
      unavailable: false,
      member_count: 2,
      voice_states: [],
      members: [s.member(s.bot)],
      channels: [...s.channels.values()],
      threads: [],
      presences: [],
      stage_instances: [],
      guild_scheduled_events: [],
      soundboard_sounds: [],
    };
  }

  private dispatchTo(session: Session, t: string, d: unknown): number {
    const e = { s: ++session.seq, t, d };
    session.events.push(e);
    if (session.events.length > REPLAY_BUFFER) session.events.shift();
    if (session.ws && session.ws.readyState === session.ws.OPEN) session.ws.send(JSON.stringify({ op: 0, ...e }));
    this.note('dispatch', { t, s: e.s, live: Boolean(session.ws) });
    return e.s;
  }

  /** Sends a dispatch event to every session; a disconnected one keeps it for RESUME. */
  dispatch(t: string, d: unknown): void {
    for (const s of this.sessions.values()) this.dispatchTo(s, t, d);
  }

  /** Number of sessions with an open socket. */
  get connectedCount(): number {
    return [...this.sessions.values()].filter((s) => s.ws).length;
  }

  /** Drops every socket: abruptly (1006) by default, or closing with `code` (4000 = resumable). */
  dropConnection(code?: number): number {
    let n = 0;
    for (const s of this.sessions.values()) {
      if (!s.ws) continue;
      n++;
      if (code === undefined) s.ws.terminate();
      else s.ws.close(code, 'fake gateway drop');
      s.ws = undefined;
    }
    return n;
  }

  /** Asks clients to reconnect and resume (op 7). */
  requestReconnect(): void {
    for (const s of this.sessions.values()) s.ws?.send(JSON.stringify({ op: 7, d: null, s: null, t: null }));
  }

  /** Invalidates every session (op 9): clients must IDENTIFY again. */
  invalidateSessions(): void {
    for (const s of this.sessions.values()) s.ws?.send(JSON.stringify({ op: 9, d: false, s: null, t: null }));
    this.sessions.clear();
  }

  /** Closes all sockets and the WebSocket server. */
  close(): void {
    for (const c of this.wss.clients) c.terminate();
    this.wss.close();
    this.log.close();
  }
}
