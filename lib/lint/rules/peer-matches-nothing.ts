import { formatSelector } from '../../model/selector';
import { LabelSelector, NAMESPACE_NAME_LABEL } from '../../model/types';
import { peerMatches } from '../../verdict/evaluate';
import { listOf, policySubject } from '../context';
import { kubeDnsTargets } from '../dns';
import { peerNamespaces, peerSites } from '../peers';
import { LintRule, RuleFinding } from '../types';

/**
 * A selector peer that matches no pod of the input admits nothing. That is a mistake when the input shows the
 * candidates (the namespaces it ranges over are declared and hold pods); it is only info when the input may be
 * partial: the namespaces it would range over are not in the input, or hold no pods there, or the input
 * references namespaces it does not declare (their labels are unknown), or the peer names by
 * `kubernetes.io/metadata.name` a namespace absent from the input. A peer that matches the cluster DNS as lint
 * models it (the kube-dns pods, real or assumed) is never reported: DNS rules name kube-system on purpose.
 */
export const peerMatchesNothing: LintRule = {
  id: 'peer-matches-nothing',
  severity: 'warning',
  summary: 'A podSelector or namespaceSelector peer that matches no pod (or no namespace) in the input.',
  check(context) {
    const findings: RuleFinding[] = [];
    for (const policy of context.policies) {
      for (const site of peerSites(policy)) {
        const { peer } = site;
        if (peer.ipBlock || !context.peerBits(peer, policy.namespace).isEmpty()) continue;
        if (kubeDnsTargets(context).endpoints.some((dns) => peerMatches(peer, policy.namespace, dns))) continue;
        const namespaces = peerNamespaces(context, peer, policy.namespace);
        const withPods = namespaces.filter((ns) => context.podsIn(ns).length > 0);
        const describe = [
          peer.namespaceSelector ? `namespaceSelector ${formatSelector(peer.namespaceSelector)}` : undefined,
          peer.podSelector ? `podSelector ${formatSelector(peer.podSelector)}` : undefined,
        ].filter(Boolean).join(' and ');
        let message: string;
        let partial: boolean;
        const absent = peer.namespaceSelector ? pinnedNames(peer.namespaceSelector).filter((n) => !context.namespaceLabels.has(n)) : [];
        if (namespaces.length === 0 && absent.length > 0) {
          partial = true;
          message = `${site.field}: ${describe} names ${listOf(absent.map((n) => `"${n}"`))}, which the input does not hold (is it partial?)`;
        } else if (namespaces.length === 0) {
          partial = context.hasUndeclaredNamespaces;
          message = `${site.field}: ${describe} matches no namespace of the input, so the peer admits nothing`
            + (partial ? ' (the input references namespaces it does not declare, whose labels are unknown)' : '');
        } else {
          partial = withPods.length === 0;
          message = `${site.field}: ${describe} matches no pod in ${listOf(namespaces.map((n) => `"${n}"`))}`
            + (partial ? ' (the input holds no workload there: is it partial?)' : ', so the peer admits nothing');
        }
        findings.push({
          subject: policySubject(policy),
          severity: partial ? 'info' : undefined,
          message: `${message}.`,
          fix: partial
            ? 'lint the policy together with the Namespaces and workloads it refers to, or check the labels'
            : 'use labels that the target namespaces and pod templates carry (namespaces always carry kubernetes.io/metadata.name)',
        });
      }
    }
    return findings;
  },
};

/** The namespace names a selector pins through the automatic name label (matchLabels, or an In requirement). */
function pinnedNames(selector: LabelSelector): string[] {
  const names: string[] = [];
  const label = selector.matchLabels?.[NAMESPACE_NAME_LABEL];
  if (label !== undefined) names.push(label);
  for (const r of selector.matchExpressions ?? []) {
    if (r.key === NAMESPACE_NAME_LABEL && r.operator === 'In') names.push(...(r.values ?? []));
  }
  return [...new Set(names)].sort();
}
