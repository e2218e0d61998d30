/**
 * "Did you mean" for catalog names: restricted Damerau-Levenshtein distance (insertions,
 * deletions, substitutions and swaps of two neighbouring characters, so `GetObjcet` is one
 * edit from `GetObject`), compared case-insensitively, with a bound so a long list of
 * candidates costs little: a candidate whose length differs by more than the bound is
 * skipped, and a row whose best cell exceeds the bound stops the computation.
 */

/** Distance between `a` and `b`, or `Infinity` once it exceeds `max`. */
export function boundedDamerauLevenshtein(a: string, b: string, max: number): number {
  if (a === b) return 0;
  if (Math.abs(a.length - b.length) > max) return Infinity;
  const n = a.length;
  const m = b.length;
  let prevPrev = new Array<number>(m + 1).fill(0);
  let prev = Array.from({ length: m + 1 }, (_, j) => j);
  let cur = new Array<number>(m + 1).fill(0);
  for (let i = 1; i <= n; i++) {
    cur[0] = i;
    let rowMin = i;
    for (let j = 1; j <= m; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min((prev[j] as number) + 1, (cur[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, (prevPrev[j - 2] as number) + 1);
      cur[j] = d;
      if (d < rowMin) rowMin = d;
    }
    if (rowMin > max) return Infinity;
    [prevPrev, prev, cur] = [prev, cur, prevPrev];
  }
  const d = prev[m] as number;
  return d > max ? Infinity : d;
}

/** The default bound: about one edit per four characters, at least 1, at most 3. */
export function defaultMaxDistance(name: string): number {
  return Math.max(1, Math.min(3, Math.floor(name.length / 4)));
}

/**
 * The candidate closest to `name` (case-insensitive), if it is within `maxDistance`
 * edits. Ties go to the candidate listed first. An exact case-insensitive match is
 * returned as is (distance 0): the caller asked because the spelling differed.
 */
export function suggest(name: string, candidates: Iterable<string>, maxDistance: number = defaultMaxDistance(name)): string | undefined {
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = boundedDamerauLevenshtein(lower, candidate.toLowerCase(), Math.min(maxDistance, bestDistance));
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
      if (d === 0) break;
    }
  }
  return bestDistance <= maxDistance ? best : undefined;
}
