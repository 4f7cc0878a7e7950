/**
 * What the bundle gives discord.js and @discordjs/rest when they import `undici` (scripts/build.mjs
 * points their imports here). Each ships its own copy of undici 6: two 430 kB copies evaluated as
 * the Discord chunk loads, for names the bot never reaches through them. @discordjs/rest wants
 * FormData and Headers (Node's globals) and `request` only for its default transport, which the
 * adapter replaces with Node's fetch; discord.js wants `fetch` for URL attachments and the shard
 * count lookup. `request` is our own undici, loaded on first use.
 */
import type * as Undici from 'undici';
import { loadUndici } from '../../core/undici.ts';

/** Node's fetch (undici inside Node): what the Discord adapter's REST transport uses too. */
export const fetch = globalThis.fetch;
/** Node's FormData: @discordjs/rest builds file uploads with it. */
export const FormData = globalThis.FormData;
/** Node's Headers. */
export const Headers = globalThis.Headers;

/** undici's `request`, from the bot's own undici (the backends' HTTP client), loaded on first call. */
export const request: typeof Undici.request = (async (...args: Parameters<typeof Undici.request>) => {
  const undici = await loadUndici();
  return undici.request(...args);
}) as typeof Undici.request;
