/**
 * The one door for a store's writes when its reads are cached: running a write drops the cache
 * before and after (a throw or rollback included) and bumps a counter derived caches key on.
 */
export class WriteGeneration {
  private gen = 0;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly dropCache: () => void) {}

  /** Bumped by every write. */
  get value(): number {
    return this.gen;
  }

  /** Calls `listener` after every write (derived state kept elsewhere, such as chat menus); returns the unsubscribe. */
  onWrite(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /** Runs a write with the cache dropped on both sides of it. */
  run<T>(write: () => T): T {
    this.bump();
    try {
      return write();
    } finally {
      this.bump();
      for (const l of this.listeners) l();
    }
  }

  private bump(): void {
    this.dropCache();
    this.gen++;
  }
}
