/** The bench's sections: choosing them by name, and merging a partial run into the results file. */

/** Every section, in the order a full run measures them. */
export const SECTIONS = ['command', 'alert', 'memory', 'storm', 'idle', 'install', 'recovery'] as const;
export type Section = (typeof SECTIONS)[number];

/** The keys of latest.json each section writes (a partial run keeps the others' keys as they were). */
export const SECTION_KEYS: Readonly<Record<Section, readonly string[]>> = {
  command: ['command'],
  alert: ['alert'],
  memory: ['memory', 'startupMs'],
  storm: ['storm'],
  idle: ['idle'],
  install: ['install'],
  recovery: ['recovery'],
};

/** The sections named (every one when none is), or the names that are not sections. */
export function chooseSections(names: readonly string[]): { ok: true; sections: Set<Section> } | { ok: false; unknown: string[] } {
  const asked = names.map((s) => s.trim()).filter(Boolean);
  const unknown = asked.filter((s) => !(SECTIONS as readonly string[]).includes(s));
  if (unknown.length > 0) return { ok: false, unknown };
  return { ok: true, sections: new Set<Section>(asked.length > 0 ? (asked as Section[]) : SECTIONS) };
}

/**
 * The results file after a run of `ran`: this run's document (`fresh`, which carries every
 * section, the ones not run as reasons) with the figures of every section not run taken from
 * `prev` (the file as it was), and `sectionRuns` saying when each section's figures were taken.
 */
export function mergeResults(
  prev: Readonly<Record<string, unknown>>,
  fresh: Readonly<Record<string, unknown>>,
  ran: ReadonlySet<Section>,
  runs: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const notRun = SECTIONS.filter((s) => !ran.has(s));
  const kept = Object.fromEntries(
    notRun
      .flatMap((s) => SECTION_KEYS[s])
      .filter((k) => k in prev)
      .map((k) => [k, prev[k]]),
  );
  // A file written before per-section run times: its sections ran when that whole run did.
  const legacy = Object.fromEntries(
    notRun
      .filter((s) => SECTION_KEYS[s].some((k) => k in prev))
      .map((s) => [s, { ranAt: prev.ranAt, loadAvgAtStart: (prev.machine as { loadAvgAtStart?: number[] } | undefined)?.loadAvgAtStart }]),
  );
  const prevRuns = (prev.sectionRuns as Record<string, unknown> | undefined) ?? {};
  const keptRuns = Object.fromEntries(notRun.filter((s) => s in prevRuns).map((s) => [s, prevRuns[s]]));
  return { ...fresh, ...kept, sections: [...ran], sectionRuns: { ...legacy, ...keptRuns, ...runs } };
}
