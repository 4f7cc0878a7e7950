/**
 * A TCP proxy on 127.0.0.1 that can cut the line: while `cut` is on, every connection (new and
 * open) is destroyed, as when the WAN goes down mid-request; off, bytes pass to the target.
 */
import { connect, createServer, type Socket } from 'node:net';

export interface CutProxy {
  readonly url: string;
  /** Cuts (true) or restores (false) the line. */
  setCut(cut: boolean): void;
  close(): Promise<void>;
}

/** Starts a proxy to `target` (an http:// base URL); the line starts as given. */
export async function startCutProxy(target: string, cut = false): Promise<CutProxy> {
  const up = new URL(target);
  const open = new Set<Socket>();
  let isCut = cut;
  const server = createServer((client) => {
    if (isCut) return void client.destroy();
    const upstream = connect(Number(up.port), up.hostname);
    for (const s of [client, upstream]) {
      open.add(s);
      s.on('close', () => open.delete(s));
      s.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    setCut(c) {
      isCut = c;
      if (c) for (const s of open) s.destroy();
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of open) s.destroy();
        server.close(() => r());
      }),
  };
}
