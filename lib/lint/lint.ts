/**
 * The lint runner: every rule over one cluster state, minus the rules the options disable and those an object's
 * `eks-netpol.io/lint-disable` annotation silences, sorted so that the same input gives byte-identical output.
 */
import { ClusterState } from '../model/types';
import { LintContext } from './context';
import { silencedRules } from './annotations';
import { ruleById, ruleIds, RULES } from './registry';
import { Finding, FindingSubject, LintOptions, LintOptionsError, LintSummary, Severity } from './types';

const SEVERITY_ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/**
 * Lints a cluster state: policy mistakes that break production on EKS. Throws LintOptionsError when `disable`
 * names no rule or a CIDR option is malformed.
 *
 * ```ts
 * const { cluster } = loadManifests(['k8s/']);
 * const findings = lintCluster(cluster, { enforcingMode: 'strict', podCidrs: ['10.0.0.0/16'] });
 * ```
 */
export function lintCluster(cluster: ClusterState, options: LintOptions = {}): Finding[] {
  const disabled = new Set(options.disable ?? []);
  for (const id of disabled) {
    if (!ruleById(id)) throw new LintOptionsError(`"${id}" is not a lint rule. Rules: ${ruleIds().join(', ')}.`);
  }
  const context = LintContext.create(cluster, options);
  const findings: Finding[] = [];
  for (const rule of RULES) {
    if (disabled.has(rule.id)) continue;
    for (const found of rule.check(context)) {
      if ([found.subject.metadata, ...(found.silencedAlsoBy ?? [])].some((metadata) => silenced(metadata, rule.id))) continue;
      findings.push({
        rule: rule.id,
        severity: found.severity ?? rule.severity,
        object: objectRef(found.subject),
        file: found.subject.source?.file,
        line: found.subject.source?.line,
        message: found.message,
        fix: found.fix,
      });
    }
  }
  return sortFindings(dedupe(findings));
}

/** `Kind/namespace/name`. */
export function objectRef(subject: FindingSubject): string {
  return `${subject.kind}/${subject.namespace}/${subject.name}`;
}

function silenced(metadata: Readonly<Record<string, unknown>> | undefined, rule: string): boolean {
  const rules = silencedRules(metadata);
  return rules.includes(rule) || rules.includes('all');
}

function compare(a: string | number | undefined, b: string | number | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return 1;
  if (b === undefined) return -1;
  return a < b ? -1 : 1;
}

/** By file, line, object, severity, rule, then message: the order of a compiler's output. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort((a, b) => compare(a.file, b.file) || compare(a.line, b.line) || compare(a.object, b.object)
    || SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || compare(a.rule, b.rule) || compare(a.message, b.message));
}

function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = JSON.stringify([f.rule, f.object, f.message]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Counts by severity. */
export function summarize(findings: readonly Finding[]): LintSummary {
  return {
    errors: findings.filter((f) => f.severity === 'error').length,
    warnings: findings.filter((f) => f.severity === 'warning').length,
    infos: findings.filter((f) => f.severity === 'info').length,
  };
}
