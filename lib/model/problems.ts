import { SourceLocation } from './types';

/**
 * One thing wrong with the input: which object, which field, where, what is wrong and how to fix it.
 * Loading and validation collect every problem rather than stopping at the first.
 */
export interface Problem {
  /** `Kind/namespace/name` (or `Kind/name`, or `document N` when the object has no name). */
  readonly object: string;
  /** The field path, `spec.ingress[0].from[1].ipBlock.cidr`; empty for problems with the whole document. */
  readonly field: string;
  readonly message: string;
  /** What to write instead. */
  readonly fix: string;
  readonly source?: SourceLocation;
}

/** `file:line: Kind/ns/name: spec.x: message. Fix: ...` — one line a problem, as compilers print them. */
export function formatProblem(problem: Problem): string {
  const where = problem.source ? `${problem.source.file}:${problem.source.line}: ` : '';
  const field = problem.field ? ` ${problem.field}:` : '';
  const fix = problem.fix ? ` Fix: ${problem.fix}` : '';
  return `${where}${problem.object}:${field} ${problem.message}${fix}`;
}

/** Thrown when input is invalid; carries every problem found. */
export class InvalidInputError extends Error {
  constructor(readonly problems: readonly Problem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'InvalidInputError';
  }
}
