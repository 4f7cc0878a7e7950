/**
 * @discordjs/rest's transport (its `makeRequest` option) through the bot's own undici 7, shaped
 * as @discordjs/rest's default undici strategy answers (src/strategies/undiciRequest.ts there).
 * Not Node's fetch: its first use loads Node's internal copy of undici, 10–16 MB that stays.
 * A FormData (file uploads) made by another copy of undici — Node's global one, which
 * @discordjs/rest uses when it runs from node_modules (tests, `npm start`) — is copied into
 * undici 7's own: undici encodes only its own FormData ("action is not a function" otherwise).
 * Bundled, @discordjs/rest already builds undici 7's (scripts/build.mjs).
 */
import { STATUS_CODES } from 'node:http';
import type { Agent, Dispatcher } from 'undici';
import type { RESTOptions, ResponseLike } from 'discord.js';
import { loadUndici, type Undici } from '../../core/undici.ts';

/** What @discordjs/rest hands a transport (undici 6's RequestInit, as its types name it). */
type RequestInit = Parameters<RESTOptions['makeRequest']>[1];

/** Bounds of the transport's connections. */
export interface RestTransportOptions {
  /**
   * @discordjs/rest aborts a request without headers after its own `timeout`; this bounds what
   * its signal does not cover: connecting, and the wait between body chunks once headers came.
   */
  readonly timeoutMs: number;
}

/** A `makeRequest` for discord.js's REST client over undici 7, with one keep-alive pool per transport. */
export function undiciRestTransport(o: RestTransportOptions): RESTOptions['makeRequest'] {
  let pool: Promise<{ undici: Undici; agent: Agent }> | undefined;
  const ready = (): Promise<{ undici: Undici; agent: Agent }> =>
    (pool ??= loadUndici().then((undici) => ({
      undici,
      // TLS verification is undici's default and stays on. The headers wait is @discordjs/rest's
      // signal (an AbortError it retries); this is only the backstop behind it.
      agent: new undici.Agent({ connect: { timeout: o.timeoutMs }, headersTimeout: 2 * o.timeoutMs, bodyTimeout: o.timeoutMs }),
    })));
  return async (url: string, init: RequestInit): Promise<ResponseLike> => {
    const { undici, agent } = await ready();
    const res = await undici.request(url, {
      method: (init.method ?? 'GET') as Dispatcher.HttpMethod,
      headers: init.headers as Record<string, string> | undefined,
      body: await bodyFor(undici, init.body),
      signal: init.signal ?? undefined,
      dispatcher: agent,
    });
    return {
      body: res.body,
      arrayBuffer: () => res.body.arrayBuffer(),
      json: () => res.body.json(),
      text: () => res.body.text(),
      get bodyUsed() {
        return res.body.bodyUsed;
      },
      headers: new undici.Headers(res.headers as Record<string, string>),
      status: res.statusCode,
      statusText: STATUS_CODES[res.statusCode] ?? '',
      ok: res.statusCode >= 200 && res.statusCode < 300,
    } as ResponseLike;
  };
}

/** The bodies @discordjs/rest builds (JSON text, a FormData of files and payload_json, raw bytes), as undici 7 sends them. */
async function bodyFor(undici: Undici, body: unknown): Promise<string | Uint8Array | InstanceType<Undici['FormData']> | null> {
  if (body === null || body === undefined) return null;
  if (typeof body === 'string' || body instanceof Uint8Array) return body;
  if (body instanceof undici.FormData) return body;
  if (isFormData(body)) {
    const copy = new undici.FormData();
    for (const [name, value] of body.entries()) {
      if (typeof value === 'string') copy.append(name, value);
      else copy.append(name, value, value.name);
    }
    return copy;
  }
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  if (body instanceof Blob) return new Uint8Array(await body.arrayBuffer());
  if (body instanceof URLSearchParams) return body.toString();
  throw new TypeError('unsupported Discord REST request body');
}

/** A FormData of any undici copy (Node's global one included): brand and the methods used above. */
function isFormData(x: unknown): x is { entries(): IterableIterator<[string, string | File]> } {
  const o = x as { [Symbol.toStringTag]?: unknown; entries?: unknown; append?: unknown };
  return o?.[Symbol.toStringTag] === 'FormData' && typeof o.entries === 'function' && typeof o.append === 'function';
}
