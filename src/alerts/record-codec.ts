/**
 * The store edge of alert records: a row's JSON becomes a typed AlertRecord here, and only here.
 * Older versions wrote one flat shape with every episode field optional; such a row still loads
 * (a raised or resolved row without `thread`, `raisedAt` or `resolvedAt` gets the values the
 * engine used to derive from it), and fields that do not belong to the row's state are dropped.
 */
import * as z from 'zod';
import type { AlertCause } from './causes.ts';
import { SEVERITIES, type Condition } from './condition.ts';
import type { AlertRecord } from './types.ts';

const time = z.number();
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The condition as its rule produced it; checked for the fields the engine and renderer read. Its
 * message keys were written from MessageKeys: one renamed since reads as its own text (Messages.t
 * falls back), and the next evaluation replaces the condition with the rule's current one.
 */
const condition = z.custom<Condition>(
  (v) =>
    isObject(v) &&
    typeof v.key === 'string' &&
    typeof v.source === 'string' &&
    SEVERITIES.includes(v.severity as never) &&
    typeof v.summaryKey === 'string' &&
    isObject(v.params),
);
/** A cause is data the engine wrote; its kind is what every reader switches on. */
const cause = z.custom<AlertCause>((v) => isObject(v) && ['action', 'backup', 'powercut', 'wan', 'maintenance'].includes(v.kind as string));

/** Built on first use (a row read), not at start-up. */
const recordSchema = z.lazy(() => {
  const base = {
    key: z.string(),
    origin: z.string(),
    condition,
    firstSeenAt: time,
    lastSeenAt: time,
    eventCount: z.number().int().nonnegative(),
    notified: z.boolean(),
    raises: z.array(time),
    flapping: z.boolean(),
    atStart: z.boolean().optional(),
  };
  const episode = {
    raisedAt: time,
    thread: z.string(),
    absentSince: time.optional(),
    lastNotifiedAt: time.optional(),
    lastProgressAt: time.optional(),
    ackBy: z.string().optional(),
    ackAt: time.optional(),
    snoozedUntil: time.optional(),
    snoozedBy: z.string().optional(),
  };
  return z.discriminatedUnion('state', [
    z.object({ ...base, state: z.literal('pending'), heldBy: cause.optional() }),
    z.object({ ...base, ...episode, state: z.literal('raised'), heldBy: cause.optional() }),
    z.object({ ...base, ...episode, state: z.literal('resolved'), resolvedAt: time }),
  ]);
});

/** Fills in what the flat shape left out, as the engine used to derive it when reading. */
function upgrade(row: Record<string, unknown>): Record<string, unknown> {
  if (row.state === 'pending') return row;
  const raisedAt = row.raisedAt ?? row.firstSeenAt;
  const thread = row.thread ?? `${String(row.key)}@${String(raisedAt)}`;
  const resolvedAt = row.state === 'resolved' ? { resolvedAt: row.resolvedAt ?? row.lastSeenAt } : {};
  return { ...row, raisedAt, thread, ...resolvedAt };
}

/** A stored row as a record, or undefined when it is not one. */
export function parseAlertRecord(data: string): AlertRecord | undefined {
  let row: unknown;
  try {
    row = JSON.parse(data);
  } catch {
    return undefined;
  }
  if (!isObject(row)) return undefined;
  const r = recordSchema.safeParse(upgrade(row));
  const parsed: AlertRecord | undefined = r.success ? r.data : undefined;
  return parsed;
}
