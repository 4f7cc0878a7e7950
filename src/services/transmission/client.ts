import type * as z from 'zod';
import { err, ok, serviceError, type Result } from '../../core/errors.ts';
import { HttpClient, LARGE_RESPONSE_BYTES, parseJson, type HttpResponse } from '../http.ts';
import { dialectFromHeader, snakeKeys, snakeParams, toSnake } from './dialect.ts';
import {
  classicReply,
  freeSpaceSchema,
  jsonRpcReply,
  SESSION_FIELDS,
  sessionSchema,
  sessionStatsSchema,
  TORRENT_FIELDS,
  torrentAddSchema,
  torrentListSchema,
  type torrentSchema,
} from './schemas.ts';
import { DEFAULT_MAX_TORRENT_BYTES, inspectTorrentFile, isInfoHash, parseMagnet, validateTorrentUrl } from './validate.ts';
import {
  TORRENT_STATUS,
  type AddedTorrent,
  type AddOptions,
  type FreeSpace,
  type RpcDialect,
  type SessionStats,
  type Torrent,
  type TransmissionSession,
} from './types.ts';

export type * from './types.ts';

const SERVICE = 'transmission';

/** How to reach one transmission-daemon. */
export interface TransmissionOptions {
  /** Daemon root (`http://docker:9091`) or the RPC URL itself (`…/transmission/rpc`). */
  readonly baseUrl: string;
  readonly username?: string;
  readonly password?: string;
  readonly timeoutMs?: number;
  readonly fingerprint?: string;
  readonly maxTorrentFileBytes?: number;
}

/**
 * Transmission RPC client (PROTOCOLS §4): Basic auth, the 409 session-id handshake (retry
 * once with the new id), classic protocol by default and JSON-RPC 2.0 when the daemon
 * announces it. Mutations always name torrents by hash: an omitted `ids` means ALL torrents.
 */
export class TransmissionClient {
  private readonly http: HttpClient;
  private readonly rpcPath: string;
  private readonly auth: string | undefined;
  private sessionId: string | undefined;
  private dialectSeen: RpcDialect = 'classic';
  private tag = 0;

  constructor(private readonly opts: TransmissionOptions) {
    const u = new URL(opts.baseUrl);
    const path = u.pathname.replace(/\/+$/, '');
    this.rpcPath = path.endsWith('/rpc') ? path : `${path}/transmission/rpc`;
    // torrent-get lists every torrent (with file lists on /downloads detail): a larger cap.
    this.http = new HttpClient(SERVICE, { maxResponseBytes: LARGE_RESPONSE_BYTES, ...opts, baseUrl: u.origin });
    this.auth =
      opts.username !== undefined ? `Basic ${Buffer.from(`${opts.username}:${opts.password ?? ''}`).toString('base64')}` : undefined;
  }

  /** The dialect learned from the last 409 handshake. */
  get dialect(): RpcDialect {
    return this.dialectSeen;
  }

  /** Every torrent with the fields the bot shows. */
  async list(): Promise<Result<Torrent[]>> {
    const r = await this.call('torrent-get', { fields: TORRENT_FIELDS });
    if (!r.ok) return r;
    const parsed = torrentListSchema.safeParse(r.value);
    if (!parsed.success) return err(serviceError(SERVICE, 'protocol', 'unexpected torrent list shape'));
    return ok(parsed.data.torrents.map(toTorrent));
  }

  /** Adds a magnet link (validated first). */
  addMagnet(uri: string, opts: AddOptions = {}): Promise<Result<AddedTorrent>> {
    const m = parseMagnet(uri);
    if (!m.ok) return Promise.resolve(err(serviceError(SERVICE, 'rejected', `not a usable magnet link (${m.error})`)));
    return this.add({ filename: m.value.uri }, opts);
  }

  /** Adds a torrent by http(s) URL; Transmission downloads the .torrent itself. */
  addUrl(url: string, opts: AddOptions = {}): Promise<Result<AddedTorrent>> {
    const v = validateTorrentUrl(url);
    if (!v.ok) return Promise.resolve(err(serviceError(SERVICE, 'rejected', `not a usable torrent URL (${v.error})`)));
    return this.add({ filename: v.value }, opts);
  }

  /** Uploads a .torrent file after checking it is bencode with an info dict and within the size limit. */
  addTorrentFile(bytes: Uint8Array, opts: AddOptions = {}): Promise<Result<AddedTorrent>> {
    const info = inspectTorrentFile(bytes, { maxBytes: this.opts.maxTorrentFileBytes ?? DEFAULT_MAX_TORRENT_BYTES });
    if (!info.ok) return Promise.resolve(err(serviceError(SERVICE, 'rejected', `not a usable .torrent file (${info.error})`)));
    return this.add({ metainfo: Buffer.from(bytes).toString('base64') }, opts);
  }

  /** Resumes torrents. */
  start(hashes: readonly string[]): Promise<Result<void>> {
    return this.mutate('torrent-start', hashes, {});
  }

  /** Pauses torrents. */
  stop(hashes: readonly string[]): Promise<Result<void>> {
    return this.mutate('torrent-stop', hashes, {});
  }

  /** Removes torrents, and their downloaded data when `deleteData`. */
  remove(hashes: readonly string[], deleteData: boolean): Promise<Result<void>> {
    return this.mutate('torrent-remove', hashes, { 'delete-local-data': deleteData });
  }

  /** Version, download dir and turtle mode. */
  async session(): Promise<Result<TransmissionSession>> {
    const r = await this.call('session-get', { fields: SESSION_FIELDS });
    if (!r.ok) return r;
    const p = sessionSchema.safeParse(r.value);
    if (!p.success) return err(serviceError(SERVICE, 'protocol', 'unexpected session shape'));
    return ok({
      version: p.data.version,
      rpcVersion: p.data.rpc_version,
      downloadDir: p.data.download_dir,
      altSpeedEnabled: p.data.alt_speed_enabled,
    });
  }

  /** Whether turtle mode (alternative speed limits) is on. */
  async turtle(): Promise<Result<boolean>> {
    const s = await this.session();
    return s.ok ? ok(s.value.altSpeedEnabled) : s;
  }

  /** Turns turtle mode on or off. */
  async setTurtle(on: boolean): Promise<Result<void>> {
    const r = await this.call('session-set', { 'alt-speed-enabled': on });
    return r.ok ? ok(undefined) : r;
  }

  /** Free space at `path` (default: the session's download dir). */
  async freeSpace(path?: string): Promise<Result<FreeSpace>> {
    let dir = path;
    if (dir === undefined) {
      const s = await this.session();
      if (!s.ok) return s;
      dir = s.value.downloadDir;
    }
    const r = await this.call('free-space', { path: dir });
    if (!r.ok) return r;
    const p = freeSpaceSchema.safeParse(r.value);
    if (!p.success) return err(serviceError(SERVICE, 'protocol', 'unexpected free-space shape'));
    return ok({ path: p.data.path, freeBytes: p.data.size_bytes, totalBytes: p.data.total_size });
  }

  /** Counts and current speeds. */
  async sessionStats(): Promise<Result<SessionStats>> {
    const r = await this.call('session-stats', {});
    if (!r.ok) return r;
    const p = sessionStatsSchema.safeParse(r.value);
    if (!p.success) return err(serviceError(SERVICE, 'protocol', 'unexpected session-stats shape'));
    const d = p.data;
    return ok({
      activeTorrentCount: d.active_torrent_count,
      pausedTorrentCount: d.paused_torrent_count,
      torrentCount: d.torrent_count,
      downloadSpeed: d.download_speed,
      uploadSpeed: d.upload_speed,
    });
  }

  /** Closes pooled connections. */
  close(): Promise<void> {
    return this.http.close();
  }

  private async add(source: Record<string, string>, opts: AddOptions): Promise<Result<AddedTorrent>> {
    const args: Record<string, unknown> = { ...source, paused: opts.paused ?? false };
    if (opts.downloadDir !== undefined) args['download-dir'] = opts.downloadDir;
    const r = await this.call('torrent-add', args);
    if (!r.ok) return r;
    const p = torrentAddSchema.safeParse(r.value);
    const t = p.success ? (p.data.torrent_added ?? p.data.torrent_duplicate) : undefined;
    if (!p.success || !t) return err(serviceError(SERVICE, 'protocol', 'torrent-add reply names no torrent'));
    return ok({ hash: t.hash_string.toLowerCase(), name: t.name, duplicate: p.data.torrent_added === undefined });
  }

  private async mutate(method: string, hashes: readonly string[], extra: Record<string, unknown>): Promise<Result<void>> {
    // Never send a mutation without ids: Transmission would apply it to every torrent.
    if (hashes.length === 0) return err(serviceError(SERVICE, 'rejected', 'no torrent given'));
    if (!hashes.every(isInfoHash)) return err(serviceError(SERVICE, 'rejected', 'torrents are named by their 40-hex hash'));
    const r = await this.call(method, { ids: hashes.map((h) => h.toLowerCase()), ...extra });
    return r.ok ? ok(undefined) : r;
  }

  /** One RPC call; returns the reply arguments with snake_case keys (both dialects). */
  private async call(method: string, args: Record<string, unknown>): Promise<Result<unknown>> {
    const tag = ++this.tag;
    const build = (d: RpcDialect): unknown =>
      d === 'classic' ? { method, arguments: args, tag } : { jsonrpc: '2.0', method: toSnake(method), params: snakeParams(args), id: tag };
    const res = await this.post(build);
    if (!res.ok) return res;
    const { status, text } = res.value.response;
    if (status === 401) return err(serviceError(SERVICE, 'auth', 'Transmission rejected the user name or password', status));
    if (status === 403) return err(serviceError(SERVICE, 'auth', 'Transmission refused this address (rpc-whitelist)', status));
    if (status === 421) return err(serviceError(SERVICE, 'auth', 'Transmission refused the host name (rpc-host-whitelist)', status));
    if (status !== 200) return err(serviceError(SERVICE, 'protocol', `unexpected HTTP status ${status}`, status));
    if (res.value.dialect === 'classic') {
      const body = parseJson(SERVICE, text, classicReply);
      if (!body.ok) return body;
      if (body.value.result !== 'success') return err(serviceError(SERVICE, 'rejected', body.value.result.slice(0, 200)));
      return ok(snakeKeys(body.value.arguments ?? {}));
    }
    const body = parseJson(SERVICE, text, jsonRpcReply);
    if (!body.ok) return body;
    if (body.value.error) {
      const e = body.value.error;
      return err(serviceError(SERVICE, 'rejected', (e.data?.error_string || e.message).slice(0, 200), e.code));
    }
    return ok(snakeKeys(body.value.result ?? {}));
  }

  /** POST with the session-id dance: on 409 take the new id (and dialect) and retry once. */
  private async post(build: (d: RpcDialect) => unknown): Promise<Result<{ response: HttpResponse; dialect: RpcDialect }>> {
    for (let attempt = 0; ; attempt++) {
      const headers: Record<string, string> = {};
      if (this.auth) headers.authorization = this.auth;
      if (this.sessionId) headers['x-transmission-session-id'] = this.sessionId;
      const dialect = this.dialectSeen;
      const res = await this.http.request('POST', this.rpcPath, { headers, json: build(dialect) });
      if (!res.ok) return res;
      if (res.value.status !== 409) return ok({ response: res.value, dialect });
      const id = header(res.value, 'x-transmission-session-id');
      if (!id) return err(serviceError(SERVICE, 'protocol', '409 without a session id', 409));
      this.sessionId = id;
      this.dialectSeen = dialectFromHeader(header(res.value, 'x-transmission-rpc-version'));
      if (attempt >= 1) return err(serviceError(SERVICE, 'protocol', 'the session id handshake did not settle', 409));
    }
  }
}

function header(res: HttpResponse, name: string): string | undefined {
  const v = res.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function toTorrent(t: z.infer<typeof torrentSchema>): Torrent {
  return {
    id: t.id,
    hash: t.hash_string.toLowerCase(),
    name: t.name,
    status: TORRENT_STATUS[t.status] ?? 'unknown',
    percentDone: t.percent_done,
    rateDownload: t.rate_download,
    rateUpload: t.rate_upload,
    etaSeconds: t.eta >= 0 ? t.eta : undefined,
    error: t.error,
    errorString: t.error_string,
    sizeWhenDone: t.size_when_done,
    leftUntilDone: t.left_until_done,
    downloadDir: t.download_dir,
    doneDate: t.done_date,
    addedDate: t.added_date,
    isFinished: t.is_finished,
    uploadRatio: t.upload_ratio,
    metadataPercentComplete: t.metadata_percent_complete,
  };
}
