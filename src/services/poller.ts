import { systemScheduler, type Clock, type Scheduler } from '../core/clock.ts';
import type { Result, ServiceError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';

/** The last known state of one backend, with when it was read. */
export type Snapshot<T> =
  | { readonly status: 'never' }
  | { readonly status: 'ok'; readonly value: T; readonly at: number }
  | {
      readonly status: 'failed';
      readonly error: ServiceError;
      readonly since: number;
      /** The last good value, if any, for "as of N minutes ago" answers. */
      readonly last?: { readonly value: T; readonly at: number };
    };

/** The last good value of a snapshot, fresh or kept through a failure; undefined before any success. */
export function snapshotValue<T>(s: Snapshot<T> | undefined): T | undefined {
  return s?.status === 'ok' ? s.value : s?.status === 'failed' ? s.last?.value : undefined;
}

/** When the snapshot's last good value was read; undefined when there is none. */
export function snapshotAt<T>(s: Snapshot<T> | undefined): number | undefined {
  return s?.status === 'ok' ? s.at : s?.status === 'failed' ? s.last?.at : undefined;
}

/** Listener told about every refresh, in order (alert rules, caches). */
export type SnapshotListener<T> = (snap: Snapshot<T>, previous: Snapshot<T>) => void;

/**
 * One refresher per backend (Home Assistant's DataUpdateCoordinator idea): every status
 * command and alert rule reads the same snapshot, so backend load does not grow with the
 * number of rules or chats. Logs a failure once on the way down and "recovered" once back.
 */
export class Poller<T> {
  private snap: Snapshot<T> = { status: 'never' };
  private timer: NodeJS.Timeout | undefined;
  private inflight: Promise<Snapshot<T>> | undefined;
  private readonly listeners: SnapshotListener<T>[] = [];
  /** This run, from start() to stop(): once stopped, a refresh in flight is let go and nothing it brings back is used. */
  private run = newRun();

  constructor(
    readonly name: string,
    private readonly fetch: () => Promise<Result<T>>,
    readonly intervalMs: number,
    private readonly clock: Clock,
    private readonly log: Logger,
    /** Times settled()'s wait, on the same time as `clock` (a ManualClock in tests). */
    private readonly scheduler: Scheduler = systemScheduler,
  ) {}

  /** Current snapshot without touching the backend. */
  get snapshot(): Snapshot<T> {
    return this.snap;
  }

  /**
   * The current snapshot, except straight after start-up: while the first refresh has not
   * finished, waits for it (at most `maxWaitMs`) so an early /status has something to say.
   */
  async settled(maxWaitMs = 3000): Promise<Snapshot<T>> {
    if (this.snap.status !== 'never') return this.snap;
    let cancel = (): void => undefined;
    const deadline = new Promise<void>((resolve) => {
      cancel = this.scheduler.after(maxWaitMs, resolve);
    });
    await Promise.race([this.inflight ?? this.refresh(), deadline]);
    cancel();
    return this.snap;
  }

  /** Registers a listener for every completed refresh. */
  onRefresh(listener: SnapshotListener<T>): void {
    this.listeners.push(listener);
  }

  /** Refreshes now; concurrent callers share one backend request. Once stopped, the snapshot as it is. */
  refresh(): Promise<Snapshot<T>> {
    if (this.run.isStopped) return this.inflight ?? Promise.resolve(this.snap);
    this.inflight ??= this.doRefresh().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  /** The snapshot if it is younger than maxAgeMs, else a fresh one. */
  async fresh(maxAgeMs: number): Promise<Snapshot<T>> {
    const s = this.snap;
    if (s.status === 'ok' && this.clock.now() - s.at <= maxAgeMs) return s;
    return this.refresh();
  }

  /** Starts periodic refreshing (first refresh immediately). */
  start(): void {
    if (this.timer) return;
    if (this.run.isStopped) this.run = newRun();
    const tick = (): void => {
      void this.refresh().finally(() => {
        if (this.timer) this.timer = setTimeout(tick, this.intervalMs);
      });
    };
    this.timer = setTimeout(tick, 0);
  }

  /**
   * Stops periodic refreshing without waiting on the backend: a refresh in flight ends at once
   * and whatever its request brings back later (the module closes the client, which aborts it)
   * changes no snapshot, tells no listener and logs nothing, so a hung backend cannot hold
   * shutdown nor reach the database after it closed.
   */
  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.run.stop();
    await this.inflight;
  }

  private async doRefresh(): Promise<Snapshot<T>> {
    const previous = this.snap;
    const run = this.run;
    let result: Result<T> | 'stopped';
    try {
      const fetched = this.fetch();
      // Whatever it settles with after stop is dropped quietly.
      fetched.catch(() => undefined);
      result = await Promise.race([fetched, run.stopped]);
    } catch (e) {
      if (run.isStopped) return this.snap;
      // A throwing client is a bug; still keep polling and report it as a protocol failure.
      this.log.error({ err: e, poller: this.name }, 'poller fetch threw');
      result = { ok: false, error: { service: this.name, kind: 'protocol', detail: 'internal error' } };
    }
    if (result === 'stopped' || run.isStopped) return this.snap;
    const now = this.clock.now();
    if (result.ok) {
      if (previous.status === 'failed') this.log.info({ poller: this.name }, 'backend recovered');
      this.snap = { status: 'ok', value: result.value, at: now };
    } else {
      if (previous.status !== 'failed') {
        this.log.warn({ poller: this.name, error: result.error }, 'backend refresh failed');
      }
      const last =
        previous.status === 'ok' ? { value: previous.value, at: previous.at } : previous.status === 'failed' ? previous.last : undefined;
      this.snap = {
        status: 'failed',
        error: result.error,
        since: previous.status === 'failed' ? previous.since : now,
        ...(last ? { last } : {}),
      };
    }
    for (const l of this.listeners) {
      try {
        l(this.snap, previous);
      } catch (e) {
        this.log.error({ err: e, poller: this.name }, 'snapshot listener threw');
      }
    }
    return this.snap;
  }
}

/** One start-to-stop run of a poller: `stopped` settles when stop() is called. */
interface PollerRun {
  readonly isStopped: boolean;
  readonly stopped: Promise<'stopped'>;
  stop(): void;
}

function newRun(): PollerRun {
  let resolve = (): void => undefined;
  const stopped = new Promise<'stopped'>((r) => (resolve = () => r('stopped')));
  const run = {
    isStopped: false,
    stopped,
    stop(): void {
      run.isStopped = true;
      resolve();
    },
  };
  return run;
}
