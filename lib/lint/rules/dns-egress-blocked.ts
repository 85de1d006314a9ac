import { listOf, podSubject } from '../context';
import { DNS_RULE_FIX, dnsIngressIsolators, dnsStatuses, isolatingPolicies, isolationReason, NODE_LOCAL_DNS_ADDRESS } from '../dns';
import { LintRule, RuleFinding } from '../types';

/**
 * The seed's warning: a default-deny egress policy stops DNS too ("Could not resolve host"). Reported on the pod,
 * naming the policies that isolate it, when no DNS target admits UDP 53 from it.
 */
export const dnsEgressBlocked: LintRule = {
  id: 'dns-egress-blocked',
  severity: 'error',
  summary: 'A pod whose egress is isolated (by a policy, or by strict mode) cannot reach the cluster DNS on UDP 53.',
  check(context) {
    const findings: RuleFinding[] = [];
    for (const status of dnsStatuses(context)) {
      if (status.kubeDns.UDP || status.nodeLocal?.UDP) continue;
      const targets = [...status.targets, ...(status.nodeLocal ? [NODE_LOCAL_DNS_ADDRESS] : [])];
      const ingressSide = status.egressAdmitsUdp;
      const why = ingressSide
        ? `its egress admits DNS, but the ingress of ${status.targets[0]} (isolated by ${listOf(dnsIngressIsolators(context)) || 'strict mode'}) does not admit it`
        : `${isolationReason(context, status)}, and no egress rule admits UDP port 53 to ${listOf(targets)}`;
      findings.push({
        subject: podSubject(status.pod.pod),
        silencedAlsoBy: isolatingPolicies(context, status),
        message: `${status.pod.id} cannot resolve names: ${why}. Every lookup fails ("Could not resolve host").`,
        fix: ingressSide
          ? `allow ingress on UDP and TCP port 53 to the kube-dns pods from ${status.pod.id}`
          : `${DNS_RULE_FIX}${status.nodeLocal ? `, plus \`ipBlock: {cidr: ${NODE_LOCAL_DNS_ADDRESS}/32}\` for NodeLocal DNSCache` : ''}`,
      });
    }
    return findings;
  },
};
