import { createServer, type Server, type Socket } from 'node:net';
import { quote, tokenize } from '../services/nut/protocol.ts';
import { closeServer, listenLocal } from './http.ts';

/**
 * A protocol-faithful fake upsd (PROTOCOLS.md §7) for demo mode, benches and tests that need
 * failure modes a real dummy-ups cannot show on demand (DATA-STALE, ACCESS-DENIED, odd quoting).
 * Behaves like NUT 2.8.0: no greeting, read-only commands need no login, a wrong PASSWORD is
 * accepted (OK) and only fails at LOGIN.
 */

interface FakeUps {
  description: string;
  vars: Record<string, string>;
  driverConnected: boolean;
  stale: boolean;
}

/** The fake upsd's UPSes (with their variables) and its upsd.users accounts. */
export interface FakeUpsdOptions {
  /** UPS name → description and initial variables. Default: one `ups` on mains. */
  readonly ups?: Record<string, { description?: string; vars?: Record<string, string> }>;
  /** Accounts from upsd.users (only LOGIN checks them). */
  readonly users?: Record<string, string>;
}

/** A running fake upsd: its address, what it received, and controls for a UPS's state and upsd's faults. */
export interface FakeUpsd {
  /** `nut://127.0.0.1:<port>` */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Every command line received, in order (passwords included: test-only data). */
  readonly commands: string[];
  /** The command lines of each connection, in connection order. */
  readonly sessions: string[][];
  /** Connections accepted so far. */
  connections(): number;
  /** Merges variables into a UPS. */
  set(ups: string, vars: Record<string, string>): void;
  /** Sets `ups.status`. */
  setStatus(ups: string, status: string): void;
  /** Simulates a stopped driver (ERR DRIVER-NOT-CONNECTED). */
  setDriverConnected(ups: string, connected: boolean): void;
  /** Simulates a driver that lost the device (ERR DATA-STALE). */
  setStale(ups: string, stale: boolean): void;
  /** Answers every command with ERR ACCESS-DENIED (a host not allowed by upsd's ACL). */
  setDenyAll(deny: boolean): void;
  close(): Promise<void>;
}

/** Variables of a healthy UPS like the household's PowerWalker. */
export const DEFAULT_UPS_VARS: Readonly<Record<string, string>> = {
  'battery.charge': '100',
  'battery.charge.low': '20',
  'battery.runtime': '3300',
  'battery.runtime.low': '300',
  'device.mfr': 'PowerWalker',
  'device.model': 'VI 1000 STL',
  'input.voltage': '230.1',
  'output.voltage': '230.1',
  'ups.load': '18',
  'ups.mfr': 'PowerWalker',
  'ups.model': 'VI 1000 STL',
  'ups.status': 'OL',
};

/** Starts the fake upsd on 127.0.0.1 (port 0 = ephemeral). */
export async function startFakeUpsd(opts: FakeUpsdOptions = {}, port = 0): Promise<FakeUpsd> {
  const upses = new Map<string, FakeUps>();
  for (const [name, u] of Object.entries(opts.ups ?? { ups: {} })) {
    upses.set(name, {
      description: u.description ?? 'Fake UPS',
      vars: { ...DEFAULT_UPS_VARS, ...(u.vars ?? {}) },
      driverConnected: true,
      stale: false,
    });
  }
  const commands: string[] = [];
  const sessions: string[][] = [];
  const sockets = new Set<Socket>();
  let connections = 0;
  let denyAll = false;

  const handle = (socket: Socket): void => {
    connections++;
    const mine: string[] = [];
    sessions.push(mine);
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.setEncoding('utf8');
    let buf = '';
    let username: string | undefined;
    let password: string | undefined;
    const send = (line: string): void => void socket.write(`${line}\n`);
    socket.on('data', (chunk: string) => {
      buf += chunk;
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i).replace(/\r$/, '');
        buf = buf.slice(i + 1);
        commands.push(line);
        mine.push(line);
        const w = tokenize(line);
        if (!w || w.length === 0) {
          send('ERR UNKNOWN-COMMAND');
          continue;
        }
        if (denyAll) {
          send('ERR ACCESS-DENIED');
          continue;
        }
        const cmd = w[0]!.toUpperCase();
        const upsFor = (name: string | undefined): FakeUps | string => {
          const u = name === undefined ? undefined : upses.get(name);
          if (!u) return 'ERR UNKNOWN-UPS';
          if (!u.driverConnected) return 'ERR DRIVER-NOT-CONNECTED';
          if (u.stale) return 'ERR DATA-STALE';
          return u;
        };
        switch (cmd) {
          case 'VER':
            send('Network UPS Tools upsd 2.8.0 - https://www.networkupstools.org/');
            break;
          case 'NETVER':
          case 'PROTVER':
            send('1.3');
            break;
          case 'USERNAME':
            if (username !== undefined) send('ERR ALREADY-SET-USERNAME');
            else if (!w[1]) send('ERR INVALID-ARGUMENT');
            else {
              username = w[1];
              send('OK');
            }
            break;
          case 'PASSWORD':
            if (password !== undefined) send('ERR ALREADY-SET-PASSWORD');
            else if (w[1] === undefined) send('ERR INVALID-ARGUMENT');
            else {
              password = w[1];
              send('OK');
            }
            break;
          case 'LOGIN': {
            if (username === undefined) send('ERR USERNAME-REQUIRED');
            else if (password === undefined) send('ERR PASSWORD-REQUIRED');
            else if (opts.users?.[username] !== password) send('ERR ACCESS-DENIED');
            else if (!upses.has(w[1] ?? '')) send('ERR UNKNOWN-UPS');
            else send('OK');
            break;
          }
          case 'LOGOUT':
            send('OK Goodbye');
            socket.end();
            break;
          case 'LIST': {
            const what = (w[1] ?? '').toUpperCase();
            if (what === 'UPS') {
              send('BEGIN LIST UPS');
              for (const [name, u] of upses) send(`UPS ${name} ${quote(u.description)}`);
              send('END LIST UPS');
            } else if (what === 'VAR') {
              const u = upsFor(w[2]);
              if (typeof u === 'string') {
                send(u);
                break;
              }
              send(`BEGIN LIST VAR ${w[2]}`);
              for (const k of Object.keys(u.vars).sort()) send(`VAR ${w[2]} ${k} ${quote(u.vars[k]!)}`);
              send(`END LIST VAR ${w[2]}`);
            } else send('ERR INVALID-ARGUMENT');
            break;
          }
          case 'GET': {
            const what = (w[1] ?? '').toUpperCase();
            const u = upsFor(w[2]);
            if (what === 'UPSDESC') {
              if (typeof u === 'string' && u !== 'ERR DRIVER-NOT-CONNECTED' && u !== 'ERR DATA-STALE') send(u);
              else send(`UPSDESC ${w[2]} ${quote(upses.get(w[2]!)!.description)}`);
            } else if (what === 'VAR') {
              if (typeof u === 'string') send(u);
              else if (w[3] === undefined || !(w[3] in u.vars)) send('ERR VAR-NOT-SUPPORTED');
              else send(`VAR ${w[2]} ${w[3]} ${quote(u.vars[w[3]]!)}`);
            } else send('ERR INVALID-ARGUMENT');
            break;
          }
          case 'INSTCMD':
          case 'SET':
          case 'FSD':
          case 'PRIMARY':
            send(username === undefined ? 'ERR USERNAME-REQUIRED' : 'ERR ACCESS-DENIED');
            break;
          default:
            send('ERR UNKNOWN-COMMAND');
        }
      }
    });
  };

  const server: Server = createServer(handle);
  const actualPort = await listenLocal(server, port);
  const get = (ups: string): FakeUps => {
    const u = upses.get(ups);
    if (!u) throw new Error(`fake upsd has no UPS ${ups}`);
    return u;
  };
  return {
    url: `nut://127.0.0.1:${actualPort}`,
    host: '127.0.0.1',
    port: actualPort,
    commands,
    sessions,
    connections: () => connections,
    set: (ups, vars) => Object.assign(get(ups).vars, vars),
    setStatus: (ups, status) => void (get(ups).vars['ups.status'] = status),
    setDriverConnected: (ups, c) => void (get(ups).driverConnected = c),
    setStale: (ups, s) => void (get(ups).stale = s),
    setDenyAll: (d) => void (denyAll = d),
    close: () => closeServer(server, sockets),
  };
}

/** UPS status lines the demo's /simulate command switches between. */
export const DEMO_UPS_STATES = {
  mains: { 'ups.status': 'OL', 'battery.charge': '100', 'battery.runtime': '3300', 'input.voltage': '230.1' },
  powerCut: { 'ups.status': 'OB DISCHRG', 'battery.charge': '96', 'battery.runtime': '3120', 'input.voltage': '0.0' },
  lowBattery: { 'ups.status': 'OB DISCHRG LB', 'battery.charge': '18', 'battery.runtime': '240', 'input.voltage': '0.0' },
} as const;
