import { formatSelector } from '../../model/selector';
import { listOf, policySubject } from '../context';
import { peerNamespaces, peerSites } from '../peers';
import { LintRule, RuleFinding } from '../types';

/**
 * The reverse of `peer-split-and`: one peer with both namespaceSelector and podSelector means pods with those
 * labels INSIDE the selected namespaces (AND). Two items (OR) were likely meant when the peer matches no pod, the
 * selected namespaces hold pods (so the namespaceSelector is right), and the podSelector matches pods elsewhere,
 * typically in the policy's own namespace.
 */
export const peerMergedOr: LintRule = {
  id: 'peer-merged-or',
  severity: 'warning',
  summary: 'One peer with both namespaceSelector and podSelector (AND) where two peers (OR) were likely meant.',
  check(context) {
    const findings: RuleFinding[] = [];
    for (const policy of context.policies) {
      for (const site of peerSites(policy)) {
        const { namespaceSelector, podSelector } = site.peer;
        if (!namespaceSelector || !podSelector || !context.peerBits(site.peer, policy.namespace).isEmpty()) continue;
        const namespaces = peerNamespaces(context, site.peer, policy.namespace);
        if (!namespaces.some((ns) => context.podsIn(ns).length > 0)) continue;
        const elsewhere = context.podsMatching(podSelector).filter((p) => !namespaces.includes(p.pod.namespace));
        if (elsewhere.length === 0) continue;
        const ns = formatSelector(namespaceSelector);
        const pods = formatSelector(podSelector);
        findings.push({
          subject: policySubject(policy),
          message: `${site.field} admits only pods ${pods} inside namespaces ${ns} (AND), and there are none; pods ${pods} exist elsewhere (${listOf(elsewhere.map((p) => p.id), 3)}).`,
          fix: `if you meant namespaces ${ns} OR pods ${pods}, write two peers: \`- namespaceSelector: ...\` and \`- podSelector: ...\` (each with its own dash)`,
        });
      }
    }
    return findings;
  },
};
