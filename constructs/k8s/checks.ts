import { IConstruct } from 'constructs';
import { LintOptions } from '../../lib/lint';
import { registryOf, SynthCheck } from './private/registry';

export type { SynthCheck, SynthFinding } from './private/registry';

/** Options of `configurePolicyChecks`. */
export interface PolicyCheckOptions {
  /**
   * What the lint rules and the extra synth checks do: `warn` prints their findings, `error` fails synthesis on findings of
   * severity error (and prints the rest), `off` skips them. The built-in validations always fail synthesis.
   *
   * @default 'warn'
   */
  readonly level?: 'warn' | 'error' | 'off';
  /**
   * The lint rules (lib/lint) run at synth over every object of the app, with these options (enforcing mode,
   * disabled rules, cluster CIDRs); false skips them.
   *
   * @default {} (every rule, standard enforcing mode)
   */
  readonly lint?: LintOptions | false;
  /**
   * More checks run at synth over every object of the cdk8s app, after the built-in validations and lint: a
   * function of the objects returning findings by `Kind/namespace/name`.
   *
   * @default - none
   */
  readonly checks?: readonly SynthCheck[];
  /**
   * Where warnings go.
   *
   * @default - standard error, one line each prefixed "warning: "
   */
  readonly warn?: (message: string) => void;
}

/**
 * Sets how the eks-netpol constructs of `scope`'s cdk8s app check themselves at synth. Call it once, on the app or
 * any construct in it, before synthesis.
 */
export function configurePolicyChecks(scope: IConstruct, options: PolicyCheckOptions): void {
  const registry = registryOf(scope);
  registry.settings = {
    lint: options.lint ?? registry.settings.lint,
    level: options.level ?? registry.settings.level,
    checks: options.checks ? [...options.checks] : registry.settings.checks,
    warn: options.warn ?? registry.settings.warn,
  };
  registry.touch();
}

/**
 * The warnings of the synth checks of `scope`'s cdk8s app, computed now. Each computation prints its warnings once;
 * synthesis reuses it while no eks-netpol construct or rule changes.
 */
export function policyWarnings(scope: IConstruct): readonly string[] {
  return registryOf(scope).analysis().warnings;
}
