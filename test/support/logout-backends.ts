/**
 * Pi-hole and OMV (the fakes from src/demo), each behind its own cut proxy: backends that end a
 * session on stop, for shutdown tests that hang them at logout once the bot holds a session.
 */
import { startOmvFake, type OmvFake } from '../../src/demo/omv.ts';
import { startFakePihole, type FakePihole } from '../../src/demo/pihole.ts';
import { startCutProxy, type CutProxy } from './cut-proxy.ts';
import { waitFor } from './real-server.ts';

/** The two fakes, their lines and what a shutdown test does with them. */
export interface LogoutBackends {
  readonly pihole: FakePihole;
  readonly omv: OmvFake;
  readonly piholeLine: CutProxy;
  readonly omvLine: CutProxy;
  /** Config entries pointing the bot at both, through their lines. */
  readonly config: {
    readonly pihole: { url: string; password: string };
    readonly omv: { url: string; username: string; password: string };
  };
  /** Resolves once each backend answered a call made with the session (the bot has a seat and a session to log out of). */
  sessionsHeld(): Promise<void>;
  /** Both lines go silent: every request from now on (the logouts) hangs. */
  hang(): void;
  close(): Promise<void>;
}

const PIHOLE_PASSWORD = 'pi-pass';

/** Starts both fakes and their lines on 127.0.0.1. */
export async function startLogoutBackends(): Promise<LogoutBackends> {
  const pihole = await startFakePihole({ password: PIHOLE_PASSWORD, seed: false });
  const omv = await startOmvFake();
  const piholeLine = await startCutProxy(pihole.url);
  const omvLine = await startCutProxy(omv.url);
  return {
    pihole,
    omv,
    piholeLine,
    omvLine,
    config: {
      pihole: { url: piholeLine.url, password: PIHOLE_PASSWORD },
      omv: { url: omvLine.url, username: omv.username, password: omv.password },
    },
    async sessionsHeld() {
      await waitFor(() => pihole.requests.some((r) => r.path !== '/api/auth'), { what: 'a Pi-hole call with the session' });
      await waitFor(() => omv.requestCount > omv.loginCount, { what: 'an OMV call with the session' });
    },
    hang() {
      piholeLine.setMode('hang');
      omvLine.setMode('hang');
    },
    async close() {
      await Promise.all([piholeLine.close(), omvLine.close()]);
      await Promise.all([pihole.close(), omv.close()]);
    },
  };
}
