import { listOf, policySubject } from '../context';
import { rulesOf } from '../peers';
import { LintRule, RuleFinding } from '../types';

/**
 * A named port resolves on the DESTINATION pod, in both directions: for an ingress rule, the pods the policy
 * selects; for an egress rule, the pods its peers match. When none of those declares a container port of that
 * name and protocol, the port entry admits nothing. (Rules whose destinations are not in the input are skipped:
 * `peer-matches-nothing` and `policy-selects-nothing` speak for them.)
 */
export const namedPortUndeclared: LintRule = {
  id: 'named-port-undeclared',
  severity: 'warning',
  summary: 'A named port in a rule that no destination pod declares (with that protocol), so the entry admits nothing.',
  check(context) {
    const findings: RuleFinding[] = [];
    for (const policy of context.policies) {
      for (const { direction, rule, field } of rulesOf(policy)) {
        if (!(rule.ports ?? []).some((entry) => typeof entry.port === 'string')) continue;
        // Destinations as a bitset over the pods: the selected pods (ingress) or the pods the peers match (egress).
        const destinations = direction === 'ingress'
          ? context.ruleBits({ peers: [{ podSelector: policy.podSelector }] }, policy.namespace)
          : context.ruleBits(rule, policy.namespace);
        if (destinations.isEmpty()) continue;
        (rule.ports ?? []).forEach((entry, index) => {
          if (typeof entry.port !== 'string') return;
          const name = entry.port;
          const declaring = context.podsDeclaring(name, entry.protocol).clone();
          declaring.andInPlace(destinations);
          if (!declaring.isEmpty()) return;
          const pods = context.podsOf(destinations);
          const otherProtocol = pods.flatMap((d) => d.pod.ports).find((p) => p.name === name);
          const declared = [...new Set(pods.flatMap((d) => d.pod.ports.map((p) => p.name)).filter((n): n is string => !!n))].sort();
          findings.push({
            subject: policySubject(policy),
            message: `${field}.ports[${index}]: no ${direction === 'ingress' ? 'selected pod' : 'destination pod'} (${listOf(pods.map((d) => d.id), 3)}) declares a container port named "${name}" with protocol ${entry.protocol}`
              + (otherProtocol ? ` (it is declared with protocol ${otherProtocol.protocol})` : '') + ', so this entry admits nothing.',
            fix: otherProtocol
              ? `write \`protocol: ${otherProtocol.protocol}\` for port "${name}"`
              : `name a port the destination declares${declared.length ? ` (${declared.map((n) => `"${n}"`).join(', ')})` : ''}, or write the port number`,
          });
        });
      }
    }
    return findings;
  },
};
