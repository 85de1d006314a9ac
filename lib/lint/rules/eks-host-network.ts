import { podSubject } from '../context';
import { usesHostNetwork } from '../pod-spec';
import { LintRule, RuleFinding } from '../types';
import { isolatedByText, isolatedPodsWhere } from '../unenforced';

/**
 * The EKS user guide (strict mode): the default deny policy isn't configured for pods with host networking, and no
 * policy can filter the node's own traffic. Strict mode alone does not count: system DaemonSets (aws-node,
 * kube-proxy) use host networking by design.
 */
export const eksHostNetwork: LintRule = {
  id: 'eks-host-network',
  severity: 'warning',
  summary: 'A hostNetwork pod selected by a policy: its traffic is the node\'s, and no policy applies to it.',
  check(context) {
    return isolatedPodsWhere(context, (p) => usesHostNetwork(p.pod), false).map(({ pod, by }): RuleFinding => ({
      subject: podSubject(pod.pod),
      message: `${pod.id} uses hostNetwork (${isolatedByText(by)}); it shares the node's network, so no policy filters its traffic, and peers see the node's address, not a pod's.`,
      fix: 'drop `hostNetwork: true` if the pod does not need it; otherwise protect it with security groups, not NetworkPolicy',
    }));
  },
};
