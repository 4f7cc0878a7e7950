/**
 * undici (about 1 MB of code), loaded on first use rather than at start-up, which it would
 * otherwise lengthen for every bot, Telegram's first poll included.
 */
import type * as UndiciModule from 'undici';

/** The undici module's exports. */
export type Undici = typeof UndiciModule;

let undici: Promise<Undici> | undefined;

/**
 * undici's exports, loaded once. Bundled (scripts/build.mjs), esbuild puts the CommonJS package
 * in its own chunk whose `import()` namespace holds only `default` (module.exports); on plain
 * Node (tsx, tests) the namespace carries the named exports too. Both give module.exports here.
 */
export const loadUndici = (): Promise<Undici> =>
  (undici ??= import('undici').then((m) => ('request' in m ? m : (m as { default: Undici }).default)));
