/**
 * RouterOS prints durations as unit runs (`1w2d3h4m5s`, `1m5s`, `350ms`), sometimes with a
 * clock tail (`3d02:03:04`, `00:01:05`). Both forms occur across v6/v7 and menus.
 */

const UNIT_SECONDS: Readonly<Record<string, number>> = { w: 604_800, d: 86_400, h: 3_600, m: 60, s: 1, ms: 0.001, us: 0.000_001 };

/** Seconds in a RouterOS duration string, or undefined for `never`, empty or unparsable input. */
export function parseRouterOsDuration(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  let rest = text.trim();
  if (rest === '' || rest === 'never') return undefined;
  let total = 0;
  let matched = false;
  const unit = /^(\d+(?:\.\d+)?)(ms|us|w|d|h|m|s)/;
  for (let m = unit.exec(rest); m; m = unit.exec(rest)) {
    // `1m05` would otherwise read the `m` of `ms`; the regex orders ms/us before m/s for that.
    total += Number(m[1]) * (UNIT_SECONDS[m[2] ?? ''] ?? 0);
    rest = rest.slice(m[0].length);
    matched = true;
  }
  const clock = /^(\d+):(\d{2}):(\d{2})(?:\.(\d+))?$/.exec(rest);
  if (clock) {
    total += Number(clock[1]) * 3600 + Number(clock[2]) * 60 + Number(clock[3]);
    if (clock[4]) total += Number(`0.${clock[4]}`);
    rest = '';
    matched = true;
  }
  return matched && rest === '' ? total : undefined;
}
