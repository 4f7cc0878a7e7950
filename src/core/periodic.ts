/**
 * Runs one async pass every `tickMs` on a real (unref'd) interval, plus once at start. A pass
 * still in flight is shared by concurrent `check()` calls instead of overlapping, and `stop()`
 * waits for it, so a worker never acts after it was stopped. Decisions inside `run` belong to
 * the caller (use the injected clock there); the interval only decides how often to look.
 */
export class PeriodicCheck {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly run: () => Promise<void>,
    private readonly tickMs: number,
  ) {}

  /** Starts the interval, with one check right away; a second call does nothing. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.check(), this.tickMs);
    this.timer.unref();
    void this.check();
  }

  /** Stops the interval; waits for a pass in flight. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One pass; concurrent calls share it. */
  check(): Promise<void> {
    this.running ??= this.run().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }
}
