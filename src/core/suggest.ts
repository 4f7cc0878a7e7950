/** "Did you mean …?": the closest known name to a mistyped one, for config keys and permissions. */

/** Edit distance (insertions, deletions, substitutions), case-insensitive. */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const row = [i];
    for (let j = 1; j <= y.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[y.length]!;
}

/**
 * The candidate closest to `word`, or undefined when none is close enough. A candidate that
 * contains every dot-separated part of the word's last segment also counts
 * (`guests.power` → `proxmox.guest.power`).
 */
export function nearest(word: string, candidates: Iterable<string>): string | undefined {
  let best: { name: string; score: number } | undefined;
  const limit = Math.max(2, Math.floor(word.length / 3));
  for (const name of candidates) {
    const score = distance(word, name);
    if (score <= limit && (!best || score < best.score)) best = { name, score };
  }
  if (best) return best.name;
  // Same words in another arrangement or with a missing prefix: compare the parts loosely.
  const parts = word
    .toLowerCase()
    .split(/[.\-_]/)
    .filter(Boolean);
  let loose: { name: string; score: number } | undefined;
  for (const name of candidates) {
    const theirs = name.toLowerCase().split(/[.\-_]/);
    const matched = parts.filter((p) => theirs.some((t) => t === p || distance(t, p) <= 1)).length;
    if (matched === parts.length && parts.length > 0) {
      const score = theirs.length - matched;
      if (!loose || score < loose.score) loose = { name, score };
    }
  }
  return loose?.name;
}
