/**
 * The one error type of the cdk8s constructs: a declaration that cannot be synthesized as written. It names the
 * construct path, the prop or method at fault, what is wrong and how to fix it, so the user never needs a stack trace.
 */
export class PolicyDeclarationError extends Error {
  constructor(
    /** The construct path (`shop/api`). */
    readonly path: string,
    /** The prop or call at fault (`props.ports.http`, `allowTo(Peer.ipBlock("10.0.0.1"))`). */
    readonly prop: string,
    readonly problem: string,
    /** What to write instead. */
    readonly fix: string,
  ) {
    super(formatDeclarationError(path, prop, problem, fix));
    this.name = 'PolicyDeclarationError';
  }
}

/** `path: prop: problem Fix: fix` on one line, as the synth-time validations report it too. */
export function formatDeclarationError(path: string, prop: string, problem: string, fix: string): string {
  return `${path}: ${prop}: ${problem} Fix: ${fix}`;
}
