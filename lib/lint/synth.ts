/**
 * Lint at synthesis: the same rules over the plain objects a cdk8s app synthesizes. The constructs take a check
 * of the shape `(objects) => findings by Kind/namespace/name` (constructs/k8s `configurePolicyChecks({ checks })`);
 * this module gives one without lib/ depending on any construct framework.
 */
import { clusterFromObjects } from '../manifests/cluster';
import { lintCluster } from './lint';
import { LintOptions, Severity } from './types';

/** One finding in the shape the synth checks report: the rule and the fix folded into the message. */
export interface SynthLintFinding {
  /** `Kind/namespace/name`. */
  readonly object: string;
  readonly severity: Severity;
  /** `[rule] message Fix: fix`. */
  readonly message: string;
  readonly rule: string;
  readonly fix: string;
}

/**
 * Lints plain Kubernetes objects (what `chart.toJson()` returns). Objects the loader rejects are left out: the
 * constructs validate them with their own errors, so lint only speaks about what is valid.
 */
export function lintObjects(objects: readonly unknown[], options: LintOptions = {}): SynthLintFinding[] {
  const { cluster } = clusterFromObjects(objects);
  return lintCluster(cluster, options).map((f) => ({
    object: f.object,
    severity: f.severity,
    message: `[${f.rule}] ${f.message} Fix: ${f.fix}`,
    rule: f.rule,
    fix: f.fix,
  }));
}

/**
 * A synth check running every lint rule, for `configurePolicyChecks(app, { checks: [lintCheck()] })`.
 *
 * @param options the lint options (strict mode, disabled rules, CIDRs) of the app's cluster
 */
export function lintCheck(options: LintOptions = {}): (objects: readonly unknown[]) => SynthLintFinding[] {
  return (objects) => lintObjects(objects, options);
}
