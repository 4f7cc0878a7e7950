/**
 * A side observer of a NUT server: asks `GET VAR <ups> ups.status` every few ms on its own
 * connection and timestamps when the answer changes, i.e. the moment the server itself
 * reports the new state (a real dummy-ups re-reads its file once a second).
 */
import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';

/** A running probe. */
export interface NutProbe {
  /** Resolves with performance.now() when ups.status first differs from `from` (bounded). */
  waitForChange(from: string, timeoutMs: number): Promise<{ status: string; at: number }>;
  close(): void;
}

/** Starts probing `ups` on host:port every `everyMs`. */
export async function startNutProbe(host: string, port: number, ups: string, everyMs = 10): Promise<NutProbe> {
  const socket: Socket = connect(port, host);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  socket.on('error', () => undefined);
  let status: string | undefined;
  let changedAt = 0;
  let buf = '';
  const listeners = new Set<() => void>();
  socket.setEncoding('utf8');
  socket.on('data', (d: string) => {
    buf += d;
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      const m = /^VAR \S+ ups\.status "(.*)"$/.exec(line);
      if (m && m[1] !== status) {
        status = m[1];
        changedAt = performance.now();
        for (const l of [...listeners]) l();
      }
    }
  });
  const timer = setInterval(() => socket.write(`GET VAR ${ups} ups.status\n`), everyMs);
  return {
    waitForChange(from, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          if (status === undefined || status === from) return false;
          listeners.delete(check);
          clearTimeout(t);
          resolve({ status, at: changedAt });
          return true;
        };
        const t = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`ups.status stayed "${from}" for ${timeoutMs} ms`));
        }, timeoutMs);
        if (!check()) listeners.add(check);
      });
    },
    close() {
      clearInterval(timer);
      socket.destroy();
    },
  };
}
