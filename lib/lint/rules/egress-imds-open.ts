import { parseIp } from '../../model/cidr';
import { ipBlockContains } from '../../verdict/evaluate';
import { policySubject } from '../context';
import { peerSites } from '../peers';
import { LintRule, RuleFinding } from '../types';

/** The EC2 instance metadata service, over IPv4 and over IPv6 (Nitro instances). */
export const IMDS_ADDRESSES = ['169.254.169.254', 'fd00:ec2::254'] as const;

/**
 * An egress ipBlock meant for "the internet" (0.0.0.0/0, ::/0, or any block holding the IMDS address) also
 * admits the instance metadata service, and with it the node role's credentials, unless an `except` removes it.
 * The EKS user guide asks you to decide IMDS access explicitly.
 */
export const egressImdsOpen: LintRule = {
  id: 'egress-imds-open',
  severity: 'warning',
  summary: 'An egress ipBlock (such as 0.0.0.0/0) that admits the instance metadata address 169.254.169.254 without an except.',
  check(context) {
    const findings: RuleFinding[] = [];
    for (const policy of context.policies) {
      for (const site of peerSites(policy)) {
        const block = site.peer.ipBlock;
        if (site.direction !== 'egress' || !block) continue;
        const open = IMDS_ADDRESSES.find((address) => ipBlockContains(block, [parseIp(address)!]));
        if (!open) continue;
        const suffix = open.includes(':') ? '128' : '32';
        findings.push({
          subject: policySubject(policy),
          message: `${site.field}.ipBlock ${block.cidr.text} admits the instance metadata service ${open}: the selected pods can read the node's IAM role credentials.`,
          fix: `add \`except: [${open}/${suffix}]\` to the ipBlock (pods with IRSA or EKS Pod Identity do not need IMDS); if a pod truly needs IMDS, allow ${open}/${suffix} in a separate, narrowly selected policy`,
        });
      }
    }
    return findings;
  },
};
