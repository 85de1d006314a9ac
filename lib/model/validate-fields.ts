/**
 * Shape checks shared by every validator: is a value an object, a list, a string, a whole number; and the API
 * server's strict field validation, which rejects unknown fields (`podSelecter`) and suggests the field meant.
 */
import { at, ObjectScope, Path } from './validate-context';

/** A JSON object (not a list, not null). */
export type JsonObject = Readonly<Record<string, unknown>>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A short description of a value's JSON type, for "must be a list, not a string" messages. */
export function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `the string "${value.length > 40 ? `${value.slice(0, 40)}...` : value}"`;
  return `${typeof value === 'number' ? 'the number' : 'the value'} ${String(value)}`;
}

/**
 * The text of a scalar, for a message or a fix. Objects and lists are summarized, never converted: a parsed object
 * may have a `toString` field that is not a function.
 */
export function scalarText(value: unknown): string {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value === null || value === undefined) return '';
  return Array.isArray(value) ? '[...]' : '{...}';
}

/** The fix for a value that must be a string: quote a scalar (`quote it: name: "1"`), or write a string. */
export function quoteFix(value: unknown, before = ''): string {
  const scalar = typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint';
  return scalar ? `quote it: ${before}"${String(value)}"` : `write a string${before ? ` for ${before.replace(/: $/, '')}` : ''}`;
}

/** Reads an optional object field; reports and returns undefined when it is there but not an object. */
export function optionalObject(scope: ObjectScope, value: unknown, path: Path, example: string): JsonObject | undefined {
  if (value === undefined || value === null) return undefined;
  if (isObject(value)) return value;
  scope.report(path, `must be an object, not ${typeName(value)}`, `write an object, like ${example}`);
  return undefined;
}

/** Reads an optional list field; reports and returns undefined when it is there but not a list. */
export function optionalList(scope: ObjectScope, value: unknown, path: Path): readonly unknown[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return value;
  scope.report(path, `must be a list, not ${typeName(value)}`, 'write a YAML list, one "- " item per line, or [] for none');
  return undefined;
}

/** Reads an optional string field; reports and returns undefined when it is there but not a string. */
export function optionalString(scope: ObjectScope, value: unknown, path: Path): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  scope.report(path, `must be a string, not ${typeName(value)}`, quoteFix(value));
  return undefined;
}

/**
 * Reports every key of `value` that is not in `known`, as the API server's strict field validation does, with the
 * closest known field as the fix. `reported` names a key the caller has already reported in its own words.
 */
export function checkKnownFields(scope: ObjectScope, value: JsonObject, known: readonly string[], path: Path, reported?: string): void {
  for (const key in value) {
    if (known.includes(key) || key === reported || !Object.prototype.hasOwnProperty.call(value, key)) continue;
    const guess = closest(key, known);
    scope.report(
      at(path, key),
      `unknown field "${key}"`,
      guess ? `did you mean "${guess}"?` : `remove it; the fields allowed here are ${known.join(', ')}`,
    );
  }
}

/** The known name nearest to `name` (case-insensitive edit distance at most a third of its length), if any. */
export function closest(name: string, known: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(name.length / 3)) + 1;
  for (const candidate of known) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Levenshtein distance, with a transposition of neighbours counted as one edit. */
function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}
