/**
 * The one door for a store's writes when its reads are cached: running a write drops the cache
 * before and after (a throw or rollback included) and bumps a counter derived caches key on.
 */
export class WriteGeneration {
  private gen = 0;
  /** Writes under way (one may run inside another). */
  private depth = 0;
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

  /**
   * Runs a write with the cache dropped on both sides of it. Listeners hear of it once, when the
   * outermost write ends: a write made of others (enrolling attaches an identity) is one change,
   * not a menu pass per part.
   */
  run<T>(write: () => T): T {
    this.bump();
    this.depth++;
    try {
      return write();
    } finally {
      this.depth--;
      this.bump();
      if (this.depth === 0) for (const l of this.listeners) l();
    }
  }

  private bump(): void {
    this.dropCache();
    this.gen++;
  }
}
