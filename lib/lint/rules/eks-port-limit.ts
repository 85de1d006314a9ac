import { Protocol } from '../../model/types';
import { policySubject } from '../context';
import { rulesOf } from '../peers';
import { LintRule, RuleFinding } from '../types';

/** The EKS user guide: at most 24 unique port combinations per protocol in each ingress or egress selector. */
export const EKS_PORT_COMBINATIONS_LIMIT = 24;

/**
 * The VPC CNI agent stores a bounded number of port entries per address in its eBPF maps; past the limit the
 * policy cannot be enforced as written.
 */
export const eksPortLimit: LintRule = {
  id: 'eks-port-limit',
  severity: 'error',
  summary: `More than ${EKS_PORT_COMBINATIONS_LIMIT} unique port combinations for one protocol in one ingress or egress rule (the EKS limit).`,
  check(context) {
    const findings: RuleFinding[] = [];
    for (const policy of context.policies) {
      for (const { rule, field } of rulesOf(policy)) {
        const combinations = new Map<Protocol, Set<string>>();
        for (const entry of rule.ports ?? []) {
          const set = combinations.get(entry.protocol) ?? new Set<string>();
          set.add(`${entry.port ?? '*'}-${entry.endPort ?? ''}`);
          combinations.set(entry.protocol, set);
        }
        for (const [protocol, set] of [...combinations.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
          if (set.size <= EKS_PORT_COMBINATIONS_LIMIT) continue;
          findings.push({
            subject: policySubject(policy),
            message: `${field} lists ${set.size} unique ${protocol} port combinations; the EKS VPC CNI enforces at most ${EKS_PORT_COMBINATIONS_LIMIT} per protocol in one rule.`,
            fix: 'merge consecutive ports into ranges with `endPort`, or split the ports across several rules',
          });
        }
      }
    }
    return findings;
  },
};
