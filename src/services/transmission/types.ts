/** Data returned by the Transmission client (dialect-neutral, camelCase). */

/** Transmission's torrent states (classic numeric codes 0–6). */
export const TORRENT_STATUS = ['stopped', 'check-wait', 'checking', 'download-wait', 'downloading', 'seed-wait', 'seeding'] as const;
/** A torrent's state by name; `unknown` for a code outside 0–6. */
export type TorrentStatus = (typeof TORRENT_STATUS)[number] | 'unknown';

/** One torrent as listed. Ids are `hash` (the numeric id is not stable across restarts). */
export interface Torrent {
  /** Transmission's session id: small, stable while the daemon runs; the number /torrents shows. */
  readonly id: number;
  readonly hash: string;
  readonly name: string;
  readonly status: TorrentStatus;
  /** 0..1 */
  readonly percentDone: number;
  /** Bytes per second. */
  readonly rateDownload: number;
  readonly rateUpload: number;
  /** Seconds; undefined when Transmission does not know. */
  readonly etaSeconds: number | undefined;
  /** 0 = fine; otherwise `errorString` explains (tracker or local error). */
  readonly error: number;
  readonly errorString: string;
  readonly sizeWhenDone: number;
  readonly leftUntilDone: number;
  readonly downloadDir: string;
  /** Epoch seconds; 0 while not done. */
  readonly doneDate: number;
  readonly addedDate: number;
  readonly isFinished: boolean;
  readonly uploadRatio: number;
  /** 0..1; below 1 a magnet is still fetching its metadata. */
  readonly metadataPercentComplete: number;
}

/** Outcome of torrent-add; a duplicate is not an error. */
export interface AddedTorrent {
  readonly hash: string;
  readonly name: string;
  readonly duplicate: boolean;
}

/** Options for adding a torrent. */
export interface AddOptions {
  readonly downloadDir?: string;
  readonly paused?: boolean;
}

/** session-get subset. */
export interface TransmissionSession {
  readonly version: string;
  readonly rpcVersion: number;
  readonly downloadDir: string;
  readonly altSpeedEnabled: boolean;
}

/** free-space reply. */
export interface FreeSpace {
  readonly path: string;
  readonly freeBytes: number;
  /** Only from Transmission 4.0 on. */
  readonly totalBytes: number | undefined;
}

/** session-stats subset. */
export interface SessionStats {
  readonly activeTorrentCount: number;
  readonly pausedTorrentCount: number;
  readonly torrentCount: number;
  readonly downloadSpeed: number;
  readonly uploadSpeed: number;
}

/** Which RPC dialect the daemon speaks (PROTOCOLS §4.2 / §4.3). */
export type RpcDialect = 'classic' | 'jsonrpc';
