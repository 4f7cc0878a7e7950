/** Plain HTTP(S) servers on 127.0.0.1 for transport tests, and a guard that Node's fetch stays unused. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before } from 'node:test';

/** Serves `handler` on an ephemeral port of 127.0.0.1 (an https.Server when given one); closed after the test. Returns its base URL. */
export async function listenPlain(
  t: { after(f: () => unknown): void },
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  server: Server = createServer(),
): Promise<string> {
  server.on('request', handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  const scheme = 'setSecureContext' in server ? 'https' : 'http';
  return `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** For the calling test file: Node's fetch throws (its first use loads Node's internal undici). */
export function forbidNodeFetch(): void {
  const nodeFetch = globalThis.fetch;
  before(() => {
    globalThis.fetch = () => {
      throw new Error('Node’s fetch was used');
    };
  });
  after(() => {
    globalThis.fetch = nodeFetch;
  });
}
