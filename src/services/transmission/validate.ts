import { err, ok, type Result } from '../../core/errors.ts';
import { bdecodeDictWithRaw, BencodeError, sha1Hex, type BValue } from './bencode.ts';

/**
 * Pure validators for what a user sends to add a torrent: a magnet link, an http(s) URL or
 * a .torrent file. Failures are short reason codes that handlers turn into messages.
 */

/** A magnet link that names a BitTorrent v1 info-hash. */
export interface Magnet {
  readonly uri: string;
  /** Lowercase 40-hex info-hash (base32 forms are converted). */
  readonly infoHash: string;
  readonly displayName: string | undefined;
  readonly trackers: number;
}

/** Why a magnet link was refused. */
export type MagnetProblem = 'not-magnet' | 'too-long' | 'no-btih' | 'bad-hash';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function base32ToHex(s: string): string | undefined {
  let bits = '';
  for (const ch of s.toUpperCase()) {
    const v = BASE32.indexOf(ch);
    if (v < 0) return undefined;
    bits += v.toString(2).padStart(5, '0');
  }
  let hex = '';
  for (let i = 0; i + 4 <= bits.length; i += 4) hex += parseInt(bits.slice(i, i + 4), 2).toString(16);
  return hex;
}

/** Parses `magnet:?xt=urn:btih:<40 hex | 32 base32>&dn=…`. */
export function parseMagnet(text: string): Result<Magnet, MagnetProblem> {
  const uri = text.trim();
  if (!/^magnet:\?/i.test(uri)) return err('not-magnet');
  if (uri.length > 8192) return err('too-long');
  if (/\s/.test(uri)) return err('not-magnet');
  const params = new URLSearchParams(uri.slice(uri.indexOf('?') + 1));
  const xts = params.getAll('xt').filter((x) => /^urn:btih:/i.test(x));
  if (xts.length === 0) return err('no-btih');
  const raw = (xts[0] ?? '').slice('urn:btih:'.length);
  let infoHash: string | undefined;
  if (/^[0-9a-f]{40}$/i.test(raw)) infoHash = raw.toLowerCase();
  else if (/^[a-z2-7]{32}$/i.test(raw)) infoHash = base32ToHex(raw);
  if (!infoHash) return err('bad-hash');
  return ok({ uri, infoHash, displayName: params.get('dn') ?? undefined, trackers: params.getAll('tr').length });
}

/** Why a .torrent URL was refused. */
export type UrlProblem = 'not-url' | 'not-http' | 'credentials' | 'too-long';

/** Accepts an http(s) URL to a .torrent (no embedded credentials, ≤ 2048 chars). */
export function validateTorrentUrl(text: string): Result<string, UrlProblem> {
  const s = text.trim();
  if (s.length > 2048) return err('too-long');
  if (/\s/.test(s)) return err('not-url');
  let url: URL;
  try {
    url = new URL(s);
  } catch {
    return err('not-url');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return err('not-http');
  if (!url.hostname) return err('not-url');
  // Credentials in a URL would end up in Transmission's logs and in ours.
  if (url.username || url.password) return err('credentials');
  return ok(url.toString());
}

/** What a valid .torrent file describes. */
export interface TorrentFileInfo {
  readonly name: string;
  /** SHA-1 of the bencoded info dictionary, lowercase hex. */
  readonly infoHash: string;
  readonly totalBytes: number;
  readonly fileCount: number;
}

/** Why an uploaded .torrent file was refused. */
export type TorrentFileProblem = 'empty' | 'too-large' | 'not-bencode' | 'no-info' | 'bad-info';

/** Default size limit for uploaded .torrent files. */
export const DEFAULT_MAX_TORRENT_BYTES = 5 * 1024 * 1024;

const str = (v: BValue | undefined): string | undefined => (Buffer.isBuffer(v) ? v.toString('utf8') : undefined);

/** Validates a .torrent before it is uploaded: bencode, a dict with an `info` dict, name and sizes. */
export function inspectTorrentFile(bytes: Uint8Array, opts: { maxBytes?: number } = {}): Result<TorrentFileInfo, TorrentFileProblem> {
  if (bytes.length === 0) return err('empty');
  if (bytes.length > (opts.maxBytes ?? DEFAULT_MAX_TORRENT_BYTES)) return err('too-large');
  let decoded: ReturnType<typeof bdecodeDictWithRaw>;
  try {
    decoded = bdecodeDictWithRaw(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length));
  } catch (e) {
    if (e instanceof BencodeError) return err('not-bencode');
    throw e;
  }
  const info = decoded.dict.get('info');
  const rawInfo = decoded.raw.get('info');
  if (!(info instanceof Map) || !rawInfo) return err('no-info');
  const name = str(info.get('name.utf-8')) ?? str(info.get('name'));
  if (!name) return err('bad-info');
  const length = info.get('length');
  const files = info.get('files');
  let totalBytes: number;
  let fileCount: number;
  if (typeof length === 'number' && length >= 0) {
    totalBytes = length;
    fileCount = 1;
  } else if (Array.isArray(files) && files.length > 0) {
    totalBytes = 0;
    for (const f of files) {
      const l = f instanceof Map ? f.get('length') : undefined;
      if (typeof l !== 'number' || l < 0) return err('bad-info');
      totalBytes += l;
    }
    fileCount = files.length;
  } else if (info.get('file tree') instanceof Map) {
    // BitTorrent v2 only: sizes live in the file tree; not needed to add the torrent.
    totalBytes = 0;
    fileCount = 0;
  } else {
    return err('bad-info');
  }
  if (typeof info.get('piece length') !== 'number') return err('bad-info');
  return ok({ name, infoHash: sha1Hex(rawInfo), totalBytes, fileCount });
}

/** True for a BitTorrent v1 info-hash as Transmission prints it (40 hex). */
export function isInfoHash(s: string): boolean {
  return /^[0-9a-f]{40}$/i.test(s);
}
