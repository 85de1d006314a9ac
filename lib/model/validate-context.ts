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

  /** Has anything been reported for this object? */
  get failed(): boolean {
    return this.count > 0;
  }

  /** Reports one problem with the field at `path`. `fix` says what to write instead. */
  report(path: FieldPath, message: string, fix: string): void {
    this.count++;
    this.problems.push({ object: this.object, field: formatFieldPath(path), message, fix, source: this.locate(path) });
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
