/**
 * Child process for cache-folders.test.ts: makes one bench folder under `<root>`, prints its
 * path, then ends as `mode` says — exit normally, crash on an uncaught error, or wait for a signal.
 */
import { benchCacheFolder } from '../../bench/lib/cache-folders.ts';

const [root, mode] = process.argv.slice(2);
if (!root || !mode) throw new Error('usage: cache-folder-child <root> <exit|throw|wait>');
process.stdout.write(`${benchCacheFolder(root)}\n`);
if (mode === 'throw') throw new Error('the bench crashed');
if (mode === 'wait') setInterval(() => undefined, 60_000);
