import { createServer, type Server } from 'node:http';

/** The JSON body of /healthz: `ok` decides the status code, the rest is serialised as is. */
export interface HealthReport {
  readonly ok: boolean;
}

/** Serves `GET /healthz` (200 when healthy, 503 otherwise) on a local port. */
export async function startHealthServer(
  host: string,
  port: number,
  report: () => HealthReport,
): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url?.split('?')[0] === '/healthz') {
      let body: HealthReport;
      try {
        body = report();
      } catch {
        const failure = { ok: false, error: 'health check failed' };
        body = failure;
      }
      res.writeHead(body.ok ? 200 : 503, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('{"error":"not found"}');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  return {
    server,
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
