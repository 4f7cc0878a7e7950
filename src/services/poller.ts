import type { Clock } from '../core/clock.ts';
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

  constructor(
    readonly name: string,
    private readonly fetch: () => Promise<Result<T>>,
    readonly intervalMs: number,
    private readonly clock: Clock,
    private readonly log: Logger,
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
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, maxWaitMs);
    });
    await Promise.race([this.inflight ?? this.refresh(), deadline]);
    clearTimeout(timer);
    return this.snap;
  }

  /** Registers a listener for every completed refresh. */
  onRefresh(listener: SnapshotListener<T>): void {
    this.listeners.push(listener);
  }

  /** Refreshes now; concurrent callers share one backend request. */
  refresh(): Promise<Snapshot<T>> {
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
    const tick = (): void => {
      void this.refresh().finally(() => {
        if (this.timer) this.timer = setTimeout(tick, this.intervalMs);
      });
    };
    this.timer = setTimeout(tick, 0);
  }

  /** Stops periodic refreshing; an in-flight refresh still completes. */
  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.inflight;
  }

  private async doRefresh(): Promise<Snapshot<T>> {
    const previous = this.snap;
    let result: Result<T>;
    try {
      result = await this.fetch();
    } catch (e) {
      // A throwing client is a bug; still keep polling and report it as a protocol failure.
      this.log.error({ err: e, poller: this.name }, 'poller fetch threw');
      result = { ok: false, error: { service: this.name, kind: 'protocol', detail: 'internal error' } };
    }
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
