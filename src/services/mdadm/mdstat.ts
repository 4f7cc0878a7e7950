import { minimumMembers, type RaidArray, type RaidMember, type RaidSync, type SyncAction } from './raid.ts';

/** Pure parser for /proc/mdstat (PROTOCOLS §8.1; kernel md.c print format). */

const HEADER = /^(md[\w/-]*)\s*:\s*(active|inactive)\b(.*)$/;
const MEMBER = /^([\w./-]+)\[(\d+)\]((?:\([FSWRJ]\))*)$/;
const PROGRESS =
  /\b(resync|recovery|reshape|check|repair)\s*=\s*(\d+(?:\.\d+)?)%(?:.*?finish=(\d+(?:\.\d+)?)min)?(?:.*?speed=(\d+)K\/sec)?/;
const WAITING = /\b(resync|recovery|reshape|check|repair)\s*=\s*(PENDING|DELAYED|REMOTE)\b/;

/** True when the text looks like /proc/mdstat (so a wrong command is a protocol error, not "no arrays"). */
export function looksLikeMdstat(text: string): boolean {
  return /^Personalities\s*:/m.test(text);
}

/** Parses /proc/mdstat into arrays, in file order. */
export function parseMdstat(text: string): RaidArray[] {
  const out: RaidArray[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = HEADER.exec(lines[i] ?? '');
    if (!m) continue;
    const block: string[] = [];
    while (i + 1 < lines.length && /^\s+\S/.test(lines[i + 1] ?? '')) block.push((lines[++i] ?? '').trim());
    out.push(parseBlock(m[1] ?? '', m[2] === 'active', m[3] ?? '', block));
  }
  return out;
}

function parseBlock(name: string, active: boolean, rest: string, block: readonly string[]): RaidArray {
  const tokens = rest.trim().split(/\s+/).filter(Boolean);
  let readOnly = false;
  let level = '';
  const members: { device: string; number: number; flags: string }[] = [];
  for (const tok of tokens) {
    if (tok === '(read-only)' || tok === '(auto-read-only)') {
      readOnly = true;
      continue;
    }
    const mm = MEMBER.exec(tok);
    if (mm) members.push({ device: mm[1] ?? '', number: Number(mm[2]), flags: mm[3] ?? '' });
    else if (!level && /^(raid\d+|linear|multipath|faulty)$/.test(tok)) level = tok;
  }
  const text = block.join('\n');
  const counts = /\[(\d+)\/(\d+)\]/.exec(text);
  const slots = /\[([U_]+)\]/.exec(text)?.[1];
  const blocks = /^(\d+) blocks/m.exec(text)?.[1];
  const raidDisks = counts ? Number(counts[1]) : undefined;
  const workingDisks = counts ? Number(counts[2]) : undefined;

  let sync: RaidSync | undefined;
  const p = PROGRESS.exec(text);
  const w = WAITING.exec(text);
  if (p) {
    sync = {
      action: p[1] as SyncAction,
      state: 'running',
      percent: Number(p[2]),
      ...(p[3] !== undefined ? { finishMinutes: Number(p[3]) } : {}),
      ...(p[4] !== undefined ? { speedKiBs: Number(p[4]) } : {}),
    };
  } else if (w) {
    sync = { action: w[1] as SyncAction, state: (w[2] ?? 'PENDING').toLowerCase() as RaidSync['state'] };
  }

  const recovering = sync?.state === 'running' && (sync.action === 'recovery' || sync.action === 'reshape');
  const memberList: RaidMember[] = members
    .sort((a, b) => a.number - b.number)
    .map((x) => {
      let state: RaidMember['state'] = 'active';
      if (x.flags.includes('(F)')) state = 'faulty';
      else if (x.flags.includes('(S)')) state = 'spare';
      // The member being rebuilt has a descriptor number past the raid disks and no flag.
      else if (recovering && raidDisks !== undefined && x.number >= raidDisks) state = 'rebuilding';
      return { device: x.device, state, ...(raidDisks !== undefined && x.number < raidDisks ? { slot: x.number } : {}) };
    });

  const degraded =
    active && ((raidDisks !== undefined && workingDisks !== undefined && workingDisks < raidDisks) || (slots?.includes('_') ?? false));
  const failed = active && raidDisks !== undefined && workingDisks !== undefined && workingDisks < minimumMembers(level, raidDisks);
  return {
    name,
    device: `/dev/${name}`,
    level,
    active,
    ...(readOnly ? { readOnly } : {}),
    ...(raidDisks !== undefined ? { raidDisks } : {}),
    ...(workingDisks !== undefined ? { workingDisks } : {}),
    ...(slots ? { slots } : {}),
    members: memberList,
    degraded,
    failed,
    ...(sync ? { sync } : {}),
    ...(blocks ? { sizeBytes: Number(blocks) * 1024 } : {}),
  };
}
