/**
 * An HTTP reverse proxy on 127.0.0.1 in front of a fake backend that can stop one request at a
 * chosen step, so a test can SIGKILL the bot exactly there: before the backend saw the request
 * ('request': never forwarded) or after the backend applied it but before the bot heard back
 * ('response': forwarded, answer withheld). Everything else passes through unchanged.
 */
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import { closeServer, listenLocal, readBody } from '../../src/demo/http.ts';

/** Where a matching request is stopped. */
export type HoldStep = 'request' | 'response';

export interface StepProxy {
  readonly url: string;
  /** Stops the next request `match` accepts at `step`; resolves when it is held there. */
  hold(match: (method: string, path: string) => boolean, step: HoldStep): Promise<void>;
  close(): Promise<void>;
}

/** Starts a proxy to `target` (an http:// base URL). */
export async function startStepProxy(target: string): Promise<StepProxy> {
  const upstream = new URL(target);
  let armed: { match: (m: string, p: string) => boolean; step: HoldStep; held: () => void } | undefined;
  const heldResponses: ServerResponse[] = [];

  const forward = (req: IncomingMessage, body: string): Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }> =>
    new Promise((resolve, reject) => {
      const up = request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: upstream.host },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }));
          res.on('error', reject);
        },
      );
      up.on('error', reject);
      up.end(body);
    });

  const server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const gate = armed && armed.match(req.method ?? 'GET', req.url ?? '/') ? armed : undefined;
      if (gate) armed = undefined;
      if (gate?.step === 'request') {
        heldResponses.push(res);
        gate.held();
        return;
      }
      const answer = await forward(req, body);
      if (gate?.step === 'response') {
        heldResponses.push(res);
        gate.held();
        return;
      }
      const headers = { ...answer.headers };
      delete headers['transfer-encoding'];
      res.writeHead(answer.status, { ...headers, 'content-length': String(answer.body.length) });
      res.end(answer.body);
    })().catch(() => res.destroy());
  });
  const port = await listenLocal(server);
  return {
    url: `http://127.0.0.1:${port}`,
    hold: (match, step) => new Promise<void>((held) => (armed = { match, step, held })),
    close: () =>
      closeServer(
        server,
        heldResponses.map((r) => r.socket).filter((s) => s !== null),
      ),
  };
}
