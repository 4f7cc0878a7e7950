import {
  createServer as createHttpServer,
  type IncomingMessage,
  type RequestListener,
  type Server as HttpServer,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Server } from 'node:net';

/** The JSON content type with the charset some backends send (Pi-hole, Nextcloud). */
export const JSON_UTF8 = 'application/json; charset=utf-8';

/** The whole request body as UTF-8 text. */
export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * Answers with `body` as JSON. The content type defaults to plain `application/json`; a fake
 * whose backend says it differently passes its own `content-type` in `headers`.
 */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string | string[]> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** Listens on 127.0.0.1 (`port` 0 = ephemeral) and resolves with the bound port. */
export function listenLocal(server: Server, port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** PEM key and certificate for a fake that speaks HTTPS. */
export interface LocalTls {
  readonly key: string;
  readonly cert: string;
}

/** Serves `handler` on 127.0.0.1 over HTTP, or HTTPS when `tls` is given; resolves with the server and its base URL. */
export async function serveLocal(
  handler: RequestListener,
  opts: { readonly tls?: LocalTls | undefined; readonly port?: number | undefined } = {},
): Promise<{ server: HttpServer; url: string }> {
  const { tls } = opts;
  const server: HttpServer = tls ? createHttpsServer({ key: tls.key, cert: tls.cert }, handler) : createHttpServer(handler);
  const port = await listenLocal(server, opts.port);
  return { server, url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}` };
}

/**
 * Closes a fake at once: destroys `extra` (held-open responses, raw sockets), drops an HTTP
 * server's keep-alive connections, and resolves when the server has closed.
 */
export function closeServer(server: Server | HttpServer, extra: Iterable<{ destroy(): unknown }> = []): Promise<void> {
  for (const s of extra) s.destroy();
  if ('closeAllConnections' in server) server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
