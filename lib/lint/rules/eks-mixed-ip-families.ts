import { parseIp } from '../../model/cidr';
import { listOf, policySubject } from '../context';
import { peerSites } from '../peers';
import { LintRule, RuleFinding } from '../types';

/**
 * The EKS user guide: a cluster is IPv4 or IPv6, and policy rules of the other family are ignored. The cluster's
 * family is read from the pod IPs of the input, else from --pod-cidr; when neither says, the family with fewer
 * ipBlocks is reported (IPv6 on a tie, since EKS clusters are IPv4 by default).
 */
export const eksMixedIpFamilies: LintRule = {
  id: 'eks-mixed-ip-families',
  severity: 'warning',
  summary: 'ipBlocks of both IPv4 and IPv6 in one cluster: EKS enforces only the cluster\'s family and ignores the rest.',
  check(context) {
    const findings: RuleFinding[] = [];
    const sites = context.policies.flatMap(peerSites).filter((s) => s.peer.ipBlock);
    const count = { 4: 0, 6: 0 };
    for (const site of sites) count[site.peer.ipBlock!.cidr.family]++;
    const podFamilies = new Set(context.pods.flatMap((p) => p.pod.ips.map((ip) => parseIp(ip)?.family)).filter((f) => f !== undefined));
    const cidrFamilies = new Set(context.podCidrs.map((c) => c.family));
    const known = podFamilies.size === 1 ? [...podFamilies][0] : cidrFamilies.size === 1 ? [...cidrFamilies][0] : undefined;
    let ignored: 4 | 6;
    let why: string;
    if (known !== undefined) {
      ignored = known === 4 ? 6 : 4;
      why = `the cluster is IPv${known} (from its ${podFamilies.size === 1 ? 'pod IPs' : 'pod CIDR'})`;
    } else {
      if (count[4] === 0 || count[6] === 0) return findings;
      ignored = count[6] <= count[4] ? 6 : 4;
      why = `the input mixes ${count[4]} IPv4 and ${count[6]} IPv6 ipBlocks, and an EKS cluster is one or the other`;
    }
    for (const policy of context.policies) {
      const foreign = sites.filter((s) => s.policy === policy && s.peer.ipBlock!.cidr.family === ignored);
      if (foreign.length === 0) continue;
      findings.push({
        subject: policySubject(policy),
        message: `${listOf(foreign.map((s) => `${s.field}.ipBlock ${s.peer.ipBlock!.cidr.text}`), 3)}: IPv${ignored} rules are ignored by the EKS VPC CNI because ${why}.`,
        fix: `remove the IPv${ignored} ipBlocks, or write them for the cluster's own family`,
      });
    }
    return findings;
  },
};
