import * as z from 'zod';

/**
 * zod schemas for Transmission RPC replies (PROTOCOLS §4; docs/rpc-spec.md). The client
 * rewrites every reply's argument keys to snake_case first (dialect.ts), so one schema
 * reads both the classic protocol and 4.1's JSON-RPC 2.0.
 * Each schema is z.lazy: built on its first use, not while every start-up evaluates this module.
 */

/** The classic envelope: `{result: "success" | error text, arguments, tag}`. */
export const classicReply = z.lazy(() => z.object({ result: z.string(), arguments: z.unknown().optional() }));

/** The JSON-RPC 2.0 envelope (4.1+): `result` on success, `error` with Transmission's code otherwise. */
export const jsonRpcReply = z.lazy(() =>
  z.object({
    result: z.unknown().optional(),
    error: z
      .object({ code: z.number(), message: z.string(), data: z.object({ error_string: z.string().optional() }).loose().optional() })
      .optional(),
  }),
);

/** The torrent-get fields the client asks for (classic names). */
export const TORRENT_FIELDS = [
  'id',
  'hashString',
  'name',
  'status',
  'percentDone',
  'rateDownload',
  'rateUpload',
  'eta',
  'error',
  'errorString',
  'sizeWhenDone',
  'leftUntilDone',
  'downloadDir',
  'doneDate',
  'addedDate',
  'isFinished',
  'uploadRatio',
  'metadataPercentComplete',
] as const;

/** One torrent of torrent-get with TORRENT_FIELDS. */
export const torrentSchema = z.lazy(() =>
  z.object({
    id: z.number().int(),
    hash_string: z.string(),
    name: z.string(),
    status: z.number(),
    percent_done: z.number(),
    rate_download: z.number(),
    rate_upload: z.number(),
    eta: z.number(),
    error: z.number(),
    error_string: z.string(),
    size_when_done: z.number(),
    left_until_done: z.number(),
    download_dir: z.string(),
    done_date: z.number(),
    added_date: z.number(),
    is_finished: z.boolean(),
    upload_ratio: z.number(),
    metadata_percent_complete: z.number().default(1),
  }),
);

/** torrent-get arguments. */
export const torrentListSchema = z.lazy(() => z.object({ torrents: z.array(torrentSchema) }));

/** The torrent a torrent-add names: `id`, `name`, `hashString` (rpc-spec §3.4). */
export const addedSchema = z.lazy(() => z.object({ hash_string: z.string(), name: z.string() }));

/** torrent-add arguments: `torrent-added`, or `torrent-duplicate` (still `success`). */
export const torrentAddSchema = z.lazy(() =>
  z.object({ torrent_added: addedSchema.optional(), torrent_duplicate: addedSchema.optional() }),
);

/** The session-get fields the client asks for. */
export const SESSION_FIELDS = ['version', 'rpc-version', 'download-dir', 'alt-speed-enabled'] as const;

/** session-get arguments for SESSION_FIELDS. */
export const sessionSchema = z.lazy(() =>
  z.object({
    version: z.string(),
    rpc_version: z.number(),
    download_dir: z.string(),
    alt_speed_enabled: z.boolean(),
  }),
);

/** free-space arguments; `total_size` only from Transmission 4.0. */
export const freeSpaceSchema = z.lazy(() => z.object({ path: z.string(), size_bytes: z.number(), total_size: z.number().optional() }));

/** session-stats arguments, the counts and speeds the bot shows. */
export const sessionStatsSchema = z.lazy(() =>
  z.object({
    active_torrent_count: z.number(),
    paused_torrent_count: z.number(),
    torrent_count: z.number(),
    download_speed: z.number(),
    upload_speed: z.number(),
  }),
);
