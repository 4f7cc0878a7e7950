import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, spawnServer } from './child.ts';
import { waitFor } from './real-server.ts';

export const TRANSMISSION_DAEMON = '/usr/bin/transmission-daemon';
export const TRANSMISSION_PACKAGE = 'transmission-daemon';

/** A real transmission-daemon on 127.0.0.1 for one test file. */
export interface TestTransmission {
  /** RPC URL, e.g. `http://127.0.0.1:40123/transmission/rpc`. */
  readonly url: string;
  readonly username: string;
  readonly password: string;
  readonly downloadDir: string;
  /** Daemon output so far, for failure messages. */
  log(): string;
  /** Stops the daemon and removes its temp dir. */
  close(): Promise<void>;
}

function httpStatus(url: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = request(url, { method: 'GET', timeout: 500 }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('error', () => resolve(undefined));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

/**
 * Starts transmission-daemon in the foreground with a fresh config dir (it rewrites
 * settings.json and hashes the password, so a dir is never reused), free RPC and peer ports,
 * and every discovery feature off so nothing leaves 127.0.0.1 (TEST-SERVERS §1).
 */
export async function startTransmissionDaemon(): Promise<TestTransmission> {
  const dir = mkdtempSync(join(tmpdir(), 'homelab-transmission-'));
  const config = join(dir, 'config');
  const downloadDir = join(dir, 'downloads');
  mkdirSync(config);
  mkdirSync(downloadDir);
  const [rpcPort, peerPort] = [await freePort(), await freePort()];
  const username = 'test';
  const password = 'testpass-' + Math.random().toString(36).slice(2, 10);
  writeFileSync(
    join(config, 'settings.json'),
    JSON.stringify(
      {
        'rpc-enabled': true,
        'rpc-bind-address': '127.0.0.1',
        'rpc-port': rpcPort,
        'rpc-authentication-required': true,
        'rpc-username': username,
        'rpc-password': password,
        'rpc-whitelist-enabled': true,
        'rpc-whitelist': '127.0.0.1',
        'rpc-host-whitelist-enabled': false,
        'download-dir': downloadDir,
        'incomplete-dir-enabled': false,
        'watch-dir-enabled': false,
        'bind-address-ipv4': '127.0.0.1',
        'bind-address-ipv6': '::1',
        'peer-port': peerPort,
        'peer-port-random-on-start': false,
        'port-forwarding-enabled': false,
        'dht-enabled': false,
        'lpd-enabled': false,
        'pex-enabled': false,
        'utp-enabled': false,
        'blocklist-enabled': false,
        'start-added-torrents': false,
        'message-level': 2,
      },
      null,
      2,
    ),
  );
  let output = '';
  const daemon = spawnServer(TRANSMISSION_DAEMON, ['-f', '-g', config, '--log-info'], { onOutput: (t) => (output += t) });
  const url = `http://127.0.0.1:${rpcPort}/transmission/rpc`;
  const close = async (): Promise<void> => {
    await daemon.stop(5000);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // Any HTTP answer (401 without credentials) means the RPC server is up.
    await waitFor(
      async () => {
        if (daemon.exited()) throw new Error(`transmission-daemon exited: ${output}`);
        return (await httpStatus(url)) !== undefined;
      },
      { timeoutMs: 10_000, what: 'transmission-daemon RPC' },
    );
  } catch (e) {
    await close();
    throw e;
  }
  return { url, username, password, downloadDir, log: () => output, close };
}
