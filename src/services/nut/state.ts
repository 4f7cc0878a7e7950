/** One UPS as upsd describes it. */
export interface UpsInfo {
  readonly name: string;
  readonly description: string;
}

/** The typed state of one UPS from `LIST VAR`. Numbers are absent when the driver does not report them. */
export interface UpsState {
  readonly name: string;
  /** Status tokens, e.g. {OL, CHRG}. */
  readonly status: ReadonlySet<string>;
  /** Battery charge, %. */
  readonly charge?: number;
  /** Runtime left on battery, seconds. */
  readonly runtimeSeconds?: number;
  /** Output load, %. */
  readonly load?: number;
  readonly inputVoltage?: number;
  readonly model?: string;
  /** `ups.alarm` text when the ALARM token is set. */
  readonly alarm?: string;
  /** Every variable as upsd sent it. */
  readonly raw: Readonly<Record<string, string>>;
}

const num = (v: string | undefined): number | undefined => {
  if (v === undefined || v.trim() === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
};

/** Builds a UpsState from the raw variables. */
export function toUpsState(name: string, raw: Readonly<Record<string, string>>): UpsState {
  const status = new Set((raw['ups.status'] ?? '').split(/\s+/).filter(Boolean));
  const model = [raw['ups.mfr'] ?? raw['device.mfr'], raw['ups.model'] ?? raw['device.model']]
    .filter((x): x is string => Boolean(x && x.trim()))
    .join(' ');
  const state: UpsState = {
    name,
    status,
    raw,
    ...opt('charge', num(raw['battery.charge'])),
    ...opt('runtimeSeconds', num(raw['battery.runtime'])),
    ...opt('load', num(raw['ups.load'])),
    ...opt('inputVoltage', num(raw['input.voltage'])),
    ...opt('model', model || undefined),
    ...opt('alarm', raw['ups.alarm']),
  };
  return state;
}

function opt<K extends string, V>(k: K, v: V | undefined): { [P in K]?: V } {
  return (v === undefined ? {} : { [k]: v }) as { [P in K]?: V };
}

/** True when the UPS runs on battery (FSD counts: upsd is forcing a shutdown). */
export const onBattery = (s: UpsState): boolean => s.status.has('OB') || s.status.has('FSD');

/** True when the battery is low (FSD counts as OB LB). */
export const lowBattery = (s: UpsState): boolean => s.status.has('LB') || s.status.has('FSD');
