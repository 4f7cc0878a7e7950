/**
 * Transmission 4.1 renamed every method and field to snake_case (PROTOCOLS §4.3). The
 * client speaks classic names internally and converts at the wire; replies of both dialects
 * are normalised to snake_case keys so one schema parses either.
 */

/** `hashString` / `delete-local-data` / `torrent-get` → `hash_string` / `delete_local_data` / `torrent_get`. */
export function toSnake(name: string): string {
  return name
    .replace(/-/g, '_')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

/** Recursively rewrites object keys to snake_case (values untouched). */
export function snakeKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(snakeKeys);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [toSnake(k), snakeKeys(x)]));
  }
  return v;
}

/** Request arguments for the JSON-RPC dialect: snake_case keys, and field names in `fields` too. */
export function snakeParams(args: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(args).map(([k, v]) => [
      toSnake(k),
      k === 'fields' && Array.isArray(v) ? v.map((f) => (typeof f === 'string' ? toSnake(f) : f)) : v,
    ]),
  );
}

/** True when an `X-Transmission-Rpc-Version` semver (sent from 6.0.0 on) means JSON-RPC 2.0 is spoken. */
export function dialectFromHeader(header: string | undefined): 'classic' | 'jsonrpc' {
  const major = Number(/^(\d+)\./.exec(header ?? '')?.[1]);
  return Number.isFinite(major) && major >= 6 ? 'jsonrpc' : 'classic';
}
