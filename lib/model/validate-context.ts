/**
 * Where validation is and what it has found: the object being validated, the path of the field, and the problems
 * collected so far. Validation never stops at the first problem; it reports each one here and carries on.
 */
import { Problem } from './problems';
import { SourceLocation } from './types';

/** A map key in a field path (`metadata.labels[app]`), as opposed to a field name (`metadata.labels`). */
export interface MapKey {
  readonly key: string;
}

/** One step of a field path: a field name, a list index, or a map key. */
export type PathSegment = string | number | MapKey;

/** A field path inside one object, from its root: `['spec', 'ingress', 0, 'from']`. */
export type FieldPath = readonly PathSegment[];

/**
 * A field path as validation builds it: each step links to its parent, so descending into a field costs one small
 * object, not a copy of the path. `undefined` is the object's root. Turned into a FieldPath only for a problem.
 */
export type Path = { readonly parent: Path; readonly segment: PathSegment } | undefined;

/** The path one to four steps below `path`. */
export function at(path: Path, a: PathSegment, b?: PathSegment, c?: PathSegment, d?: PathSegment): Path {
  let result: Path = { parent: path, segment: a };
  if (b !== undefined) result = { parent: result, segment: b };
  if (c !== undefined) result = { parent: result, segment: c };
  if (d !== undefined) result = { parent: result, segment: d };
  return result;
}

/** The Path of steps from the root. */
export function pathFrom(steps: readonly PathSegment[]): Path {
  let path: Path;
  for (const segment of steps) path = { parent: path, segment };
  return path;
}

/** The steps of a Path, from the root. */
export function toFieldPath(path: Path): FieldPath {
  const steps: PathSegment[] = [];
  for (let node = path; node !== undefined; node = node.parent) steps.push(node.segment);
  return steps.reverse();
}

/** Finds the line of a field inside one object; undefined when the field (or its position) is unknown. */
export type LineLocator = (path: FieldPath) => number | undefined;

/** Where one object came from, for its problems. */
export interface ObjectOrigin {
  /** The file, or `<stdin>`. */
  readonly file: string;
  /** The 1-based line where the object starts. */
  readonly line: number;
  /**
   * The line of a field of the object, when positions are known.
   *
   * @default - every problem is reported at the object's own line
   */
  readonly locate?: LineLocator;
}

/** `spec.ingress[0].from[1].ipBlock.cidr`; map keys in brackets (`metadata.labels[app]`). */
export function formatFieldPath(path: FieldPath): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (typeof segment === 'string') text += text === '' ? segment : `.${segment}`;
    else text += `[${segment.key}]`;
  }
  return text;
}

/** Collects the problems of one object, each with its field path and, when known, the field's line. */
export class ObjectScope {
  /** Problems reported through this scope (also appended to the shared list). */
  private count = 0;

  /**
   * @param object `Kind/namespace/name`, as problems name it.
   * @param problems the shared list every problem is appended to.
   * @param origin where the object came from, when it came from a file.
   */
  constructor(
    readonly object: string,
    private readonly problems: Problem[],
    readonly origin?: ObjectOrigin,
  ) {}

  /** The object's own location, when known. */
  get source(): SourceLocation | undefined {
    return this.origin ? { file: this.origin.file, line: this.origin.line } : undefined;
  }

  /** How many problems have been reported for this object so far. */
  get reported(): number {
    return this.count;
  }

  /** Has anything been reported for this object? */
  get failed(): boolean {
    return this.count > 0;
  }

  /** Reports one problem with the field at `path`. `fix` says what to write instead. */
  report(path: Path, message: string, fix: string): void {
    this.count++;
    const steps = toFieldPath(path);
    this.problems.push({ object: this.object, field: formatFieldPath(steps), message, fix, source: this.locate(steps) });
  }

  /** The line of the field at `path`, or of its nearest located ancestor, or of the object. */
  private locate(path: FieldPath): SourceLocation | undefined {
    const origin = this.origin;
    if (!origin) return undefined;
    if (origin.locate) {
      for (let length = path.length; length > 0; length--) {
        const line = origin.locate(length === path.length ? path : path.slice(0, length));
        if (line !== undefined) return { file: origin.file, line };
      }
    }
    return { file: origin.file, line: origin.line };
  }
}
