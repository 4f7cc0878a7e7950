import { ManualClock } from '../../src/core/clock.ts';
import { openDatabase, type Db } from '../../src/core/db.ts';
import { silentLogger } from '../../src/core/logger.ts';
import type { Condition } from '../../src/alerts/condition.ts';
import { alertMigrations } from '../../src/alerts/migrations.ts';
import type { Binding } from '../../src/alerts/routing.ts';
import { AlertService } from '../../src/alerts/service.ts';
import type { AlertEvent, EngineOptions } from '../../src/alerts/types.ts';
import { testKey } from '../support/test-keys.ts';

/** Engine options with round numbers for table tests. */
export const TEST_ENGINE: EngineOptions = {
  debounceMs: 30_000,
  resolveHoldMs: 60_000,
  renotifyMs: 30 * 60_000,
  unreachableHoldMs: 120_000,
  flap: { windowMs: 60 * 60_000, maxRaises: 3, stableMs: 10 * 60_000 },
  progressMinIntervalMs: 60_000,
};

/** A condition with defaults. */
export function cond(key: string, extra: Partial<Condition> = {}): Condition {
  return { key, source: 'ups', severity: 'critical', summaryKey: testKey(`alerts.test.${key}`), params: {}, ...extra };
}

/** A compact event description for table assertions: `raise:k`, `resolve:k`, `update(ack):k`. */
export const describeEvent = (e: AlertEvent): string => `${e.kind}${e.reason ? `(${e.reason})` : ''}:${e.alert.key}`;

export interface Harness {
  readonly db: Db;
  readonly clock: ManualClock;
  service: AlertService;
  /** Evaluates `origin` with these conditions after advancing the clock; returns event descriptions. */
  at(advanceMs: number, conditions: readonly Condition[], origin?: string): string[];
  /** Same, reporting the origin unreachable. */
  down(advanceMs: number, origin?: string, dependsOn?: string): string[];
  /** A new service on the same database, as after a restart. */
  restart(): void;
}

/** A fresh in-memory engine with one binding per destination given (default one chat). */
export function harness(
  bindings: readonly Binding[] = [{ destination: 'telegram:1' }],
  engine: Partial<EngineOptions> = {},
  path = ':memory:',
): Harness {
  const db = openDatabase(path, alertMigrations);
  const clock = new ManualClock();
  const make = (): AlertService =>
    new AlertService({ db, clock, log: silentLogger(), bindings, engine: { ...TEST_ENGINE, ...engine }, timezone: 'UTC' });
  const h: Harness = {
    db,
    clock,
    service: make(),
    at(ms, conditions, origin = 'nut') {
      clock.advance(ms);
      return h.service.evaluate({ origin, reachable: true, conditions }).map(describeEvent);
    },
    down(ms, origin = 'nut', dependsOn) {
      clock.advance(ms);
      return h.service
        .evaluate({
          origin,
          reachable: false,
          conditions: [],
          detail: 'unreachable: connection failed (ECONNREFUSED)',
          ...(dependsOn ? { dependsOn } : {}),
        })
        .map(describeEvent);
    },
    restart() {
      h.service = make();
    },
  };
  return h;
}
