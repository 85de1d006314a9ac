import { policySubject } from '../context';
import { rulesOf } from '../peers';
import { LintRule, RuleFinding } from '../types';

/**
 * SCTP is outside what the EKS user guide documents for network policies: nodes need the sctp kernel module, AWS
 * load balancers do not carry it, and the behaviour is worth proving on a test cluster before relying on it.
 */
export const eksSctp: LintRule = {
  id: 'eks-sctp',
  severity: 'info',
  summary: 'A rule port with protocol SCTP, whose enforcement the EKS user guide does not document.',
  check(context) {
    const findings: RuleFinding[] = [];
    for (const policy of context.policies) {
      for (const { rule, field } of rulesOf(policy)) {
        (rule.ports ?? []).forEach((entry, index) => {
          if (entry.protocol !== 'SCTP') return;
          findings.push({
            subject: policySubject(policy),
            message: `${field}.ports[${index}] uses SCTP${entry.port !== undefined ? ` port ${entry.port}` : ''}: the EKS user guide documents TCP and UDP policies only; SCTP needs the sctp kernel module on the nodes.`,
            fix: 'prove the SCTP rule on an EKS test cluster before relying on it, or use TCP or UDP',
          });
        });
      }
    }
    return findings;
  },
};
