/**
 * The alert engine's pure core: given the persisted records of one backend (origin), the
 * complete list of conditions that hold now and the clock, decide which records change and
 * which events to announce. No I/O: the AlertService loads and saves records and writes the
 * events to the outbox in the same transaction.
 *
 * Start-up rule (documented decision): the first evaluation after a start keeps records that
 * the database says are active without announcing them again; a condition present now that
 * the database does not know is a real, unannounced problem, so it is raised (after its
 * debounce) and marked `atStart` so the text says "already present at start"; an alert the
 * database says is active but which is gone now is resolved at once ("while offline").
 */
import type { AlertCause } from './causes.ts';
import { severityRank as rank, type Condition } from './condition.ts';
import {
  unreachableKey,
  type AlertEvent,
  type AlertEventKind,
  type AlertEventReason,
  type AlertRecord,
  type AlertView,
  type EngineOptions,
  type EvaluationInput,
  type PendingRecord,
  type RaisedRecord,
  type ResolvedRecord,
} from './types.ts';

/** Everything outside the origin's own records that one evaluation needs. */
export interface EvaluationContext {
  readonly now: number;
  readonly options: EngineOptions;
  /** Origins whose last evaluation said unreachable (this origin included as of this input). */
  readonly unreachable: ReadonlySet<string>;
  /** Active mutes: target (an AlertSource or an origin) → until. */
  readonly mutes: ReadonlyMap<string, number>;
  /** First evaluation of this origin since the process started. */
  readonly firstEvaluation: boolean;
  /** Causes outside the rules' sight (a power cut, the WAN down, maintenance) that hold a condition. */
  readonly holdOf?: (c: Condition) => AlertCause | undefined;
}

/** The records to save (upsert), the keys to delete, and the events to announce. */
export interface EvaluationResult {
  readonly upserts: AlertRecord[];
  readonly deletes: string[];
  readonly events: AlertEvent[];
}

/** The view a chat renders for a record. */
export function viewOf(r: AlertRecord): AlertView {
  const c = r.condition;
  const episode = r.state === 'pending' ? undefined : r;
  return {
    key: r.key,
    origin: r.origin,
    source: c.source,
    severity: c.severity,
    summaryKey: c.summaryKey,
    params: c.params,
    raisedAt: startedAt(r),
    flapping: r.flapping,
    ...(c.resolvedKey !== undefined ? { resolvedKey: c.resolvedKey } : {}),
    ...(c.action ? { action: c.action } : {}),
    ...(c.progress !== undefined ? { progress: c.progress } : {}),
    ...(c.log !== undefined ? { log: c.log } : {}),
    ...(episode?.ackBy !== undefined ? { ackBy: episode.ackBy, ackAt: episode.ackAt } : {}),
    ...(episode?.snoozedUntil !== undefined ? { snoozedUntil: episode.snoozedUntil, snoozedBy: episode.snoozedBy } : {}),
    ...(r.atStart ? { atStart: true } : {}),
    ...(r.state !== 'resolved' && r.heldBy ? { heldBy: r.heldBy } : {}),
  };
}

/** When the alert started: its raise, or its first sighting while pending. */
const startedAt = (r: AlertRecord): number => (r.state === 'pending' ? r.firstSeenAt : r.raisedAt);

/** The record with `cause` as its hold (or none). */
function withCause(r: PendingRecord | RaisedRecord, cause: AlertCause | undefined): PendingRecord | RaisedRecord {
  if (cause) return { ...r, heldBy: cause };
  if (r.heldBy === undefined) return r;
  const { heldBy: _h, ...rest } = r;
  return rest;
}

/** A raised record's tombstone: the episode stays (flap history, the resolve event), the hold goes. */
function resolved(r: RaisedRecord, now: number, raises: readonly number[]): ResolvedRecord {
  const { heldBy: _h, state: _s, ...episode } = r;
  return { ...episode, state: 'resolved', resolvedAt: now, flapping: false, raises };
}

/** True when a mute covers the record's source or origin. */
export function isMuted(r: AlertRecord, mutes: ReadonlyMap<string, number>, now: number): boolean {
  return [r.condition.source, r.origin].some((t) => (mutes.get(t) ?? 0) > now);
}

/** Builds an event and bumps the record's event counter. */
export function makeEvent<R extends RaisedRecord | ResolvedRecord>(
  r: R,
  kind: AlertEventKind,
  now: number,
  extra: { reason?: AlertEventReason; edit?: boolean; durationMs?: number } = {},
): [R, AlertEvent] {
  const n = r.eventCount + 1;
  const thread = r.thread;
  const next: R = { ...r, eventCount: n };
  return [
    next,
    {
      id: `${thread}:${n}`,
      kind,
      thread,
      at: now,
      edit: extra.edit ?? false,
      alert: viewOf(next),
      ...(extra.reason ? { reason: extra.reason } : {}),
      ...(extra.durationMs !== undefined ? { durationMs: extra.durationMs } : {}),
    },
  ];
}

/** The synthetic condition standing for "this backend did not answer". */
export function unreachableCondition(input: EvaluationInput, holdMs: number): Condition {
  return {
    key: unreachableKey(input.origin),
    source: 'backend',
    severity: input.unreachableSeverity ?? 'warning',
    summaryKey: 'alerts.backend.unreachable',
    resolvedKey: 'alerts.backend.unreachable.resolved',
    params: {
      ...input.reasonParams,
      backend: input.origin,
      ...(input.detail ? { detail: input.detail } : {}),
      ...(input.reason ? { reason: input.reason } : {}),
    },
    holdMs,
    resolveHoldMs: 0,
    ...(input.dependsOn ? { dependsOn: input.dependsOn } : {}),
  };
}

/** Evaluates one origin. `records` are that origin's records as stored. */
export function evaluate(records: readonly AlertRecord[], input: EvaluationInput, ctx: EvaluationContext): EvaluationResult {
  const { now, options: o } = ctx;
  const byKey = new Map(records.map((r) => [r.key, r]));
  const present = new Map<string, Condition>();
  if (input.reachable) for (const c of input.conditions) present.set(c.key, c);
  else present.set(unreachableKey(input.origin), unreachableCondition(input, o.unreachableHoldMs));

  const upserts: AlertRecord[] = [];
  const deletes: string[] = [];
  const events: AlertEvent[] = [];
  const emit = <R extends RaisedRecord | ResolvedRecord>(r: R, kind: AlertEventKind, extra: Parameters<typeof makeEvent>[3] = {}): R => {
    const [next, e] = makeEvent(r, kind, now, extra);
    events.push(e);
    return next;
  };
  const muted = (r: AlertRecord): boolean => isMuted(r, ctx.mutes, now);
  const suppressed = (c: Condition): boolean =>
    c.dependsOn !== undefined && c.dependsOn !== input.origin && ctx.unreachable.has(c.dependsOn);

  for (const [key, c] of present) {
    const old = byKey.get(key);
    byKey.delete(key);
    let r: PendingRecord | RaisedRecord;
    if (!old || old.state === 'resolved') {
      // A dependent alert does not even start its debounce while its backend is down.
      if (suppressed(c)) continue;
      r = {
        key,
        origin: input.origin,
        condition: c,
        state: 'pending',
        firstSeenAt: now,
        lastSeenAt: now,
        eventCount: 0,
        notified: false,
        raises: old ? old.raises.filter((t) => now - t < o.flap.windowMs) : [],
        flapping: false,
        ...(ctx.firstEvaluation ? { atStart: true } : {}),
      };
    } else {
      if (old.state === 'raised') {
        const { absentSince: _a, ...present } = old;
        r = { ...present, condition: c, lastSeenAt: now };
      } else r = { ...old, condition: c, lastSeenAt: now };
    }
    // A cause holds it: recorded (and listed with its cause), but not raised nor repeated while it lasts.
    r = withCause(r, c.heldBy ?? ctx.holdOf?.(c));
    if (r.state === 'pending') {
      if (suppressed(c)) {
        if (old) deletes.push(key);
        continue;
      }
      if (r.heldBy) {
        upserts.push(r);
        continue;
      }
      if (now - r.firstSeenAt >= (c.holdMs ?? o.debounceMs)) {
        r = {
          ...r,
          state: 'raised',
          raisedAt: now,
          thread: `${key}@${now}`,
          eventCount: 0,
          raises: [...r.raises.filter((t) => now - t < o.flap.windowMs), now],
          lastProgressAt: now,
        };
        if (!muted(r)) r = { ...emit(r, 'raise'), notified: true, lastNotifiedAt: now };
      }
      upserts.push(r);
      continue;
    }
    // Raised and still present: announce meaningful changes only (params like charge move every poll).
    if (old && r.notified && !muted(r) && !r.heldBy) {
      const prev = old.condition;
      if (prev.severity !== c.severity || prev.summaryKey !== c.summaryKey) {
        const up = rank(c.severity) > rank(prev.severity);
        r = emit(r, 'update', { reason: up ? 'escalated' : 'changed', edit: !up });
        if (up) r = { ...r, lastNotifiedAt: now };
      } else if (c.progress !== undefined && c.progress !== prev.progress) {
        if (c.progress >= 100 || now - (r.lastProgressAt ?? 0) >= o.progressMinIntervalMs) {
          r = { ...emit(r, 'update', { reason: 'progress', edit: true }), lastProgressAt: now };
        } else {
          // Keep the last announced progress so the next edit compares against what chats show.
          r = { ...r, condition: { ...c, progress: prev.progress ?? c.progress } };
        }
      }
    }
    upserts.push(timeBased(r, ctx, emit));
  }

  // Records of this origin that are absent now, oldest raise first so recoveries read in order.
  const absent = [...byKey.values()].sort((a, b) => startedAt(a) - startedAt(b) || a.key.localeCompare(b.key));
  for (const r of absent) {
    if (r.state === 'resolved') {
      if (now - r.resolvedAt >= o.flap.windowMs) deletes.push(r.key);
      continue;
    }
    if (r.state === 'pending') {
      deletes.push(r.key);
      continue;
    }
    // An unreachable backend tells us nothing: its alerts stay as they are (only the clock acts).
    if (!input.reachable) {
      upserts.push(timeBased(r, ctx, emit));
      continue;
    }
    const absentSince = r.absentSince ?? now;
    const hold = r.flapping ? o.flap.stableMs : (r.condition.resolveHoldMs ?? o.resolveHoldMs);
    const offline = ctx.firstEvaluation;
    if (!offline && now - absentSince < hold) {
      upserts.push(timeBased({ ...r, absentSince }, ctx, emit));
      continue;
    }
    const recentRaises = r.raises.filter((t) => now - t < o.flap.windowMs);
    if (!offline && !r.flapping && recentRaises.length >= o.flap.maxRaises) {
      // Flapping: hold it raised until it stays away for stableMs, and say so once.
      let next: RaisedRecord = { ...r, absentSince, flapping: true };
      if (next.notified && !muted(next)) next = emit(next, 'update', { reason: 'flapping', edit: true });
      upserts.push(next);
      continue;
    }
    let done = resolved(r, now, recentRaises);
    if (r.notified && !muted(r)) {
      // The outage ended when the condition disappeared, not when the resolve hold ran out.
      const endedAt = offline ? r.lastSeenAt : absentSince;
      done = emit(done, 'resolve', {
        durationMs: endedAt - r.raisedAt,
        ...(offline ? { reason: 'while-offline' as const } : {}),
      });
    }
    upserts.push(done);
  }
  return { upserts, deletes, events };
}

/** Clock-driven transitions of a raised record: announce after a mute, snooze end, re-notify. */
function timeBased(
  r: PendingRecord | RaisedRecord,
  ctx: EvaluationContext,
  emit: <E extends RaisedRecord>(r: E, k: AlertEventKind, x?: { reason?: AlertEventReason }) => E,
): PendingRecord | RaisedRecord {
  if (r.state !== 'raised') return r;
  const { now, options: o } = ctx;
  if (isMuted(r, ctx.mutes, now) || r.heldBy) return r;
  if (!r.notified) return { ...emit(r, 'raise', { reason: 'after-mute' }), notified: true, lastNotifiedAt: now };
  if (r.snoozedUntil !== undefined) {
    if (now < r.snoozedUntil) return r;
    const { snoozedUntil: _u, snoozedBy: _b, ...rest } = r;
    return { ...emit(rest, 'renotify', { reason: 'snooze-ended' }), lastNotifiedAt: now };
  }
  if (r.condition.severity === 'critical' && r.ackBy === undefined && o.renotifyMs > 0 && now - (r.lastNotifiedAt ?? now) >= o.renotifyMs) {
    return { ...emit(r, 'renotify', { reason: 'interval' }), lastNotifiedAt: now };
  }
  return r;
}

/** Acknowledges a raised alert: stops re-notifying and edits its message to show who. */
export function acknowledge(r: RaisedRecord, by: string, now: number): { record: RaisedRecord; event?: AlertEvent } {
  const next: RaisedRecord = { ...r, ackBy: by, ackAt: now };
  if (!next.notified) return { record: next };
  const [record, event] = makeEvent(next, 'update', now, { reason: 'ack', edit: true });
  return { record, event };
}

/** Snoozes a raised alert until `until`: no reminders before then, one reminder after if it still holds. */
export function snooze(r: RaisedRecord, until: number, by: string, now: number): { record: RaisedRecord; event?: AlertEvent } {
  const next: RaisedRecord = { ...r, snoozedUntil: until, snoozedBy: by };
  if (!next.notified) return { record: next };
  const [record, event] = makeEvent(next, 'update', now, { reason: 'snooze', edit: true });
  return { record, event };
}
