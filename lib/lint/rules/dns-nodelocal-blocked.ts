import { podSubject } from '../context';
import { dnsStatuses, isolatingPolicies, NODE_LOCAL_DNS_ADDRESS } from '../dns';
import { LintRule, RuleFinding } from '../types';

/**
 * With NodeLocal DNSCache, pods send their lookups to the link-local address on their node, where a host-network
 * cache answers: a rule that admits only the kube-dns pods does not admit that address.
 */
export const dnsNodeLocalBlocked: LintRule = {
  id: 'dns-nodelocal-blocked',
  severity: 'warning',
  summary: `DNS is allowed to the kube-dns pods, but the input uses NodeLocal DNSCache and ${NODE_LOCAL_DNS_ADDRESS} is not allowed.`,
  check(context) {
    const findings: RuleFinding[] = [];
    for (const status of dnsStatuses(context)) {
      if (!status.nodeLocal || status.nodeLocal.UDP || !status.kubeDns.UDP) continue;
      findings.push({
        subject: podSubject(status.pod.pod),
        silencedAlsoBy: isolatingPolicies(context, status),
        message: `${status.pod.id} may reach kube-dns on UDP 53, but the input runs NodeLocal DNSCache and its egress does not admit ${NODE_LOCAL_DNS_ADDRESS}: lookups sent to the node-local cache are dropped.`,
        fix: `add \`{ipBlock: {cidr: ${NODE_LOCAL_DNS_ADDRESS}/32}}\` to the peers of the egress rule that allows DNS (UDP and TCP 53)`,
      });
    }
    return findings;
  },
};
