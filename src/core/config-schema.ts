import { IDENTITY_PATTERN } from './chat-address.ts';
import { normalizeMac } from './mac.ts';
import cron from 'node-cron';
import * as z from 'zod';
import { normaliseProtectedDomain } from './protected-domains.ts';

/**
 * The configuration file's shape. Every backend section is optional: a missing section
 * means "not configured", and the bot says so instead of failing.
 */

const seconds = (def: number) => z.number().int().positive().default(def);
const url = z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' });
const fingerprint = z
  .string()
  .regex(/^(sha256[:/]?)?([0-9a-fA-F]{2}:?){31}[0-9a-fA-F]{2}$/, 'expected a SHA-256 fingerprint like AA:BB:…(32 bytes)');
const identity = z.string().regex(IDENTITY_PATTERN, 'expected platform:id, e.g. telegram:123456');
const role = z.enum(['owner', 'admin', 'family', 'guest']);
const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM');

/** True for a time zone this Node's Intl knows (the same check the quiet hours and digest rely on). */
function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** "Madrid" → "Europe/Madrid": known zones whose last part matches. */
function zoneSuggestion(zone: string): string {
  const last = zone.toLowerCase().replace(/\s+/g, '_');
  const matches = Intl.supportedValuesOf('timeZone').filter((z) => z.toLowerCase().split('/').at(-1) === last);
  return matches.length ? ` (did you mean ${matches.slice(0, 3).join(' or ')}?)` : '';
}

const timezone = z.string().superRefine((zone, ctx) => {
  if (!isTimeZone(zone))
    ctx.addIssue({ code: 'custom', message: `unknown time zone "${zone}"${zoneSuggestion(zone)}: use an IANA name like Europe/Madrid` });
});
/** A cron expression node-cron accepts (the scheduler that will run it). */
const cronExpression = z
  .string()
  .refine((e) => cron.validate(e), { message: 'not a cron expression: five fields "minute hour day month weekday", e.g. "0 8 * * *"' });

/** SSH connection with a pinned host key (never trust on first use). */
export const sshSchema = z
  .object({
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535).default(22),
    username: z.string().min(1),
    privateKey: z.string().optional(),
    privateKeyPath: z.string().optional(),
    password: z.string().optional(),
    hostKey: z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/, 'expected the host key fingerprint SHA256:… (ssh-keygen -lf)'),
    timeoutSeconds: seconds(15),
  })
  .strict()
  .refine((s) => s.privateKey || s.privateKeyPath || s.password, {
    message: 'one of privateKey, privateKeyPath or password is required',
  });

const telegram = z
  .object({
    token: z.string().regex(/^\d+:[\w-]{20,}$/, 'expected a BotFather token like 123456:ABC…'),
    apiRoot: url.optional(),
    ownerIds: z.array(z.number().int()).default([]),
  })
  .strict();

const discord = z
  .object({
    token: z.string().min(20),
    applicationId: z.string().regex(/^\d+$/).optional(),
    guildId: z.string().regex(/^\d+$/, 'expected a numeric guild id').optional(),
    globalCommands: z.boolean().default(false),
    apiRoot: url.optional(),
    ownerIds: z.array(z.string().regex(/^\d+$/)).default([]),
  })
  .strict();

const proxmox = z
  .object({
    url,
    node: z.string().default('proxmox1'),
    tokenId: z
      .string()
      .regex(/^[^@\s]+@[^!\s]+![\w-]+$/, 'expected USER@REALM!TOKENID')
      .optional(),
    tokenSecret: z.string().optional(),
    username: z.string().optional(),
    password: z.string().optional(),
    fingerprint: fingerprint.optional(),
    pollSeconds: seconds(30),
    backupWindowHours: seconds(26),
    expectedRunning: z.array(z.number().int()).default([]),
    storageWarnPercent: z.number().min(1).max(100).default(80),
    storageCritPercent: z.number().min(1).max(100).default(90),
    /** A guest stopped by a backup (stop/suspend mode) has this long after the job ends to run again before it alerts. */
    backupGraceMinutes: z.number().min(0).default(10),
  })
  .strict()
  .refine((p) => (p.tokenId && p.tokenSecret) || (p.username && p.password), {
    message: 'either tokenId + tokenSecret or username + password is required',
  });

const omv = z
  .object({
    url,
    username: z.string().default('admin'),
    password: z.string(),
    fingerprint: fingerprint.optional(),
    pollSeconds: seconds(60),
    filesystemWarnPercent: z.number().min(1).max(100).default(85),
    filesystemCritPercent: z.number().min(1).max(100).default(95),
  })
  .strict();

const mdadm = z.object({ ssh: sshSchema, command: z.string().default('cat /proc/mdstat'), pollSeconds: seconds(60) }).strict();

const pihole = z
  .object({
    url,
    password: z.string(),
    fingerprint: fingerprint.optional(),
    pollSeconds: seconds(60),
    unblock: z
      .object({ defaultMinutes: seconds(60), maxMinutes: seconds(24 * 60) })
      .strict()
      .default({ defaultMinutes: 60, maxMinutes: 24 * 60 }),
    protectedDomains: z
      .array(
        z.string().transform((entry, ctx) => {
          const r = normaliseProtectedDomain(entry);
          if (r.ok) return r.domain;
          ctx.addIssue({ code: z.ZodIssueCode.custom, message: r.reason });
          return z.NEVER;
        }),
      )
      .default([]),
  })
  .strict();

const nextcloud = z
  .object({
    url,
    username: z.string().optional(),
    appPassword: z.string().optional(),
    serverinfoToken: z.string().optional(),
    fingerprint: fingerprint.optional(),
    pollSeconds: seconds(300),
    occ: z
      .object({ ssh: sshSchema, command: z.string().default('docker exec -u www-data nextcloud php occ') })
      .strict()
      .optional(),
  })
  .strict();

const transmission = z
  .object({
    url,
    username: z.string().optional(),
    password: z.string().optional(),
    pollSeconds: seconds(30),
    downloadDirs: z.record(z.string(), z.string()).default({}),
    maxTorrentFileBytes: z
      .number()
      .int()
      .positive()
      .default(5 * 1024 * 1024),
  })
  .strict();

const router = z
  .object({
    url,
    username: z.string(),
    password: z.string(),
    fingerprint: fingerprint.optional(),
    guestInterface: z.string().default('wifi-guest'),
    wanInterface: z.string().default('pppoe-out1'),
    pollSeconds: seconds(60),
  })
  .strict();

const nut = z
  .object({
    host: z.string().default('127.0.0.1'),
    port: z.number().int().min(1).max(65535).default(3493),
    ups: z.string().default('ups'),
    username: z.string().optional(),
    password: z.string().optional(),
    pollSeconds: z.number().positive().default(2),
  })
  .strict();

/**
 * Every family of alerts, the names bindings and /mute use. An area lists the ones it feeds in
 * its descriptor (a test checks the two agree); `backend` is the engine's own (unreachable).
 */
export const ALERT_SOURCES = ['ups', 'raid', 'backup', 'disk', 'storage', 'guest', 'backend', 'dns', 'cloud', 'network'] as const;

const binding = z
  .object({
    // `telegram:<chatId>/<threadId>` targets one topic of a forum supergroup.
    chat: identity.or(
      z
        .string()
        .regex(/^(?:(telegram|discord|console):-?[\w-]+|telegram:-\d+\/\d+)$/, 'expected platform:chatId or telegram:chatId/topicId'),
    ),
    sources: z.array(z.enum(ALERT_SOURCES)).optional(),
    minSeverity: z.enum(['info', 'warning', 'critical']).default('info'),
    quietHours: z.object({ start: clock, end: clock }).strict().optional(),
    language: z.enum(['en', 'es']).optional(),
  })
  .strict();

/** Wake-on-LAN of the Proxmox node through the router (`/tool/wol`). */
const wakeOnLan = z
  .object({
    /** The node's network card, e.g. `00:00:5E:00:53:10` (dashes or no separators also read). */
    mac: z
      .string()
      .refine((m) => normalizeMac(m) !== undefined, 'expected a MAC address, six hex pairs such as 00:00:5E:00:53:10')
      .transform((m) => normalizeMac(m)!),
    /** The router interface the packet leaves by (`bridge`…); RouterOS picks one when absent. */
    interface: z.string().min(1).optional(),
    /** Mains this long before the node is woken (the UPS recharges a little first). */
    afterMinutesOnMains: z.number().min(0).default(2),
    /** How long the woken node may take until Proxmox answers; after that the report says it did not come back. */
    bootTimeoutMinutes: z.number().positive().max(60).default(5),
  })
  .strict();

const alerts = z
  .object({
    bindings: z.array(binding).default([]),
    debounceSeconds: z.number().min(0).default(30),
    renotifyMinutes: z.number().min(0).default(60),
    maxAttempts: z.number().int().positive().default(12),
    /** An alert still undelivered this long after it was raised is dead-lettered (a chat outage alone never is sooner). */
    maxAgeHours: z.number().min(24).default(24),
    digest: z
      .object({ cron: cronExpression.default('0 8 * * *'), chats: z.array(z.string()).default([]) })
      .strict()
      .optional(),
    powerCut: z
      .object({
        enabled: z.boolean().default(false),
        dryRun: z.boolean().default(true),
        onBatteryMinutes: z.number().min(0).default(10),
        /** Also start when the UPS reports less runtime than this. */
        lowRuntimeSeconds: z.number().int().min(0).optional(),
        shutdownOrder: z.array(z.number().int()).default([]),
        shutdownNode: z.boolean().default(true),
        /** Where the bot runs: a guest's vmid, `auto` (found from Proxmox by MAC/hostname) or `outside` the node. */
        runsOn: z.union([z.number().int(), z.enum(['auto', 'outside'])]).default('auto'),
        /** `hypervisor`: Proxmox runs the plan by itself; `bot`: the bot stops guest after guest (only from outside the node). */
        runBy: z.enum(['hypervisor', 'bot']).default('hypervisor'),
        guestTimeoutSeconds: z.number().int().min(10).max(7200).default(180),
        restore: z
          .object({
            onMainsMinutes: z.number().min(0).default(5),
            guestTimeoutSeconds: z.number().int().min(10).default(300),
            /** The bot runs outside the node (a Raspberry Pi): the router wakes the node when it stays off. */
            wakeOnLan: wakeOnLan.optional(),
          })
          .strict()
          .default({ onMainsMinutes: 5, guestTimeoutSeconds: 300 }),
      })
      .strict()
      .superRefine((pc, ctx) => {
        // Inside a guest the bot is off while the node is: it could never send the packet.
        if (pc.restore.wakeOnLan && typeof pc.runsOn === 'number')
          ctx.addIssue({
            code: 'custom',
            path: ['restore', 'wakeOnLan'],
            message: `the bot runs in guest ${pc.runsOn}, which is off while the node is: Wake-on-LAN needs the bot outside the node (runsOn: outside)`,
          });
      })
      .superRefine((pc, ctx) => {
        // A bot that stops guests one by one cannot order anything after its own guest is gone.
        if (pc.runBy !== 'bot' || typeof pc.runsOn !== 'number') return;
        const i = pc.shutdownOrder.indexOf(pc.runsOn);
        if (i < 0) return;
        if (i < pc.shutdownOrder.length - 1 || pc.shutdownNode) {
          const after = [...pc.shutdownOrder.slice(i + 1).map(String), ...(pc.shutdownNode ? ['the node'] : [])].join(', ');
          ctx.addIssue({
            code: 'custom',
            path: ['shutdownOrder', i],
            message: `the bot runs in guest ${pc.runsOn}, which would stop before ${after} that it must still order; use runBy: hypervisor (Proxmox finishes the plan) or list it last without shutdownNode`,
          });
        }
      })
      .optional(),
    /** Recurring maintenance windows (nightly backups…): alerts of `target` are held from each `cron` start for `durationMinutes`. */
    maintenance: z
      .array(
        z
          .object({
            /** `all`, a backend name (omv, pihole…), or a guest's name or number. */
            target: z.union([z.number().int(), z.string().regex(/^[\w.-]+$/, 'expected all, a backend name, or a guest name or number')]),
            /** When each window starts, in the config's timezone (node-cron: minute hour day month weekday). */
            cron: cronExpression,
            durationMinutes: z
              .number()
              .positive()
              .max(7 * 24 * 60),
            reason: z.string().max(200).optional(),
          })
          .strict(),
      )
      .default([]),
    offsite: z
      .object({ ssh: sshSchema, command: z.string(), windowHours: seconds(26), pollSeconds: seconds(900) })
      .strict()
      .optional(),
  })
  .strict();

const permissions = z
  .object({
    owners: z.array(identity).default([]),
    rateLimitPerMinute: z.number().int().positive().default(30),
    inviteTtlHours: z.number().positive().default(48),
    chats: z.array(z.object({ chat: z.string(), maxRole: role }).strict()).default([]),
  })
  .strict();

const HEALTH_DEFAULTS = {
  host: '127.0.0.1',
  port: 8080,
  adapterDownSeconds: 300,
  oldestPendingSeconds: 900,
  heartbeatIntervalSeconds: 60,
  heartbeatTimeoutSeconds: 10,
};

/** GET /healthz, when it turns 503, and the optional dead-man's-switch ping. */
const health = z
  .object({
    host: z.string().default(HEALTH_DEFAULTS.host),
    port: z.number().int().min(0).max(65535).default(HEALTH_DEFAULTS.port),
    /** A chat platform not connected for longer than this makes /healthz answer 503. */
    adapterDownSeconds: z.number().int().positive().default(HEALTH_DEFAULTS.adapterDownSeconds),
    /** An alert pending in the outbox longer than this makes /healthz answer 503. */
    oldestPendingSeconds: z.number().int().positive().default(HEALTH_DEFAULTS.oldestPendingSeconds),
    /** Push-style monitor (healthchecks.io, Uptime Kuma "push"): GET while healthy, silence when not. */
    heartbeatUrl: url.optional(),
    heartbeatIntervalSeconds: z.number().int().min(10).default(HEALTH_DEFAULTS.heartbeatIntervalSeconds),
    heartbeatTimeoutSeconds: z.number().int().min(1).max(60).default(HEALTH_DEFAULTS.heartbeatTimeoutSeconds),
  })
  .strict()
  .refine((h) => h.heartbeatTimeoutSeconds < h.heartbeatIntervalSeconds, {
    message: 'heartbeatTimeoutSeconds must be shorter than heartbeatIntervalSeconds',
    path: ['heartbeatTimeoutSeconds'],
  });

/** The whole configuration file. */
export const configSchema = z
  .object({
    language: z.enum(['en', 'es']).default('en'),
    timezone: timezone.default('UTC'),
    database: z.string().default('data/homelab.db'),
    log: z
      .object({ level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).default('info'), pretty: z.boolean().optional() })
      .strict()
      .default({ level: 'info' }),
    health: health.default(HEALTH_DEFAULTS),
    telegram: telegram.optional(),
    discord: discord.optional(),
    console: z.boolean().default(false),
    permissions: permissions.default({ owners: [], rateLimitPerMinute: 30, inviteTtlHours: 48, chats: [] }),
    proxmox: proxmox.optional(),
    omv: omv.optional(),
    mdadm: mdadm.optional(),
    pihole: pihole.optional(),
    nextcloud: nextcloud.optional(),
    transmission: transmission.optional(),
    router: router.optional(),
    nut: nut.optional(),
    alerts: alerts.default({ bindings: [], debounceSeconds: 30, renotifyMinutes: 60, maxAttempts: 12, maxAgeHours: 24, maintenance: [] }),
  })
  .strict()
  .superRefine((c, ctx) => {
    // The magic packet leaves through the router: no router section, no way to send it.
    if (c.alerts.powerCut?.restore.wakeOnLan && !c.router)
      ctx.addIssue({
        code: 'custom',
        path: ['alerts', 'powerCut', 'restore', 'wakeOnLan'],
        message: 'Wake-on-LAN is sent by the router: add a router section',
      });
  });

/** The validated configuration (defaults applied), as the rest of the bot reads it. */
export type Config = z.infer<typeof configSchema>;
/** One SSH target of the config: host, port, user, credentials and the pinned host key. */
export type SshConfig = z.infer<typeof sshSchema>;

/** Keys whose values are secrets wherever they appear. */
export const SECRET_KEYS = /^(token|tokenSecret|password|appPassword|serverinfoToken|privateKey|secret|heartbeatUrl)$/;
