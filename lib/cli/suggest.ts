/**
 * Edit distance counting insertions, deletions, substitutions and swaps of two neighbours (optimal string
 * alignment), for "did you mean" hints: `wbe` is one edit from `web`.
 */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = [Array.from({ length: b.length + 1 }, (_, j) => j)];
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1][j] + 1, row[j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, rows[i - 2][j - 2] + 1);
      row.push(best);
    }
    rows.push(row);
  }
  return rows[a.length][b.length];
}

/**
 * Up to `limit` known ids nearest to `wanted`: the same name in another namespace counts as nearest, then edit
 * distance (at most a third of the id's length, and at least 2). Only the nearest are kept, ties by name.
 */
export function suggest(wanted: string, known: readonly string[], limit = 3): string[] {
  const name = (id: string) => id.slice(id.indexOf('/') + 1);
  const budget = Math.max(2, Math.floor(wanted.length / 3));
  const scored: [number, string][] = [];
  for (const id of known) {
    const distance = name(id) === name(wanted) ? 0 : editDistance(wanted, id);
    if (distance <= budget) scored.push([distance, id]);
  }
  if (scored.length === 0) return [];
  const nearest = Math.min(...scored.map(([d]) => d));
  return scored
    .filter(([d]) => d === nearest)
    .map(([, id]) => id)
    .sort()
    .slice(0, limit);
}
