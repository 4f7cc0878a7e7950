import type { MessageKey } from '../core/i18n.ts';
import type { AlertCause } from './causes.ts';
import type { AlertSource, Condition, Severity } from './condition.ts';

/** Engine tuning (all durations in ms). */
export interface EngineOptions {
  /** Default hold before a condition is raised (a rule's `holdMs` overrides it). */
  readonly debounceMs: number;
  /** Default absence before a raised alert is resolved (a rule's `resolveHoldMs` overrides it). */
  readonly resolveHoldMs: number;
  /** Re-notify unacknowledged critical alerts this often; 0 turns it off. */
  readonly renotifyMs: number;
  /** How long a backend must stay unreachable before "backend unreachable" is raised. */
  readonly unreachableHoldMs: number;
  /** Flap damping: `maxRaises` raises inside `windowMs` hold the alert raised until absent for `stableMs`. */
  readonly flap: { readonly windowMs: number; readonly maxRaises: number; readonly stableMs: number };
  /** Progress edits (rebuild %) at most this often, except the final 100 %. */
  readonly progressMinIntervalMs: number;
}

/** Sensible production defaults. */
export const DEFAULT_ENGINE_OPTIONS: EngineOptions = {
  debounceMs: 30_000,
  resolveHoldMs: 60_000,
  renotifyMs: 60 * 60_000,
  unreachableHoldMs: 2 * 60_000,
  flap: { windowMs: 60 * 60_000, maxRaises: 3, stableMs: 10 * 60_000 },
  progressMinIntervalMs: 60_000,
};

/** What every state of an alert key records. */
interface AlertRecordBase {
  readonly key: string;
  /** Backend whose evaluations own this key (`nut`, `proxmox`…). */
  readonly origin: string;
  readonly condition: Condition;
  /** When the condition was first seen in this episode (debounce starts here). */
  readonly firstSeenAt: number;
  readonly lastSeenAt: number;
  /** Events emitted in this thread, for unique event ids. */
  readonly eventCount: number;
  /** True once the raise was announced (false while muted). */
  readonly notified: boolean;
  /** Raise times inside the flap window. */
  readonly raises: readonly number[];
  readonly flapping: boolean;
  /** Seen on the first evaluation after start and not recorded as active before. */
  readonly atStart?: boolean;
}

/** What a raise starts and a resolve keeps: the episode's thread and its announcements. */
interface AlertEpisode {
  readonly raisedAt: number;
  /** Identity of this raise episode: `<key>@<raisedAt>`; edits and dedup keys hang off it. */
  readonly thread: string;
  /** Absent since then, waiting out its resolve hold. */
  readonly absentSince?: number;
  readonly lastNotifiedAt?: number;
  readonly lastProgressAt?: number;
  readonly ackBy?: string;
  readonly ackAt?: number;
  readonly snoozedUntil?: number;
  readonly snoozedBy?: string;
}

/** Seen but not raised: waiting out its debounce, or held by a cause (then listed with it). */
export interface PendingRecord extends AlertRecordBase {
  readonly state: 'pending';
  /** The cause that holds it: not raised while it lasts. */
  readonly heldBy?: AlertCause;
}

/** Raised: announced (or muted), with its episode. */
export interface RaisedRecord extends AlertRecordBase, AlertEpisode {
  readonly state: 'raised';
  /** The cause that holds it: no reminders or escalations while it lasts. */
  readonly heldBy?: AlertCause;
}

/** Gone after a raise: a tombstone kept for flap history until the flap window has passed. */
export interface ResolvedRecord extends AlertRecordBase, AlertEpisode {
  readonly state: 'resolved';
  readonly resolvedAt: number;
}

/** The persisted state of one alert key; the fields of an episode exist only once it was raised. */
export type AlertRecord = PendingRecord | RaisedRecord | ResolvedRecord;

/** What a chat needs to show an alert: the condition plus its episode's state. */
export interface AlertView {
  readonly key: string;
  readonly origin: string;
  readonly source: AlertSource;
  readonly severity: Severity;
  readonly summaryKey: MessageKey;
  readonly resolvedKey?: MessageKey;
  readonly params: Readonly<Record<string, string | number>>;
  readonly action?: Condition['action'];
  readonly progress?: number;
  readonly log?: string;
  readonly raisedAt: number;
  readonly ackBy?: string;
  readonly ackAt?: number;
  readonly snoozedUntil?: number;
  readonly snoozedBy?: string;
  readonly flapping: boolean;
  readonly atStart?: boolean;
  /** What holds it, when something does. */
  readonly heldBy?: AlertCause;
}

/** What happened to an alert: raised, updated, resolved, or re-sent as a reminder. */
export type AlertEventKind = 'raise' | 'update' | 'resolve' | 'renotify';

/** Why an update/renotify/resolve happened (the renderer words it). */
export type AlertEventReason =
  'progress' | 'changed' | 'escalated' | 'ack' | 'snooze' | 'flapping' | 'after-mute' | 'snooze-ended' | 'interval' | 'while-offline';

/** One thing to tell the chats about an alert. */
export interface AlertEvent {
  /** Unique and deterministic: `<thread>:<n>`; the outbox dedup key is built from it. */
  readonly id: string;
  readonly kind: AlertEventKind;
  readonly thread: string;
  readonly at: number;
  readonly reason?: AlertEventReason;
  /** Edit the thread's last message instead of sending a new one. */
  readonly edit: boolean;
  /** For resolves: how long the alert was raised. */
  readonly durationMs?: number;
  readonly alert: AlertView;
}

/** One evaluation of one backend: everything that holds now, or "could not read it". */
export interface EvaluationInput {
  readonly origin: string;
  readonly reachable: boolean;
  /** The complete list of conditions of this origin now (ignored while unreachable). */
  readonly conditions: readonly Condition[];
  /** Why it is unreachable (ServiceError detail, never secret). */
  readonly detail?: string;
  /** The network-level cause as a code, so each chat reads it translated ("connection refused"). */
  readonly reason?: string;
  /** The values the reason's text names (`where`, `seen`, `pinned`). */
  readonly reasonParams?: Readonly<Record<string, string>>;
  /** The backend this backend depends on (OMV on Proxmox): its outage suppresses ours. */
  readonly dependsOn?: string;
  /** Severity of this backend's "unreachable" alert (default warning). */
  readonly unreachableSeverity?: Severity;
}

/** Origin bookkeeping persisted between evaluations. */
export interface OriginRecord {
  readonly origin: string;
  readonly reachable: boolean;
  readonly since: number;
  readonly lastEvalAt: number;
  readonly detail?: string;
}

/** The key of a backend's own reachability alert. */
export const unreachableKey = (origin: string): string => `backend:${origin}:unreachable`;

/** Given a condition of `origin` now, the cause that holds it (a power cut, the WAN down, maintenance). Fast; must not throw. */
export type HoldSource = (condition: Condition, origin: string, now: number) => AlertCause | undefined;
