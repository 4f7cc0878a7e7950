/**
 * The one door for a store's writes when its reads are cached: running a write drops the cache
 * before and after (a throw or rollback included) and bumps a counter derived caches key on.
 */
export class WriteGeneration {
  private gen = 0;

  constructor(private readonly dropCache: () => void) {}

  /** Bumped by every write. */
  get value(): number {
    return this.gen;
  }

  /** Runs a write with the cache dropped on both sides of it. */
  run<T>(write: () => T): T {
    this.bump();
    try {
      return write();
    } finally {
      this.bump();
    }
  }

  private bump(): void {
    this.dropCache();
    this.gen++;
  }
}
