import { annotationsOf } from './pod-spec';

/** The annotation that silences rules for one object: a comma-separated list of rule ids, or `all`. */
export const LINT_DISABLE_ANNOTATION = 'eks-netpol.io/lint-disable';

/** The rule ids the object's lint-disable annotation lists (`all` stands for every rule). */
export function silencedRules(metadata: Readonly<Record<string, unknown>> | undefined): string[] {
  const value = annotationsOf(metadata)[LINT_DISABLE_ANNOTATION];
  return (value ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
}
