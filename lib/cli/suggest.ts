/** Edit distance (insertions, deletions, substitutions), for "did you mean" hints. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j] + 1, current[j - 1] + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length];
}

/**
 * Up to `limit` known names close to `wanted`: the same name in another namespace first, then the nearest by edit
 * distance (at most a third of the name's length, and at least 2), ties broken by name.
 */
export function suggest(wanted: string, known: readonly string[], limit = 3): string[] {
  const name = (id: string) => id.slice(id.indexOf('/') + 1);
  const budget = Math.max(2, Math.floor(wanted.length / 3));
  const scored: [number, string][] = [];
  for (const id of known) {
    const distance = name(id) === name(wanted) ? 0 : editDistance(wanted, id);
    if (distance <= budget) scored.push([distance, id]);
  }
  scored.sort((x, y) => x[0] - y[0] || (x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : 0));
  return scored.slice(0, limit).map(([, id]) => id);
}
