import * as z from 'zod';

/**
 * zod schemas for the Proxmox replies the client reads (PROTOCOLS §1.3, proxmox-api-subset.json).
 * Each schema is z.lazy: built on its first use, not while every start-up evaluates this module.
 */

/** Perl's JSON encoder sometimes sends numbers as strings; accept both. */
const num = z.lazy(() => z.preprocess((v) => (typeof v === 'string' && v.trim() !== '' ? Number(v) : v), z.number()));
/** Booleans arrive as 0/1 (or true/false). */
const flag = z.lazy(() => z.union([z.boolean(), z.number()]).transform((v) => Boolean(v)));

/** `{data: T}` envelope; list endpoints that page add `total`. */
export const envelope = <S extends z.ZodType>(data: S) => z.object({ data, total: num.optional() });

/** Error body: `{data:null, errors?, message?}` (message only on pve-http-server ≥ 5.2). */
export const errorBody = z.lazy(() =>
  z.object({
    message: z.string().optional(),
    errors: z.record(z.string(), z.string()).optional(),
  }),
);

/** GET /version. */
export const versionSchema = z.lazy(() => z.object({ version: z.string(), release: z.string().optional(), repoid: z.string().optional() }));

/** POST /access/ticket: the session ticket (cookie) and its CSRF token. */
export const ticketSchema = z.lazy(() =>
  z.object({
    username: z.string(),
    ticket: z.string().min(1),
    CSRFPreventionToken: z.string().min(1),
  }),
);

/** GET /nodes/{node}/status: CPU, load, memory, root disk, uptime, versions. */
export const nodeStatusSchema = z.lazy(() =>
  z.object({
    cpu: num,
    loadavg: z.array(num).length(3),
    memory: z.object({ total: num, used: num }),
    rootfs: z.object({ total: num, used: num, avail: num }),
    cpuinfo: z.object({ model: z.string().optional(), cpus: num.optional() }).optional(),
    uptime: num.optional(),
    pveversion: z.string().optional(),
    kversion: z.string().optional(),
    'current-kernel': z.object({ release: z.string().optional() }).optional(),
  }),
);

/** One VM or container of GET /nodes/{node}/{qemu|lxc} (and its status/current). */
export const guestSchema = z.lazy(() =>
  z.object({
    vmid: num,
    name: z.string().optional(),
    status: z.string(),
    qmpstatus: z.string().optional(),
    cpu: num.optional(),
    cpus: num.optional(),
    mem: num.optional(),
    maxmem: num.optional(),
    uptime: num.optional(),
    template: flag.optional(),
    lock: z.string().optional(),
    tags: z.string().optional(),
  }),
);

/** One task of GET /nodes/{node}/tasks. */
export const taskSchema = z.lazy(() =>
  z.object({
    upid: z.string(),
    node: z.string(),
    type: z.string(),
    id: z.string().optional(),
    user: z.string(),
    starttime: num,
    endtime: num.optional(),
    status: z.string().optional(),
  }),
);

/** GET /nodes/{node}/tasks/{upid}/status: running, or stopped with its exit status. */
export const taskStatusSchema = z.lazy(() =>
  z.object({
    upid: z.string(),
    node: z.string(),
    type: z.string(),
    id: z.string().optional(),
    status: z.enum(['running', 'stopped']),
    exitstatus: z.string().optional(),
    starttime: num,
  }),
);

/** GET /nodes/{node}/tasks/{upid}/log: numbered lines. */
export const taskLogSchema = z.lazy(() => z.array(z.object({ n: num, t: z.string() })));

/** One storage of GET /nodes/{node}/storage: type, content, whether active, space. */
export const storageSchema = z.lazy(() =>
  z.object({
    storage: z.string(),
    type: z.string(),
    content: z.string().optional(),
    active: flag.optional(),
    enabled: flag.optional(),
    shared: flag.optional(),
    total: num.optional(),
    used: num.optional(),
    avail: num.optional(),
  }),
);

/** GET /cluster/backup-info/not-backed-up: guests no backup job covers. */
export const notBackedUpSchema = z.lazy(() => z.array(z.object({ vmid: num, name: z.string().optional(), type: z.enum(['qemu', 'lxc']) })));

/** A guest's config (GET /nodes/{node}/{qemu|lxc}/{vmid}/config): many keys; the few read are checked where used. */
export const guestConfigSchema = z.lazy(() => z.record(z.string(), z.unknown()));
