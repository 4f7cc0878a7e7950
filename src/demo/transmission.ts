import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { snakeKeys, toSnake } from '../services/transmission/dialect.ts';
import { inspectTorrentFile } from '../services/transmission/validate.ts';
import { closeServer, readBody, sendJson, serveLocal } from './http.ts';

/**
 * A protocol-faithful fake transmission-daemon (PROTOCOLS §4) for demo mode and tests:
 * Basic auth (401 before the 409), the 409 session-id dance, the classic protocol and,
 * when asked, the 4.1 JSON-RPC 2.0 dialect; `result` on HTTP 200 for failures; a missing
 * `ids` means ALL torrents, as in the real daemon. Torrents download over simulated time,
 * so "finished" notifications can be demoed.
 */

export interface TransmissionFakeOptions {
  /** Basic auth credentials; without them auth is off. */
  readonly username?: string;
  readonly password?: string;
  /** `jsonrpc` behaves like 4.1: the 409 carries X-Transmission-Rpc-Version 6.0.0. */
  readonly dialect?: 'classic' | 'jsonrpc';
  readonly downloadDir?: string;
  readonly freeBytes?: number;
  readonly totalBytes?: number;
  /** How long a started torrent takes to finish (default 2 minutes). */
  readonly downloadMs?: number;
  /** Time source, so tests can move time by hand. */
  readonly now?: () => number;
  /** Pre-load demo torrents. */
  readonly seed?: boolean;
}

/** One torrent inside the fake. */
export interface FakeTorrent {
  readonly id: number;
  readonly hashString: string;
  name: string;
  downloadDir: string;
  sizeWhenDone: number;
  addedDate: number;
  doneDate: number;
  running: boolean;
  /** Download progress, 0..1. */
  progress: number;
  /** When progress was last brought up to date (ms). */
  updatedAt: number;
}

/** A running fake Transmission: its RPC URL, live torrents and controls for tests. */
export interface TransmissionFake {
  /** The RPC URL. */
  readonly url: string;
  close(): Promise<void>;
  /** Live torrent records (progress brought up to date). */
  torrents(): FakeTorrent[];
  /** Marks a torrent fully downloaded now. */
  complete(hash: string): void;
  /** Forgets the session id, as a daemon restart would: the next request gets a 409. */
  rotateSessionId(): void;
  /** The next RPC fails with this result text (classic) / error message (JSON-RPC). */
  failNext(result: string): void;
  /** Every RPC received, with its arguments in snake_case. */
  readonly calls: { method: string; args: Record<string, unknown> }[];
  readonly altSpeedEnabled: boolean;
}

const STATUS_STOPPED = 0;
const STATUS_DOWNLOADING = 4;
const STATUS_SEEDING = 6;

/** Starts the fake on 127.0.0.1; the RPC path is `/transmission/rpc`. */
export async function startTransmissionFake(opts: TransmissionFakeOptions = {}, port = 0): Promise<TransmissionFake> {
  const now = opts.now ?? Date.now;
  const downloadMs = opts.downloadMs ?? 120_000;
  const downloadDir = opts.downloadDir ?? '/downloads';
  const jsonrpc = opts.dialect === 'jsonrpc';
  let sessionId = randomBytes(24).toString('base64url');
  let altSpeed = false;
  let injected: string | undefined;
  let nextId = 1;
  const list: FakeTorrent[] = [];
  const calls: { method: string; args: Record<string, unknown> }[] = [];

  const refresh = (t: FakeTorrent): FakeTorrent => {
    const at = now();
    if (t.running && t.progress < 1 && t.sizeWhenDone > 0) {
      t.progress = Math.min(1, t.progress + (at - t.updatedAt) / downloadMs);
      if (t.progress >= 1) t.doneDate = Math.floor(at / 1000);
    }
    t.updatedAt = at;
    return t;
  };
  const addTorrent = (hash: string, name: string, size: number, dir: string, running: boolean, progress = 0): FakeTorrent => {
    const t: FakeTorrent = {
      id: nextId++,
      hashString: hash,
      name,
      downloadDir: dir,
      sizeWhenDone: size,
      addedDate: Math.floor(now() / 1000),
      doneDate: progress >= 1 ? Math.floor(now() / 1000) : 0,
      running,
      progress,
      updatedAt: now(),
    };
    list.push(t);
    return t;
  };
  if (opts.seed) {
    addTorrent(sha1('debian'), 'debian-12.8.0-amd64-netinst.iso', 661_651_456, downloadDir, true, 1);
    addTorrent(sha1('bunny'), 'Big Buck Bunny (2008) 1080p', 928_670_754, `${downloadDir}/movies`, true, 0.4);
    addTorrent(sha1('sintel'), 'Sintel (2010) 4K', 4_123_456_789, `${downloadDir}/movies`, false, 0.12);
  }

  const view = (t: FakeTorrent): Record<string, unknown> => {
    refresh(t);
    const done = t.progress >= 1;
    const rate = t.running && !done ? Math.round((t.sizeWhenDone / downloadMs) * 1000) : 0;
    const left = Math.round(t.sizeWhenDone * (1 - t.progress));
    return {
      id: t.id,
      hashString: t.hashString,
      name: t.name,
      downloadDir: t.downloadDir,
      status: !t.running ? STATUS_STOPPED : done ? STATUS_SEEDING : STATUS_DOWNLOADING,
      percentDone: t.progress,
      sizeWhenDone: t.sizeWhenDone,
      totalSize: t.sizeWhenDone,
      leftUntilDone: left,
      rateDownload: rate,
      rateUpload: t.running ? Math.round(rate / 4) + (done ? 20_000 : 0) : 0,
      eta: rate > 0 ? Math.ceil(left / rate) : -1,
      error: 0,
      errorString: '',
      addedDate: t.addedDate,
      doneDate: t.doneDate,
      isFinished: false,
      uploadRatio: done ? 0.3 : 0.05,
      metadataPercentComplete: 1,
      labels: [],
    };
  };
  const select = (ids: unknown): FakeTorrent[] => {
    if (ids === undefined) return list; // as the real daemon: no ids = every torrent
    const wanted = (Array.isArray(ids) ? ids : [ids]).map((x) => (typeof x === 'string' ? x.toLowerCase() : x));
    return list.filter((t) => wanted.includes(t.id) || wanted.includes(t.hashString));
  };

  /** Runs one method with snake_case args; returns classic-named reply arguments or an error text. */
  const run = (
    method: string,
    a: Record<string, unknown>,
  ): { args: Record<string, unknown> } | { error: string; code: number; args?: Record<string, unknown> } => {
    switch (method) {
      case 'torrent_get': {
        const fields = (Array.isArray(a.fields) ? a.fields : []).map((f) => toSnake(String(f)));
        const torrents = select(a.ids).map((t) => Object.fromEntries(Object.entries(view(t)).filter(([k]) => fields.includes(toSnake(k)))));
        return { args: { torrents } };
      }
      case 'torrent_add': {
        const dir = typeof a.download_dir === 'string' ? a.download_dir : downloadDir;
        let hash: string;
        let name: string;
        let size: number;
        if (typeof a.metainfo === 'string') {
          const info = inspectTorrentFile(Buffer.from(a.metainfo, 'base64'), { maxBytes: 10 * 1024 * 1024 });
          if (!info.ok) return { error: 'invalid or corrupt torrent file', code: 9 };
          ({ infoHash: hash, name, totalBytes: size } = info.value);
        } else if (typeof a.filename === 'string' && a.filename.startsWith('magnet:')) {
          const p = new URLSearchParams(a.filename.slice(a.filename.indexOf('?') + 1));
          const btih = /^urn:btih:([0-9a-f]{40})$/i.exec(p.get('xt') ?? '')?.[1];
          if (!btih) return { error: 'invalid or corrupt torrent file', code: 9 };
          hash = btih.toLowerCase();
          name = p.get('dn') ?? hash;
          size = Number(p.get('xl')) || 200_000_000 + (parseInt(hash.slice(0, 6), 16) % 1_800_000_000);
        } else if (typeof a.filename === 'string' && /^https?:\/\//.test(a.filename)) {
          // The demo has no internet: pretend the download worked and name it after the URL.
          hash = sha1(a.filename);
          name = decodeURIComponent(a.filename.split('/').pop() || 'download').replace(/\.torrent$/, '');
          size = 300_000_000;
        } else {
          return { error: 'no filename or metainfo specified', code: 3 };
        }
        const dup = list.find((t) => t.hashString === hash);
        if (dup) return { args: { 'torrent-duplicate': { id: dup.id, name: dup.name, hashString: dup.hashString } } };
        const t = addTorrent(hash, name, size, dir, a.paused !== true);
        return { args: { 'torrent-added': { id: t.id, name: t.name, hashString: t.hashString } } };
      }
      case 'torrent_start':
      case 'torrent_start_now':
      case 'torrent_stop':
        for (const t of select(a.ids)) {
          refresh(t);
          t.running = method !== 'torrent_stop';
        }
        return { args: {} };
      case 'torrent_remove': {
        const gone = new Set(select(a.ids));
        for (let i = list.length - 1; i >= 0; i--) if (gone.has(list[i]!)) list.splice(i, 1);
        return { args: {} };
      }
      case 'session_get': {
        const all: Record<string, unknown> = {
          version: jsonrpc ? '4.1.0 (f6b7a1e2c3)' : '4.0.6 (38c164933e)',
          'rpc-version': jsonrpc ? 18 : 17,
          'rpc-version-semver': jsonrpc ? '6.0.0' : '5.3.0',
          'download-dir': downloadDir,
          'alt-speed-enabled': altSpeed,
          'alt-speed-down': 50,
          'alt-speed-up': 50,
          'speed-limit-down': 10_000,
          'speed-limit-up': 2_000,
        };
        const fields = Array.isArray(a.fields) ? a.fields.map((f) => toSnake(String(f))) : undefined;
        return { args: fields ? Object.fromEntries(Object.entries(all).filter(([k]) => fields.includes(toSnake(k)))) : all };
      }
      case 'session_set':
        if (typeof a.alt_speed_enabled === 'boolean') altSpeed = a.alt_speed_enabled;
        return { args: {} };
      case 'session_stats': {
        const views = list.map(view);
        return {
          args: {
            activeTorrentCount: views.filter((v) => v.status !== STATUS_STOPPED).length,
            pausedTorrentCount: views.filter((v) => v.status === STATUS_STOPPED).length,
            torrentCount: list.length,
            downloadSpeed: views.reduce((s, v) => s + Number(v.rateDownload), 0),
            uploadSpeed: views.reduce((s, v) => s + Number(v.rateUpload), 0),
            'cumulative-stats': { downloadedBytes: 0, uploadedBytes: 0, filesAdded: list.length, sessionCount: 1, secondsActive: 60 },
            'current-stats': { downloadedBytes: 0, uploadedBytes: 0, filesAdded: list.length, sessionCount: 1, secondsActive: 60 },
          },
        };
      }
      case 'free_space': {
        const path = typeof a.path === 'string' ? a.path : '';
        // rpcimpl freeSpace: a failed lookup still answers with the path and -1 sizes.
        if (!path.startsWith(downloadDir))
          return { error: 'No such file or directory', code: 5, args: { path, 'size-bytes': -1, total_size: -1 } };
        return { args: { path, 'size-bytes': opts.freeBytes ?? 812_345_678_901, total_size: opts.totalBytes ?? 1_000_204_886_016 } };
      }
      default:
        return { error: 'method name not recognized', code: -32601 };
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const text = await readBody(req);
    if (opts.username !== undefined) {
      const expected = `Basic ${Buffer.from(`${opts.username}:${opts.password ?? ''}`).toString('base64')}`;
      if (req.headers.authorization !== expected) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="Transmission"', 'content-type': 'text/html' });
        return void res.end('<h1>401: Unauthorized</h1>');
      }
    }
    if (req.headers['x-transmission-session-id'] !== sessionId) {
      const headers: Record<string, string> = { 'x-transmission-session-id': sessionId, 'content-type': 'text/html' };
      if (jsonrpc) headers['x-transmission-rpc-version'] = '6.0.0';
      res.writeHead(409, headers);
      return void res.end(`<h1>409: Conflict</h1><p><code>X-Transmission-Session-Id: ${sessionId}</code></p>`);
    }
    let body: { method?: unknown; arguments?: unknown; params?: unknown; jsonrpc?: unknown; id?: unknown; tag?: unknown };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      return sendJson(res, 200, { arguments: {}, result: 'no method name' });
    }
    const isJsonRpc = body.jsonrpc === '2.0';
    const method = toSnake(String(body.method ?? ''));
    const args = snakeKeys((isJsonRpc ? body.params : body.arguments) ?? {}) as Record<string, unknown>;
    calls.push({ method, args });
    const failure = injected;
    injected = undefined;
    const out = failure ? { error: failure, code: 5 } : run(method, args);
    if (isJsonRpc) {
      const reply =
        'error' in out
          ? {
              jsonrpc: '2.0',
              error: {
                code: out.code,
                message: out.code === -32601 ? 'Method not found' : 'error',
                data: { error_string: out.error, ...(out.args ? { result: snakeKeys(out.args) } : {}) },
              },
              id: body.id,
            }
          : { jsonrpc: '2.0', result: snakeKeys(out.args), id: body.id };
      return sendJson(res, 200, reply);
    }
    const reply =
      'error' in out
        ? { arguments: out.args ?? {}, result: out.error, tag: body.tag }
        : { arguments: out.args, result: 'success', tag: body.tag };
    sendJson(res, 200, reply);
  };

  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res).catch(() => {
      res.writeHead(500);
      res.end();
    });
  };
  const { server, url } = await serveLocal(listener, { port });
  return {
    url: `${url}/transmission/rpc`,
    close: () => closeServer(server),
    torrents: () => list.map(refresh),
    complete: (hash) => {
      const t = list.find((x) => x.hashString === hash);
      if (!t) throw new Error(`no torrent ${hash}`);
      refresh(t);
      t.progress = 1;
      t.doneDate = Math.floor(now() / 1000);
    },
    rotateSessionId: () => {
      sessionId = randomBytes(24).toString('base64url');
    },
    failNext: (result) => {
      injected = result;
    },
    calls,
    get altSpeedEnabled() {
      return altSpeed;
    },
  };
}

function sha1(s: string): string {
  return createHash('sha1').update(s).digest('hex');
}
