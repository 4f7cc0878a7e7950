import * as z from 'zod';

/**
 * zod schemas for OMV JSON-RPC replies (PROTOCOLS §3; field names from the engined RPC code).
 * Each schema is z.lazy: built on its first use, not while every start-up evaluates this module.
 */

/** PHP sends numbers as strings in many places; accept both. */
export const num = z.lazy(() =>
  z.preprocess((v) => (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v)) ? Number(v) : v), z.number()),
);
const optNum = z.lazy(() => z.preprocess((v) => (v === '' || v === null || v === false ? undefined : v), num.optional()));
const bool = z.lazy(() =>
  z.union([z.boolean(), z.number(), z.string()]).transform((v) => v === true || v === 1 || v === '1' || v === 'true'),
);

/** The RPC envelope: `{response, error}`. */
export const rpcEnvelope = z.lazy(() =>
  z.object({
    response: z.unknown(),
    error: z
      .object({ code: z.union([z.number(), z.string()]).optional(), message: z.string().optional() })
      .nullable()
      .optional(),
  }),
);

/** `{total, data}` of every getList method. */
export const listOf = <S extends z.ZodType>(row: S) => z.object({ total: num, data: z.array(row) });

/** `Session.login`'s answer: whether it authenticated (or wants a second factor). */
export const loginSchema = z.lazy(() =>
  z.object({
    authenticated: z.boolean().optional(),
    status: z.string().optional(),
    username: z.string().optional(),
  }),
);

/** `System.getInformation`: host name, OMV version, CPU, memory and uptime. */
export const systemInfoSchema = z.lazy(() =>
  z.object({
    hostname: z.string(),
    version: z.string(),
    cpuModelName: z.string().optional(),
    cpuUtilization: optNum,
    memTotal: optNum,
    memUsed: optNum,
    uptime: optNum,
    loadAverage: z.union([z.object({ '1min': num, '5min': num, '15min': num }), z.string()]).optional(),
    kernel: z.string().optional(),
    rebootRequired: bool.optional(),
    availablePkgUpdates: optNum,
    pkgUpdatesAvailable: bool.optional(),
  }),
);

/** One array of `RaidMgmt.getList` / `MdMgmt.getList`. */
export const raidRowSchema = z.lazy(() =>
  z.object({
    name: z.string().optional(),
    devicefile: z.string(),
    level: z.string(),
    numdevices: optNum,
    devices: z.array(z.string()),
    size: optNum,
    state: z.string(),
  }),
);

/** One disk of `Smart.getList`: device, model, serial, temperature and the overall SMART verdict. */
export const smartRowSchema = z.lazy(() =>
  z.object({
    devicefile: z.string(),
    devicename: z.string().optional(),
    model: z.string().optional(),
    serialnumber: z.string().optional(),
    size: optNum,
    temperature: optNum,
    overallstatus: z.string(),
  }),
);

/** One attribute of `Smart.getAttributes` (reallocated, pending sectors, power-on hours…). */
export const smartAttributeSchema = z.lazy(() =>
  z.object({
    id: num,
    attrname: z.string(),
    value: num,
    worst: num,
    threshold: num,
    rawvalue: z.union([z.string(), z.number()]).transform(String),
    prefailure: bool.optional(),
    assessment: z.string().optional(),
  }),
);

/**
 * FileSystemMgmt.getList rows. `status` (engined/rpc/filesystemmgmt.inc): 1 online,
 * 2 being initialised, 3 missing — a configured mount whose device is gone, sent with
 * `mounted: false`, sizes `"-1"` and `devicefile` empty when fstab names it by UUID.
 */
export const filesystemRowSchema = z.lazy(() =>
  z.object({
    devicefile: z.string(),
    uuid: z.string().optional(),
    status: optNum,
    label: z.string().optional(),
    type: z.string(),
    mounted: bool,
    mountpoint: z.string().optional(),
    size: optNum,
    available: optNum,
    percentage: optNum,
  }),
);

/** One share of `SMB.getShareList`. */
export const smbShareRowSchema = z.lazy(() =>
  z.object({
    sharedfoldername: z.string().optional(),
    sharedfolderref: z.string().optional(),
    enable: bool,
    comment: z.string().optional(),
    readonly: bool.optional(),
    guest: z.string().optional(),
  }),
);
