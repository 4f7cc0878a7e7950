import { accessSync, constants } from 'node:fs';
import type { TestContext } from 'node:test';

/** True when running in CI, where a missing real server is a failure, never a skip. */
export const inCI = (): boolean => Boolean(process.env.CI);

/**
 * Checks that a real server binary exists. On a developer machine a missing binary skips the
 * test with a visible reason; in CI it throws, so the run fails.
 * Returns false when the caller must return early (skipped).
 */
export function requireBinary(t: TestContext, path: string, pkg: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    const reason = `${path} not installed (apt-get install ${pkg}; .ci/run installs it)`;
    if (inCI()) throw new Error(`real test server missing in CI: ${reason}`);
    t.skip(reason);
    return false;
  }
}

/** Polls `probe` until it returns a truthy value or the deadline passes (no fixed sleeps). */
export async function waitFor<T>(
  probe: () => T | Promise<T>,
  opts: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v as NonNullable<T>;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${opts.what ?? 'condition'}${last ? `: ${String(last)}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 25));
  }
}
