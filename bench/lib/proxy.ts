/**
 * Counting proxies in front of the demo fakes: every request (HTTP) or command line (NUT's
 * line protocol over TCP) is timestamped, then forwarded unchanged. Listen on 127.0.0.1:0.
 */
import { request as httpRequest, Agent, createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer, connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

/** A running counting proxy. */
export interface CountingProxy {
  /** Origin to point the bot at (`http://127.0.0.1:port`) or the TCP port for NUT. */
  readonly origin: string;
  readonly port: number;
  /** performance.now() of every request / command line seen. */
  readonly hits: number[];
  /** Request lines (`GET /api2/json/...` or the NUT command) with counts, for the report. */
  readonly byRoute: Map<string, number>;
  close(): Promise<void>;
}

/** An HTTP reverse proxy to `target` (an http:// origin). */
export async function httpCountingProxy(target: string): Promise<CountingProxy> {
  const t = new URL(target);
  const agent = new Agent({ keepAlive: true });
  const hits: number[] = [];
  const byRoute = new Map<string, number>();
  const server = createHttpServer((req, res) => {
    hits.push(performance.now());
    const route = `${req.method} ${(req.url ?? '/').split('?')[0]}`;
    byRoute.set(route, (byRoute.get(route) ?? 0) + 1);
    const up = httpRequest(
      { host: t.hostname, port: t.port, method: req.method, path: req.url, headers: { ...req.headers, host: t.host }, agent },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      },
    );
    up.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    hits,
    byRoute,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        agent.destroy();
        server.close(() => r());
      }),
  };
}

/** A TCP proxy for NUT's line protocol, counting each command line the client sends. */
export async function nutCountingProxy(host: string, port: number): Promise<CountingProxy> {
  const hits: number[] = [];
  const byRoute = new Map<string, number>();
  const sockets = new Set<Socket>();
  const server = createTcpServer((client) => {
    const up = connect(port, host);
    sockets.add(client).add(up);
    let buf = '';
    client.on('data', (d: Buffer) => {
      buf += d.toString('utf8');
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i).trim();
        buf = buf.slice(i + 1);
        hits.push(performance.now());
        const route = line.split(/\s+/).slice(0, 2).join(' ');
        byRoute.set(route, (byRoute.get(route) ?? 0) + 1);
      }
      up.write(d);
    });
    up.on('data', (d: Buffer) => client.write(d));
    const end = (): void => {
      client.destroy();
      up.destroy();
      sockets.delete(client);
      sockets.delete(up);
    };
    client.on('close', end).on('error', end);
    up.on('close', end).on('error', end);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const p = (server.address() as AddressInfo).port;
  return {
    origin: `127.0.0.1:${p}`,
    port: p,
    hits,
    byRoute,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** Start times of bursts: hits closer than `gapMs` to the previous one belong to one refresh. */
export function burstStarts(hits: readonly number[], from: number, to: number, gapMs = 500): number[] {
  const starts: number[] = [];
  let last = Number.NEGATIVE_INFINITY;
  for (const h of hits) {
    if (h < from || h > to) continue;
    if (h - last > gapMs) starts.push(h);
    last = h;
  }
  return starts;
}
