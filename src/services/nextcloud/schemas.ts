/**
 * zod schemas for the Nextcloud replies the client reads (PROTOCOLS §5): status.php, the OCS
 * envelope, serverinfo and the provisioning user list. serverinfo reports `false` or null for
 * values the OS does not provide (cpuload on some systems, freespace on object storage), so
 * those fields are lenient and normalised by the client.
 * Each schema is z.lazy: built on its first use, not while every start-up evaluates this module.
 */
import * as z from 'zod';

/** A number that may be missing, null or `false` (unknown). */
const maybeNumber = z.lazy(() => z.union([z.number(), z.null(), z.literal(false)]).optional());
/** A number sometimes sent as a numeric string (database size on some backends). */
const looseNumber = z.lazy(() => z.union([z.number(), z.string(), z.null(), z.literal(false)]).optional());

/** GET /status.php. */
export const StatusReply = z.lazy(() =>
  z.object({
    installed: z.boolean(),
    maintenance: z.boolean(),
    needsDbUpgrade: z.boolean(),
    version: z.string(),
    versionstring: z.string().optional(),
    edition: z.string().optional(),
    productname: z.string().optional(),
    extendedSupport: z.boolean().optional(),
  }),
);

/** `{"ocs":{"meta":{…},"data":…}}`; data is checked separately. */
export const OcsEnvelope = z.lazy(() =>
  z.object({
    ocs: z.object({
      meta: z.object({
        status: z.string(),
        statuscode: z.number(),
        message: z.string().nullish(),
      }),
      data: z.unknown(),
    }),
  }),
);

/** data of GET /ocs/v2.php/apps/serverinfo/api/v1/info. */
export const ServerInfoData = z.lazy(() =>
  z.object({
    nextcloud: z.object({
      system: z.object({
        version: z.string(),
        freespace: maybeNumber,
        cpuload: z.union([z.array(z.number()), z.null(), z.literal(false)]).optional(),
        mem_total: maybeNumber,
        mem_free: maybeNumber,
        swap_total: maybeNumber,
        swap_free: maybeNumber,
      }),
      storage: z.object({
        num_users: z.number(),
        num_files: z.number(),
        num_storages: z.number().optional(),
      }),
      shares: z.object({ num_shares: z.number().optional() }).optional(),
    }),
    server: z.object({
      webserver: z.string().optional(),
      php: z.object({
        version: z.string(),
        memory_limit: maybeNumber,
        max_execution_time: maybeNumber,
        upload_max_filesize: maybeNumber,
      }),
      database: z.object({
        type: z.string(),
        version: z.string(),
        size: looseNumber,
      }),
    }),
    activeUsers: z.object({
      last5minutes: z.number(),
      last1hour: z.number(),
      last24hours: z.number(),
    }),
  }),
);

/** data of GET /ocs/v2.php/cloud/users. */
export const UsersData = z.lazy(() => z.object({ users: z.array(z.string()) }));

/** Normalises a lenient number: unknown → null. */
export function num(v: number | string | null | false | undefined): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' && /^\d+(\.\d+)?$/.test(v)) return Number(v);
  return null;
}
