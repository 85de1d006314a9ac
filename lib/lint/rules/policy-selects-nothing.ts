import { formatSelector } from '../../model/selector';
import { policySubject } from '../context';
import { LintRule, RuleFinding } from '../types';

/**
 * A policy whose podSelector matches no pod identity of its namespace protects nothing: usually a label typo, or
 * a label that the workload puts on itself but not on its pod template. When the namespace has no pods in the
 * input at all, the workloads probably live elsewhere (the input is partial), so the finding is only info.
 */
export const policySelectsNothing: LintRule = {
  id: 'policy-selects-nothing',
  severity: 'warning',
  summary: 'A NetworkPolicy whose podSelector selects no workload of its namespace in the input.',
  check(context) {
    const findings: RuleFinding[] = [];
    for (const policy of context.policies) {
      if (context.selectedBy(policy).length > 0) continue;
      const candidates = context.podsIn(policy.namespace);
      const selector = formatSelector(policy.podSelector);
      if (candidates.length === 0) {
        findings.push({
          subject: policySubject(policy),
          severity: 'info',
          message: `podSelector ${selector} selects nothing here: the input holds no workload in namespace "${policy.namespace}" (is the input partial?).`,
          fix: `lint the policy together with the manifests of the workloads of "${policy.namespace}"`,
        });
        continue;
      }
      const labels = [...new Set(candidates.flatMap((p) => Object.entries(p.pod.labels).map(([k, v]) => `${k}=${v}`)))].sort();
      findings.push({
        subject: policySubject(policy),
        message: `podSelector ${selector} selects none of the ${candidates.length} workload(s) of namespace "${policy.namespace}", so the policy has no effect.`,
        fix: `select the pods by labels their pod template carries (present in "${policy.namespace}": ${labels.slice(0, 8).join(', ') || 'no labels'})`,
      });
    }
    return findings;
  },
};
