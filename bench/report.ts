/** Turns the bench results into the printed table and the JSON written to bench/results. */
import type { AlertResult } from './alert.ts';
import type { CommandResult } from './command.ts';
import type { IdleResult } from './idle.ts';
import type { InstallResult } from './install.ts';
import type { MemoryResult, ProcessFigures } from './memory.ts';
import type { OutageRun, RecoveryResult } from './recovery.ts';
import type { BenchResults } from './run.ts';
import type { StormResult } from './storm.ts';
import { fig, machine, table, verdict } from './lib/stats.ts';

/** Targets of issue #8, tightened by issue #18 (footprint on a 15 W Celeron). */
export const TARGETS = {
  /** ours / a bare grammY bot sending the same reply, worst over commands at 1, 10 and 50 chats. */
  p50Ratio: 1.3,
  p99Ratio: 1.5,
  throughputPerS: 200,
  alertP99Ms: 3000,
  /** Idle RSS after GC: Telegram + Discord, and Telegram only. */
  idleRssMb: 85,
  idleRssTelegramOnlyMb: 70,
  /** RSS growth over 10,000 commands: total, and the second 5,000 (a leak shows there). */
  growthMb: 3,
  secondHalfGrowthMb: 0.5,
  /** Spawn → first getUpdates, Telegram only. */
  startupMs: 300,
  pipelineHelpUs: 60,
  pipelineStatusUs: 40,
  installMb: 45,
  /** Issue 12: after an outage with the line cut, first command answered and every queued alert delivered. */
  recoveryMs: 5000,
} as const;

/** The reason a section not chosen for this run carries; such sections are left out of the printed report. */
export const SKIPPED = 'skipped (not selected)';

const ok = <T>(x: T | string): T | undefined => (typeof x === 'string' ? undefined : x);
const why = (x: unknown): string => (typeof x === 'string' ? x : 'not measured');

function commandTable(c: CommandResult): string {
  const rows = c.levels.map((l) => [
    l.bot,
    l.bot === 'baseline'
      ? 'echo'
      : l.bot === 'baseline twin'
        ? 'echo (the same bot again)'
        : l.bot === 'bare, same reply'
          ? `any → our ${l.command} reply`
          : l.command,
    String(l.chats),
    fig(l.p50Ms),
    fig(l.p99Ms),
    fig(l.throughputPerS),
    l.bot === 'ours' ? fig(l.p50Ratio) : '',
    l.bot === 'ours' ? fig(l.p99Ratio) : '',
    l.p50VsSamePayload !== undefined ? `${fig(l.p50VsSamePayload)} / ${fig(l.p99VsSamePayload)}` : '',
    l.timeouts ? String(l.timeouts) : '',
  ]);
  return table(['bot', 'command', 'chats', 'p50 ms', 'p99 ms', 'cmds/s', 'p50 ×base', 'p99 ×base', 'p50/p99 ×same reply', 'lost'], rows);
}

function memoryTable(m: MemoryResult): string {
  const row = (name: string, p: ProcessFigures | null, reason?: string): string[] =>
    p
      ? [
          name,
          fig(p.startupMs, ' ms', p.error),
          fig(p.startup?.warmCpuMedianMs ?? null, ' ms', p.error),
          fig(p.startup?.coldMs, ' ms', p.error),
          fig(p.idleRssMb, ' MB', p.error),
          fig(p.afterRssMb, ' MB', p.error),
          fig(p.growthMb, ' MB', p.error),
          fig(p.firstHalfGrowthMb ?? null, ' MB'),
          fig(p.secondHalfGrowthMb ?? null, ' MB'),
          fig(p.peakRssMb, ' MB', p.error),
        ]
      : [name, `n/a (${reason ?? 'not measured'})`, '', '', '', '', '', '', '', ''];
  return table(
    ['process', 'start-up', 'its CPU', 'cold start', 'idle RSS', 'RSS after 10k', 'growth', '1st 5k', '2nd 5k', 'peak'],
    [
      row('baseline grammY echo', m.baseline),
      row('ours, Telegram', m.ours),
      row('ours, Telegram + Discord', m.withDiscord, m.withDiscordReason),
    ],
  );
}

function moduleLines(m: MemoryResult): string {
  if (!m.modules) return '';
  if (typeof m.modules === 'string') return `\nwhere the memory goes: n/a (${m.modules})`;
  const steps = m.modules.steps.map((s) => `${s.label} +${s.addedMb} MB`).join(', ');
  const last = m.modules.steps.filter((s) => !s.label.startsWith('discord')).at(-1);
  const rest = m.ours.idleRssMb !== null && last ? Math.round((m.ours.idleRssMb - last.rssMb) * 10) / 10 : null;
  // Whole packages loaded here can exceed what the bundle touches: then only the heap figures say what is ours.
  const own = rest !== null && rest > 0 ? ` → our code and state ${rest} MB (Telegram only)` : '';
  const heap = m.ours.idleUsageMb ? `; heap used ${m.ours.idleUsageMb.heapUsed} MB, external ${m.ours.idleUsageMb.external} MB` : '';
  return `\nwhere the memory goes (RSS after GC as packages load): ${steps}${own}${heap}`;
}

function idleTable(i: IdleResult): string {
  if (i.backends.length === 0) return `n/a (${i.note ?? 'no backends'})`;
  const rows = i.backends.map((b) => [
    b.backend,
    fig(b.pollSeconds, ' s'),
    fig(b.requestsPerMin),
    fig(b.refreshesPerMin),
    fig(b.expectedRefreshesPerMin),
    fig(b.medianRefreshIntervalS, ' s'),
  ]);
  const head = table(['backend', 'poll', 'requests/min', 'refreshes/min', 'expected', 'refresh every'], rows);
  return `${head}\nwindow ${i.windowS} s${i.extrapolated ? ' (shorter than a minute: scaled to per-minute figures)' : ''}${i.note ? `; ${i.note}` : ''}`;
}

function recoveryTable(r: RecoveryResult): string {
  const rows = r.runs.map((o) => [
    `${o.outageS} s`,
    fig(o.commandAnsweredMs, ' ms', o.error),
    fig(o.alertsDeliveredMs, ' ms', o.error),
    String(o.queuedAtReturn),
    `${o.alertMessages}${o.offlineSummary ? ' (offline summary)' : ''}`,
    o.telegramStateAtReturn ?? 'n/a',
    String(o.attemptsDuringOutage),
  ]);
  return table(
    ['outage', 'command answered', 'alerts delivered', 'queued', 'alert messages', '/healthz Telegram', 'connections tried'],
    rows,
  );
}

/** Summary rows of one outage length: both figures against the target. */
function recoveryRows(o: OutageRun): string[][] {
  const target = `≤ ${TARGETS.recoveryMs} ms`;
  const met = (v: number | null): string => verdict(v, (x) => x <= TARGETS.recoveryMs);
  return [
    [
      `recovery after ${o.outageS} s cut: first command answered`,
      fig(o.commandAnsweredMs, ' ms', o.error),
      target,
      met(o.commandAnsweredMs),
    ],
    [
      `recovery after ${o.outageS} s cut: queued alerts delivered`,
      fig(o.alertsDeliveredMs, ' ms', o.error),
      target,
      met(o.alertsDeliveredMs),
    ],
  ];
}

/** Builds the printed report and the JSON document. */
export function report(r: BenchResults): { text: string; json: Record<string, unknown> } {
  const c = ok(r.command);
  const a = ok<AlertResult>(r.alert);
  const m = ok<MemoryResult>(r.memory);
  const s = ok<StormResult>(r.storm);
  const i = ok<IdleResult>(r.idle);
  const n = ok<InstallResult>(r.install);
  const v = ok<RecoveryResult>(r.recovery);
  // The deployment figure is with both platforms when Discord exists, else Telegram only.
  const main = m ? (m.withDiscord && !m.withDiscord.error ? m.withDiscord : m.ours) : undefined;
  const platforms = m?.withDiscord && !m.withDiscord.error ? 'telegram+discord' : 'telegram';
  const mc = machine();

  const tgOnly = m?.ours;
  const summary = table(
    ['figure', 'value', 'target', 'result'],
    [
      [
        'command p50, ours / bare bot with the same reply (worst)',
        fig(c?.sameReplyP50Ratio, '', why(r.command)),
        `≤ ${TARGETS.p50Ratio}`,
        verdict(c?.sameReplyP50Ratio, (v) => v <= TARGETS.p50Ratio),
      ],
      [
        'command p99, ours / bare bot with the same reply (worst)',
        fig(c?.sameReplyP99Ratio, '', why(r.command)),
        `≤ ${TARGETS.p99Ratio}`,
        verdict(c?.sameReplyP99Ratio, (v) => v <= TARGETS.p99Ratio),
      ],
      ['command p50 / p99, ours / bare echo (worst)', `${fig(c?.p50Ratio, '', why(r.command))} / ${fig(c?.p99Ratio, '')}`, '', ''],
      [
        'command p50 / p99, bare echo / its twin (noise, worst)',
        `${fig(c?.twinP50Ratio, '', why(r.command))} / ${fig(c?.twinP99Ratio, '')}`,
        '',
        '',
      ],
      [
        'pipeline alone, /help',
        fig(c?.pipelineUs['/help'], ' µs', why(r.command)),
        `≤ ${TARGETS.pipelineHelpUs} µs`,
        verdict(c?.pipelineUs['/help'], (v) => v <= TARGETS.pipelineHelpUs),
      ],
      [
        'pipeline alone, /status',
        fig(c?.pipelineUs['/status'], ' µs', why(r.command)),
        `≤ ${TARGETS.pipelineStatusUs} µs`,
        verdict(c?.pipelineUs['/status'], (v) => v <= TARGETS.pipelineStatusUs),
      ],
      [
        'command throughput @50 chats',
        fig(c?.throughputPerS, ' /s', why(r.command)),
        `≥ ${TARGETS.throughputPerS} /s`,
        verdict(c?.throughputPerS, (v) => v >= TARGETS.throughputPerS),
      ],
      ['alert latency p50', fig(a?.p50Ms, ' ms', why(r.alert)), '', ''],
      [
        'alert latency p99',
        fig(a?.p99Ms, ' ms', why(r.alert)),
        `≤ ${TARGETS.alertP99Ms} ms`,
        verdict(a?.p99Ms, (v) => v <= TARGETS.alertP99Ms),
      ],
      [
        `idle RSS (${platforms})`,
        fig(main?.idleRssMb, ' MB', main?.error ?? why(r.memory)),
        `≤ ${TARGETS.idleRssMb} MB`,
        verdict(main?.idleRssMb, (v) => v <= TARGETS.idleRssMb),
      ],
      [
        'idle RSS (Telegram only)',
        fig(tgOnly?.idleRssMb, ' MB', tgOnly?.error ?? why(r.memory)),
        `≤ ${TARGETS.idleRssTelegramOnlyMb} MB`,
        verdict(tgOnly?.idleRssMb, (v) => v <= TARGETS.idleRssTelegramOnlyMb),
      ],
      [
        'RSS growth after 10,000 commands',
        fig(main?.growthMb, ' MB', main?.error ?? why(r.memory)),
        `≤ ${TARGETS.growthMb} MB`,
        verdict(main?.growthMb, (v) => v <= TARGETS.growthMb),
      ],
      [
        'RSS growth, second 5,000 commands',
        fig(main?.secondHalfGrowthMb ?? null, ' MB', main?.error ?? why(r.memory)),
        `≤ ${TARGETS.secondHalfGrowthMb} MB`,
        verdict(main?.secondHalfGrowthMb ?? null, (v) => v <= TARGETS.secondHalfGrowthMb),
      ],
      [
        'start-up to first getUpdates (Telegram only)',
        fig(tgOnly?.startupMs, ' ms', tgOnly?.error ?? why(r.memory)),
        `≤ ${TARGETS.startupMs} ms`,
        verdict(tgOnly?.startupMs, (v) => v <= TARGETS.startupMs),
      ],
      [
        'start-up to first getUpdates (Telegram + Discord)',
        fig(m?.withDiscord?.startupMs, ' ms', m?.withDiscordReason ?? why(r.memory)),
        '',
        '',
      ],
      [
        'production install (npm ci --omit=dev, pruned, + bundle)',
        fig(n?.totalMb, ' MB', why(r.install)),
        `≤ ${TARGETS.installMb} MB`,
        verdict(n?.totalMb, (v) => v <= TARGETS.installMb),
      ],
      ['storm: lost', fig(s?.lost, '', why(r.storm)), '0', verdict(s?.lost, (v) => v === 0)],
      ['storm: unhandled 429s', fig(s?.unhandled429, '', why(r.storm)), '0', verdict(s?.unhandled429, (v) => v === 0)],
      ['storm: time to drain', fig(s?.drainMs, ' ms', why(r.storm)), '', ''],
      [
        'idle: refreshes per poll interval',
        i && i.backends.length
          ? i.backends.map((b) => `${b.backend} ${b.medianRefreshIntervalS ?? '?'}s/${b.pollSeconds ?? '?'}s`).join(', ')
          : `n/a (${i?.note ?? why(r.idle)})`,
        '1 per interval',
        i && i.backends.length
          ? verdict(
              i.backends.every(
                (b) => b.pollSeconds !== null && b.medianRefreshIntervalS !== null && b.medianRefreshIntervalS >= b.pollSeconds * 0.9,
              )
                ? 1
                : 0,
              (v) => v === 1,
            )
          : 'n/a',
      ],
      ...(v
        ? v.runs.flatMap(recoveryRows)
        : [
            [
              'recovery after outage (line cut): command answered, alerts delivered',
              `n/a (${r.recovery})`,
              `≤ ${TARGETS.recoveryMs} ms`,
              'n/a',
            ],
          ]),
    ].filter((row) => !row.some((cell) => cell.includes(SKIPPED))),
  );

  const parts = [
    `Benchmarks — ${mc.cores} cores (${mc.cpuModel}), Node ${mc.nodeVersion}`,
    '',
    '1. Command latency: fake Telegram Bot API, closed loop per chat (send, wait for the answer, repeat)',
    c
      ? `${commandTable(c)}\n/status answered with ${c.statusSections} service line(s)${c.statusSections === 0 ? ' (no service module wired yet)' : ''}; pipeline alone (no Telegram): ${Object.entries(
          c.pipelineUs,
        )
          .map(([k, v]) => `${k} ${v} µs`)
          .join(
            ', ',
          )} with ${c.registeredCommands} commands registered${c.baselineErrors ? `; the bare bots failed ${c.baselineErrors} update(s) (no retry plugin), the first with "${c.baselineFirstError ?? '?'}"` : ''}`
      : `n/a (${r.command})`,
    '',
    '2. Alert latency: UPS state change in the NUT server → message at the fake Telegram',
    a
      ? `${a.server}, poll ${a.pollSeconds} s, ${a.n} of ${a.flips} flips: p50 ${a.p50Ms} ms, p99 ${a.p99Ms} ms, max ${a.maxMs} ms (from the state-file write: p50 ${a.fromWrite.p50Ms} ms, p99 ${a.fromWrite.p99Ms} ms)${a.lost ? `; ${a.lost} lost` : ''}`
      : `n/a (${r.alert})`,
    '',
    '3. Memory and start-up: child processes, RSS from /proc after a forced full GC; start-up = spawn → first getUpdates (median of 5 warm starts, a restart reopening the database; cold = first start, creating it)',
    m ? `${memoryTable(m)}${moduleLines(m)}` : `n/a (${r.memory})`,
    '',
    '4. Alert storm: 500 condition changes in 10 s across 5 sources, Telegram flood limits on',
    s
      ? `${s.changes} changes → ${s.events} alert events → ${s.messages} messages (${s.chats} chats), drained in ${s.drainMs ?? 'n/a'} ms (last message per chat: ${Object.entries(
          s.drainByChatMs,
        )
          .map(([k, v]) => `${k} ${v ?? 'n/a'} ms`)
          .join(
            ', ',
          )}); messages per chat ${JSON.stringify(s.messagesByChat)}; lost ${s.lost}; 429 answers ${s.http429} (unhandled ${s.unhandled429}); outbox ${JSON.stringify(s.outbox)}`
      : `n/a (${r.storm})`,
    '',
    '5. Backend load at idle: every demo backend behind a counting proxy, 3 chats bound',
    i ? idleTable(i) : `n/a (${r.idle})`,
    '',
    '6. Production install: npm ci --omit=dev, pruned as the Dockerfile prunes it, plus the bundle',
    n
      ? `node_modules ${n.nodeModulesMb} MB → ${n.prunedNodeModulesMb} MB after scripts/prune-runtime.mjs; bundle ${n.bundleMb} MB; total ${n.totalMb} MB`
      : `n/a (${r.install})`,
    '',
    '7. Recovery after outage: line to the fake Bot API cut (sockets destroyed, new connections reset); during it the UPS goes on battery, low, back on mains, and the owner sends /status; times from the line returning',
    v ? `${v.server}\n${recoveryTable(v)}` : `n/a (${r.recovery})`,
    '',
    'Summary',
    summary,
  ];

  const json: Record<string, unknown> = {
    command: {
      ...(c ?? { reason: r.command }),
      p50Ratio: c?.p50Ratio ?? null,
      p99Ratio: c?.p99Ratio ?? null,
      throughputPerS: c?.throughputPerS ?? null,
    },
    alert: { ...(a ?? { reason: r.alert }), p99Ms: a?.p99Ms ?? null, p50Ms: a?.p50Ms ?? null },
    memory: { ...(m ?? { reason: r.memory }), idleRssMb: main?.idleRssMb ?? null, growthMb: main?.growthMb ?? null, platforms },
    startupMs: main?.startupMs ?? null,
    storm: { ...(s ?? { reason: r.storm }), lost: s?.lost ?? null, unhandled429: s?.unhandled429 ?? null },
    idle: { ...(i ?? { reason: r.idle }), requestsPerMinByBackend: i?.requestsPerMinByBackend ?? null },
    install: n ?? { reason: r.install },
    recovery: v ?? { reason: r.recovery },
    targets: TARGETS,
  };
  // A section not chosen prints nothing (its title, its n/a line and the blank after it).
  const shown = parts.filter(
    (_, i) => parts[i + 1] !== `n/a (${SKIPPED})` && parts[i] !== `n/a (${SKIPPED})` && parts[i - 1] !== `n/a (${SKIPPED})`,
  );
  return { text: shown.join('\n'), json };
}
