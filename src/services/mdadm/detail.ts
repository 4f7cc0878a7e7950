import { parseMdStateText, type RaidArray, type RaidMember } from './raid.ts';

/** Pure parser for `mdadm --detail /dev/mdN` output (PROTOCOLS §8.2; mdadm Detail.c). */

const ROW = /^\s*(\d+|-)\s+(\d+)\s+(\d+)\s+(\d+|-)\s+(.*?)\s*$/;

/** Maps a device-table state (`active sync`, `spare rebuilding`, `faulty`, `removed`…) to a member state. */
function memberState(text: string): RaidMember['state'] {
  if (/faulty/.test(text)) return 'faulty';
  if (/rebuilding/.test(text)) return 'rebuilding';
  if (/spare/.test(text)) return 'spare';
  if (/removed/.test(text)) return 'removed';
  if (/active|sync/.test(text)) return 'active';
  return 'unknown';
}

/** Parses the output of `mdadm --detail`; undefined when it is not that output. */
export function parseMdadmDetail(text: string): RaidArray | undefined {
  const lines = text.split('\n');
  const device = /^(\/dev\/\S+?):\s*$/.exec(lines.find((l) => l.trim() !== '') ?? '')?.[1];
  const fields = new Map<string, string>();
  const members: RaidMember[] = [];
  let inTable = false;
  for (const line of lines) {
    if (/^\s*Number\s+Major\s+Minor\s+RaidDevice\b/.test(line)) {
      inTable = true;
      continue;
    }
    if (inTable) {
      const m = ROW.exec(line);
      if (!m) continue;
      const rest = m[5] ?? '';
      const dev = /(\/dev\/\S+)$/.exec(rest)?.[1];
      const stateText = dev ? rest.slice(0, rest.length - dev.length).trim() : rest;
      const slot = m[4] === '-' ? undefined : Number(m[4]);
      members.push({ device: dev ?? '', state: memberState(stateText), ...(slot !== undefined ? { slot } : {}) });
      continue;
    }
    const f = /^\s*([A-Za-z][A-Za-z /]*?)\s*:\s*(.*?)\s*$/.exec(line);
    if (f?.[1]) fields.set(f[1], f[2] ?? '');
  }
  const stateText = fields.get('State');
  if (!device || stateText === undefined) return undefined;
  const state = parseMdStateText(stateText);
  const num = (k: string): number | undefined => {
    const v = fields.get(k);
    return v !== undefined && /^\d+/.test(v) ? parseInt(v, 10) : undefined;
  };
  const raidDisks = num('Raid Devices');
  const activeDisks = num('Active Devices');
  // "Rebuild Status : 12% complete" carries the percent that the State line lacks.
  const statusPercent = /(\d+(?:\.\d+)?)% complete/.exec(
    fields.get('Rebuild Status') ?? fields.get('Resync Status') ?? fields.get('Reshape Status') ?? fields.get('Check Status') ?? '',
  )?.[1];
  const sync = state.sync
    ? { ...state.sync, ...(state.sync.percent === undefined && statusPercent !== undefined ? { percent: Number(statusPercent) } : {}) }
    : undefined;
  const size = num('Array Size');
  return {
    name: device.replace(/^\/dev\/(md\/)?/, ''),
    device,
    level: fields.get('Raid Level') ?? '',
    active: !state.inactive,
    ...(raidDisks !== undefined ? { raidDisks } : {}),
    ...(activeDisks !== undefined ? { workingDisks: activeDisks } : {}),
    members: members.filter((m) => m.device !== '' || m.state === 'removed'),
    degraded: state.degraded,
    failed: state.failed,
    ...(sync ? { sync } : {}),
    ...(size !== undefined ? { sizeBytes: size * 1024 } : {}),
    stateText,
  };
}
