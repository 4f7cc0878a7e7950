/** A NUT server the bench can flip: real upsd + dummy-ups when installed, else the protocol fake. */
import { accessSync, constants } from 'node:fs';
import { DEFAULT_UPS_VARS, startFakeUpsd } from '../../src/demo/nut.ts';
import { DUMMY_UPS_BIN, startRealUpsd, UPSD_BIN } from '../../test/support/upsd.ts';

/** Which NUT server a figure was measured against. */
export type UpsKind = 'real upsd + dummy-ups' | 'protocol fake (src/demo/nut.ts)';

/** On mains. */
export const OL = { ...DEFAULT_UPS_VARS, 'ups.status': 'OL' };
/** On battery, discharging. */
export const OB = {
  ...DEFAULT_UPS_VARS,
  'ups.status': 'OB DISCHRG',
  'battery.charge': '96',
  'battery.runtime': '3120',
  'input.voltage': '0.0',
};

/** On battery and low: NUT's LB flag (the UPS is about to give up). */
export const OB_LB = { ...OB, 'ups.status': 'OB DISCHRG LB', 'battery.charge': '18', 'battery.runtime': '240' };

/** A running NUT server. */
export interface Ups {
  readonly host: string;
  readonly port: number;
  readonly ups: string;
  readonly kind: UpsKind;
  set(vars: Record<string, string>): void;
  close(): Promise<void>;
}

const installed = (path: string): boolean => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/** Starts a NUT server on 127.0.0.1 reporting `initial` (default on mains). */
export async function startUps(initial: Record<string, string> = OL): Promise<Ups> {
  if (installed(UPSD_BIN) && installed(DUMMY_UPS_BIN)) {
    const real = await startRealUpsd(initial);
    return {
      host: real.host,
      port: real.port,
      ups: real.ups,
      kind: 'real upsd + dummy-ups',
      set: (v) => real.writeDev(v),
      close: () => real.close(),
    };
  }
  const fake = await startFakeUpsd({ ups: { ups: { vars: initial } } });
  return {
    host: fake.host,
    port: fake.port,
    ups: 'ups',
    kind: 'protocol fake (src/demo/nut.ts)',
    set: (v) => fake.set('ups', v),
    close: () => fake.close(),
  };
}
