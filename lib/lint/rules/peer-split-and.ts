import { formatSelector, selectsEverything } from '../../model/selector';
import { listOf, policySubject } from '../context';
import { peerNamespaces, peerSites } from '../peers';
import { LintRule, RuleFinding } from '../types';

/**
 * `- namespaceSelector: ...` and `- podSelector: ...` as two list items are ORed: every pod of those namespaces,
 * or the labelled pods of the policy's own namespace. One item with both keys (AND) was likely meant when, in one
 * rule, a namespaceSelector-only item sits next to a podSelector-only item and
 * - the namespaceSelector also matches the policy's own namespace, so the podSelector item adds nothing; or
 * - the podSelector matches no pod of the policy's own namespace but matches pods in the selected namespaces.
 * When the podSelector matches no pod anywhere in the input, the intent cannot be told: info.
 */
export const peerSplitAnd: LintRule = {
  id: 'peer-split-and',
  severity: 'warning',
  summary: 'namespaceSelector and podSelector as two peers (OR) where one peer with both (AND) was likely meant.',
  check(context) {
    const findings: RuleFinding[] = [];
    for (const policy of context.policies) {
      const sites = peerSites(policy);
      for (const nsSite of sites) {
        if (!nsSite.peer.namespaceSelector || nsSite.peer.podSelector) continue;
        for (const podSite of sites) {
          if (podSite.direction !== nsSite.direction || podSite.ruleIndex !== nsSite.ruleIndex) continue;
          const podSelector = podSite.peer.podSelector;
          if (!podSelector || podSite.peer.namespaceSelector || podSite.peer.ipBlock) continue;
          const redundant = peerNamespaces(context, nsSite.peer, policy.namespace).includes(policy.namespace);
          // Bitsets through the engine's index: the podSelector in the own namespace, in the selected ones, anywhere.
          const inOwn = () => context.peerBits({ podSelector }, policy.namespace);
          const inSelected = () => context.peerBits({ namespaceSelector: nsSite.peer.namespaceSelector, podSelector }, policy.namespace);
          const anywhere = () => !context.peerBits({ namespaceSelector: {}, podSelector }, policy.namespace).isEmpty();
          let reason: string | undefined;
          let severity: 'info' | undefined;
          if (redundant) {
            reason = `the namespaceSelector already admits every pod of "${policy.namespace}", so ${podSite.field} adds nothing`;
          } else if (inOwn().isEmpty() && !inSelected().isEmpty()) {
            reason = `${podSite.field} matches no pod of "${policy.namespace}" but matches ${listOf(context.podsOf(inSelected()).map((p) => p.id), 3)} in the selected namespaces`;
          } else if (!anywhere()) {
            severity = 'info';
            reason = 'the input holds no pod with those labels, so the intent cannot be checked';
          }
          if (!reason) continue;
          const ns = formatSelector(nsSite.peer.namespaceSelector);
          const pods = formatSelector(podSelector);
          findings.push({
            subject: policySubject(policy),
            severity,
            message: `${nsSite.field} (namespaceSelector ${ns}) and ${podSite.field} (podSelector ${pods}) are two peers, ORed: every pod of the selected namespaces is admitted, not only pods ${pods}; ${reason}.`,
            fix: `if you meant pods ${pods} in ${selectsEverything(nsSite.peer.namespaceSelector) ? 'any namespace' : `namespaces ${ns}`}, write one peer with both keys: \`- namespaceSelector: ...\` followed by \`  podSelector: ...\` (no dash)`,
          });
        }
      }
    }
    return findings;
  },
};
