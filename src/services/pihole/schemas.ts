/**
 * zod schemas for the Pi-hole v6 replies the client reads (pihole-openapi/*.yaml). Only the
 * fields we use are required; everything else is ignored so newer FTL versions still parse.
 * Each schema is z.lazy: built on its first use, not while every start-up evaluates this module.
 */
import * as z from 'zod';

/** `{"error":{"key","message","hint"}}` on every 4xx/5xx. */
export const ErrorEnvelope = z.lazy(() =>
  z.object({
    error: z.object({
      key: z.string(),
      message: z.string().nullish(),
      hint: z.unknown().optional(),
    }),
  }),
);

/** POST/GET /api/auth. */
export const AuthReply = z.lazy(() =>
  z.object({
    session: z.object({
      valid: z.boolean(),
      totp: z.boolean().optional(),
      sid: z.string().nullable(),
      validity: z.number(),
      message: z.string().nullish(),
    }),
  }),
);

/** GET/POST /api/dns/blocking. */
export const BlockingReply = z.lazy(() =>
  z.object({
    blocking: z.enum(['enabled', 'disabled', 'failed', 'unknown']),
    timer: z.number().nullable().optional(),
  }),
);

/** GET /api/stats/summary. */
export const SummaryReply = z.lazy(() =>
  z.object({
    queries: z.object({
      total: z.number(),
      blocked: z.number(),
      percent_blocked: z.number(),
      unique_domains: z.number().optional(),
      forwarded: z.number().optional(),
      cached: z.number().optional(),
    }),
    clients: z.object({ active: z.number(), total: z.number() }),
    gravity: z.object({ domains_being_blocked: z.number(), last_update: z.number().optional() }).optional(),
  }),
);

/** GET /api/stats/top_domains. */
export const TopDomainsReply = z.lazy(() =>
  z.object({
    domains: z.array(z.object({ domain: z.string(), count: z.number() })),
  }),
);

/** GET /api/stats/top_clients. */
export const TopClientsReply = z.lazy(() =>
  z.object({
    clients: z.array(z.object({ ip: z.string(), name: z.string().nullish(), count: z.number() })),
  }),
);

/** GET /api/stats/recent_blocked. */
export const RecentBlockedReply = z.lazy(() => z.object({ blocked: z.array(z.string()) }));

/** GET /api/queries. */
export const QueriesReply = z.lazy(() =>
  z.object({
    queries: z.array(
      z.object({
        id: z.number(),
        time: z.number(),
        type: z.string().nullish(),
        domain: z.string(),
        status: z.string().nullable(),
        client: z.object({ ip: z.string(), name: z.string().nullish() }),
        list_id: z.number().nullish(),
      }),
    ),
    recordsFiltered: z.number().optional(),
  }),
);

const DomainRow = z.lazy(() =>
  z.object({
    id: z.number(),
    domain: z.string(),
    unicode: z.string().optional(),
    type: z.enum(['allow', 'deny']),
    kind: z.enum(['exact', 'regex']),
    comment: z.string().nullish(),
    enabled: z.boolean(),
    groups: z.array(z.number()).optional(),
    date_added: z.number().optional(),
    date_modified: z.number().optional(),
  }),
);

/** GET /api/domains… and the 201 of POST. */
export const DomainsReply = z.lazy(() =>
  z.object({
    domains: z.array(DomainRow),
    processed: z
      .object({
        success: z.array(z.object({ item: z.string() })).optional(),
        errors: z.array(z.object({ item: z.string(), error: z.string().nullish() })).optional(),
      })
      .nullish(),
  }),
);

/** One domain-list entry as Pi-hole returns it. */
export type DomainRowT = z.infer<typeof DomainRow>;

/** GET/POST /api/groups (groups.yaml). */
export const GroupsReply = z.lazy(() =>
  z.object({ groups: z.array(z.object({ id: z.number(), name: z.string(), enabled: z.boolean().optional() })) }),
);

/** GET/POST/PUT /api/clients (clients.yaml). */
export const ClientsReply = z.lazy(() =>
  z.object({
    clients: z.array(
      z.object({ id: z.number().optional(), client: z.string(), comment: z.string().nullish(), groups: z.array(z.number()).default([0]) }),
    ),
  }),
);
