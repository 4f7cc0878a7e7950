/**
 * getUpdates long polling as Telegram does it: answer at once when updates are waiting, else
 * hold the request until one is queued or the timeout passes (capped so tests stay fast).
 * Only one poll is held per bot; a second poller ends the first with 409 Conflict.
 */
import type { ServerResponse } from 'node:http';
import { intParam, type Params } from './telegram-methods.ts';
import type { FakeUpdate, TelegramState } from './telegram-model.ts';

type Answer = (status: number, body: unknown) => void;

interface Held {
  readonly offset: number;
  readonly limit: number;
  finish(result: FakeUpdate[]): void;
  conflict(): void;
  cancel(): void;
}

/** The long-poll side of the fake. */
export class LongPoll {
  private held: Held | undefined;
  private flushQueued = false;
  private readonly waiters = new Set<() => void>();

  constructor(
    private readonly state: TelegramState,
    private readonly maxHoldMs: number,
  ) {}

  /** True while a getUpdates request is being held. */
  get holding(): boolean {
    return this.held !== undefined;
  }

  /** Serves one getUpdates call: offset acknowledges, limit caps, timeout holds. */
  handle(p: Params, res: ServerResponse, answer: Answer): void {
    const offset = intParam(p, 'offset') ?? 0;
    const limit = Math.min(100, Math.max(1, intParam(p, 'limit') ?? 100));
    const timeoutS = intParam(p, 'timeout') ?? 0;
    const ready = this.state.take(offset, limit);
    if (ready.length > 0 || timeoutS <= 0) return answer(200, { ok: true, result: ready });
    this.held?.conflict();
    const release = (): void => {
      if (this.held === me) this.held = undefined;
      clearTimeout(timer);
    };
    const me: Held = {
      offset,
      limit,
      finish: (result) => {
        release();
        answer(200, { ok: true, result });
      },
      conflict: () => {
        release();
        const description = 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running';
        answer(409, { ok: false, error_code: 409, description });
      },
      cancel: () => {
        release();
        res.destroy();
      },
    };
    this.held = me;
    for (const w of [...this.waiters]) w();
    // `release` reads `timer` only after this line has run.
    const timer = setTimeout(() => me.finish([]), Math.min(timeoutS * 1000, this.maxHoldMs));
    // The bot aborted the poll (bot.stop()): forget it without answering.
    res.on('close', release);
  }

  /** Releases a held poll with newly queued updates, batching those queued in the same tick. */
  notify(): void {
    if (!this.held || this.flushQueued) return;
    this.flushQueued = true;
    setImmediate(() => {
      this.flushQueued = false;
      const h = this.held;
      if (!h) return;
      const ready = this.state.take(h.offset, h.limit);
      if (ready.length > 0) h.finish(ready);
    });
  }

  /** Resolves once a poll is being held. */
  waitForPoll(timeoutMs: number): Promise<void> {
    if (this.held) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(done);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for a held getUpdates`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      this.waiters.add(done);
    });
  }

  /** Drops the held poll without answering (server shutdown). */
  close(): void {
    this.held?.cancel();
  }
}
