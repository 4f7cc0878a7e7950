/**
 * A TCP proxy on 127.0.0.1 that can cut or hang the line. Cut: every connection (new and open)
 * is destroyed, as when the WAN goes down mid-request. Hung: connections are accepted and
 * bytes go nowhere (a black-holed route, a half-dead NAT), so requests hang with no error;
 * connections hung this way stay hung after the line returns. Off: bytes pass to the target.
 */
import { connect, createServer, type Socket } from 'node:net';

export type LineMode = 'pass' | 'cut' | 'hang';

export interface CutProxy {
  readonly url: string;
  /** Cuts (true) or restores (false) the line. */
  setCut(cut: boolean): void;
  /** Connections destroyed on arrival while the line was cut (each is a failed attempt by the client). */
  readonly refused: number;
  /** Connections accepted and left hanging while the line was hung. */
  readonly hung: number;
  /** Sockets open through the proxy now (both sides of each piped connection, one per hung one). */
  readonly open: number;
  /** Passes, cuts or hangs the line. */
  setMode(mode: LineMode): void;
  close(): Promise<void>;
}

/** Starts a proxy to `target` (an http:// or ws:// base URL); the line starts cut or not as given. */
export async function startCutProxy(target: string, cut = false): Promise<CutProxy> {
  const up = new URL(target);
  const open = new Set<Socket>();
  const piped = new Map<Socket, Socket>();
  let mode: LineMode = cut ? 'cut' : 'pass';
  let refused = 0;
  let hung = 0;
  const track = (s: Socket): void => {
    open.add(s);
    s.on('close', () => open.delete(s));
    s.on('error', () => undefined);
  };
  const server = createServer((client) => {
    if (mode === 'cut') return void (refused++, client.destroy());
    track(client);
    if (mode === 'hang') return void (hung++, client.resume()); // read and drop: the peer sees silence
    const upstream = connect(Number(up.port), up.hostname);
    track(upstream);
    piped.set(client, upstream);
    client.pipe(upstream).pipe(client);
    client.on('close', () => (upstream.destroy(), piped.delete(client)));
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const setMode = (m: LineMode): void => {
    mode = m;
    if (m === 'cut') for (const s of open) s.destroy();
    if (m === 'hang')
      for (const [client, upstream] of piped) {
        client.unpipe(upstream);
        upstream.unpipe(client);
        client.resume();
        upstream.resume();
      }
    if (m === 'hang') piped.clear();
  };
  return {
    url: `http://127.0.0.1:${port}`,
    get refused() {
      return refused;
    },
    get hung() {
      return hung;
    },
    get open() {
      return open.size;
    },
    setCut: (c) => setMode(c ? 'cut' : 'pass'),
    setMode,
    close: () =>
      new Promise<void>((r) => {
        for (const s of open) s.destroy();
        server.close(() => r());
      }),
  };
}
