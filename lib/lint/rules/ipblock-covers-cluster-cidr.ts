import { cidrCovers } from '../../model/cidr';
import { Cidr } from '../../model/types';
import { policySubject } from '../context';
import { peerSites } from '../peers';
import { LintRule, RuleFinding } from '../types';

function overlaps(a: Cidr, b: Cidr): boolean {
  return cidrCovers(a, b) || cidrCovers(b, a);
}

/**
 * ipBlock is meant for addresses outside the cluster. One that overlaps the pod CIDR admits pods by address
 * (bypassing the label-based intent, and pod IPs change); one that overlaps the service CIDR names ClusterIPs,
 * which policies do not see the same way on every data path. Checked only against the CIDRs given as options.
 */
export const ipBlockCoversClusterCidr: LintRule = {
  id: 'ipblock-covers-cluster-cidr',
  severity: 'warning',
  summary: 'An ipBlock that overlaps the pod CIDR or the service CIDR given with --pod-cidr / --service-cidr.',
  check(context) {
    const findings: RuleFinding[] = [];
    const ranges = [
      ...context.podCidrs.map((cidr) => ({ cidr, what: 'pod' as const })),
      ...context.serviceCidrs.map((cidr) => ({ cidr, what: 'service' as const })),
    ];
    if (ranges.length === 0) return findings;
    for (const policy of context.policies) {
      for (const site of peerSites(policy)) {
        const block = site.peer.ipBlock;
        if (!block) continue;
        for (const range of ranges) {
          if (!overlaps(block.cidr, range.cidr)) continue;
          // Excepts that carve the whole range out leave nothing of it admitted.
          if (block.except.some((hole) => cidrCovers(hole, range.cidr))) continue;
          findings.push({
            subject: policySubject(policy),
            message: range.what === 'pod'
              ? `${site.field}.ipBlock ${block.cidr.text} overlaps the pod CIDR ${range.cidr.text}: it admits pods by address, whatever their labels.`
              : `${site.field}.ipBlock ${block.cidr.text} overlaps the service CIDR ${range.cidr.text}: ClusterIPs are translated to pod addresses, so this does not admit what it seems to.`,
            fix: range.what === 'pod'
              ? `select pods with podSelector/namespaceSelector instead, and add \`except: [${range.cidr.text}]\` if the block is meant for external addresses`
              : `select the Service's pods with podSelector/namespaceSelector instead, and add \`except: [${range.cidr.text}]\` if the block is meant for external addresses`,
          });
        }
      }
    }
    return findings;
  },
};
