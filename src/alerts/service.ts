import { randomUUID } from 'node:crypto';
import type { Clock } from '../core/clock.ts';
import type { Db } from '../core/db.ts';
import type { Logger } from '../core/logger.ts';
import type { OutMessage } from '../core/outmessage.ts';
import type { AlertSource, Severity } from './condition.ts';
import { acknowledge, evaluate, snooze, viewOf } from './engine.ts';
import { Outbox } from './outbox.ts';
import type { Notice, OutboxPayload } from './payload.ts';
import { routeFor, type Binding } from './routing.ts';
import { AlertStore, type Mute } from './store.ts';
import {
  DEFAULT_ENGINE_OPTIONS,
  type AlertEvent,
  type AlertView,
  type EngineOptions,
  type EvaluationInput,
  type HoldSource,
  type RaisedRecord,
} from './types.ts';

/** What the alert service needs: storage, time, log, engine tuning, the chats alerts are bound to, and whom to wake on enqueue. */
export interface AlertServiceOptions {
  readonly db: Db;
  readonly clock: Clock;
  readonly log: Logger;
  readonly engine?: Partial<EngineOptions>;
  readonly bindings: readonly Binding[];
  /** Default zone for quiet hours. */
  readonly timezone?: string;
  /** Called after messages were enqueued (wakes the OutboxWorker). */
  readonly onEnqueue?: () => void;
}

/** Result of acknowledging or snoozing by key. */
export type AlertActionResult = 'ok' | 'not-found' | 'already';

/** How a notice is routed and threaded. */
export interface NoticeRoute {
  readonly source: AlertSource;
  readonly severity: Severity;
  /** Stable id of this notice (dedup across restarts). */
  readonly id: string;
  /** Thread whose last message an edit replaces. */
  readonly thread?: string;
  readonly edit?: boolean;
}

/**
 * The alert engine with its persistence: each call loads the records it needs, runs the pure
 * engine, and writes the new state and the resulting outbox rows in ONE SQLite transaction,
 * so a crash can neither lose an alert nor announce one twice.
 */
export class AlertService {
  readonly store: AlertStore;
  readonly outbox: Outbox;
  private readonly options: EngineOptions;
  private readonly bindings: readonly Binding[];
  private readonly evaluated = new Set<string>();
  private readonly holdSources: HoldSource[] = [];

  constructor(private readonly o: AlertServiceOptions) {
    this.store = new AlertStore(o.db);
    this.outbox = new Outbox(o.db);
    this.options = { ...DEFAULT_ENGINE_OPTIONS, ...o.engine, flap: { ...DEFAULT_ENGINE_OPTIONS.flap, ...o.engine?.flap } };
    this.bindings = o.bindings;
  }

  /** Evaluates one backend's complete condition list (or its unreachability); returns the events announced. */
  evaluate(input: EvaluationInput): AlertEvent[] {
    const now = this.o.clock.now();
    const firstEvaluation = !this.evaluated.has(input.origin);
    const events = this.o.db.transaction(() => {
      const prev = this.store.origin(input.origin);
      this.store.saveOrigin({
        origin: input.origin,
        reachable: input.reachable,
        since: prev && prev.reachable === input.reachable ? prev.since : now,
        lastEvalAt: now,
        ...(input.detail ? { detail: input.detail } : {}),
      });
      const result = evaluate(this.store.recordsOf(input.origin), input, {
        now,
        options: this.options,
        unreachable: this.store.unreachableOrigins(),
        mutes: this.muteMap(now),
        firstEvaluation,
        holdOf: (c) => this.causeOf(c, input.origin, now),
      });
      for (const r of result.upserts) this.store.save(r, now);
      for (const k of result.deletes) this.store.delete(k);
      let queued = 0;
      for (const e of result.events) queued += this.enqueueEvent(e, now);
      return { events: result.events, queued };
    })();
    this.evaluated.add(input.origin);
    if (events.queued > 0) this.o.onEnqueue?.();
    return events.events;
  }

  /** Adds a source of causes (power cut, WAN down, maintenance) the engine asks before raising anything. */
  addHoldSource(source: HoldSource): void {
    this.holdSources.push(source);
  }

  private causeOf(c: Parameters<HoldSource>[0], origin: string, now: number): ReturnType<HoldSource> {
    for (const source of this.holdSources) {
      try {
        const cause = source(c, origin, now);
        if (cause) return cause;
      } catch (e) {
        this.o.log.error({ err: e, key: c.key }, 'hold source threw; ignored');
      }
    }
    return undefined;
  }

  /** Acknowledges a raised alert: no more reminders, and its message shows who. */
  acknowledge(key: string, by: string): AlertActionResult {
    return this.change(key, (r, now) => (r.ackBy !== undefined ? 'already' : acknowledge(r, by, now)));
  }

  /** Snoozes a raised alert for `ms`: no reminders until then. */
  snooze(key: string, ms: number, by: string): AlertActionResult {
    return this.change(key, (r, now) => snooze(r, now + ms, by, now));
  }

  private change(key: string, f: (r: RaisedRecord, now: number) => 'already' | ReturnType<typeof acknowledge>): AlertActionResult {
    const now = this.o.clock.now();
    let queued = 0;
    const res = this.o.db.transaction((): AlertActionResult => {
      const r = this.store.record(key);
      if (!r || r.state !== 'raised') return 'not-found';
      const out = f(r, now);
      if (out === 'already') return 'already';
      this.store.save(out.record, now);
      if (out.event) queued += this.enqueueEvent(out.event, now);
      return 'ok';
    })();
    if (queued > 0) this.o.onEnqueue?.();
    return res;
  }

  /** Mutes a source (`ups`, `raid`…) or a backend (`nut`, `omv`…) until now + ms. */
  mute(target: string, ms: number, by: string): Mute {
    const now = this.o.clock.now();
    const m = { target, until: now + ms, by };
    this.store.mute(m, now);
    return m;
  }

  /** Ends a mute early; false when there was none. */
  unmute(target: string): boolean {
    return this.store.unmute(target);
  }

  /** Mutes in force now. */
  mutes(): Mute[] {
    return this.store.mutes(this.o.clock.now());
  }

  /** Raised alerts, oldest first. */
  active(): AlertView[] {
    return this.store.raised().map(viewOf);
  }

  /** Conditions that hold but are not raised because a cause explains them, oldest first. */
  held(): AlertView[] {
    return this.store.held().map(viewOf);
  }

  /** Routes a non-alert notice (power-cut step, digest) like an alert of `route.source`. */
  notify(notice: Notice, route: NoticeRoute): number {
    const payload: OutboxPayload = { type: 'notice', notice };
    return this.routed(route, () => payload);
  }

  /**
   * Routes a message like an alert of `route.source`, built per destination (its language,
   * its own button tokens). Nothing is sent while the source or one of `mutedBy` is muted.
   */
  announce(route: NoticeRoute & { readonly mutedBy?: readonly string[] }, build: (destination: string) => OutMessage): number {
    const muted = this.store.mutes(this.o.clock.now()).some((m) => m.target === route.source || route.mutedBy?.includes(m.target));
    return muted ? 0 : this.routed(route, (destination) => ({ type: 'message', message: build(destination) }));
  }

  /** Enqueues one payload per routed destination in one transaction; returns how many were new. */
  private routed(route: NoticeRoute, payloadFor: (destination: string) => OutboxPayload): number {
    const now = this.o.clock.now();
    const n = this.o.db.transaction(() => {
      let queued = 0;
      for (const r of routeFor(this.bindings, route, now, this.o.timezone)) {
        const ok = this.outbox.enqueue(
          {
            destination: r.destination,
            dedupKey: `${route.id}>${r.destination}`,
            payload: payloadFor(r.destination),
            severity: route.severity,
            ...(route.thread ? { thread: route.thread } : {}),
            ...(route.edit ? { edit: true } : {}),
            ...(r.holdUntil !== undefined ? { holdUntil: r.holdUntil } : {}),
          },
          now,
        );
        if (ok) queued++;
      }
      return queued;
    })();
    if (n > 0) this.o.onEnqueue?.();
    return n;
  }

  /** Sends a notice (the digest) to one named destination, outside the bindings. */
  sendNotice(destination: string, notice: Notice, dedupKey: string, severity: Severity = 'info'): boolean {
    const ok = this.outbox.enqueue({ destination, dedupKey, payload: { type: 'notice', notice }, severity }, this.o.clock.now());
    if (ok) this.o.onEnqueue?.();
    return ok;
  }

  /** Sends an already rendered message to one destination through the outbox. */
  send(destination: string, message: OutMessage, dedupKey: string = randomUUID(), severity: Severity = 'info'): boolean {
    const ok = this.outbox.enqueue({ destination, dedupKey, payload: { type: 'message', message }, severity }, this.o.clock.now());
    if (ok) this.o.onEnqueue?.();
    return ok;
  }

  private muteMap(now: number): Map<string, number> {
    return new Map(this.store.mutes(now).map((m) => [m.target, m.until]));
  }

  private enqueueEvent(e: AlertEvent, now: number): number {
    let queued = 0;
    for (const r of routeFor(this.bindings, e.alert, now, this.o.timezone)) {
      const ok = this.outbox.enqueue(
        {
          destination: r.destination,
          dedupKey: `${e.id}>${r.destination}`,
          payload: { type: 'alert', event: e },
          severity: e.alert.severity,
          thread: e.thread,
          edit: e.edit,
          ...(r.holdUntil !== undefined ? { holdUntil: r.holdUntil } : {}),
        },
        now,
      );
      if (ok) queued++;
    }
    return queued;
  }
}
