import { podSubject } from '../context';
import { hasOwnerReferences } from '../pod-spec';
import { LintRule, RuleFinding } from '../types';
import { isolatedByText, isolatedPodsWhere } from '../unenforced';

/** The EKS user guide: standalone Pods without metadata.ownerReferences can't have network policies applied. */
export const eksBarePod: LintRule = {
  id: 'eks-bare-pod',
  severity: 'warning',
  summary: 'A bare Pod (no ownerReferences) selected by a policy: the EKS agent applies no policy to it.',
  check(context) {
    return isolatedPodsWhere(context, (p) => p.pod.kind === 'Pod' && !hasOwnerReferences(p.pod.metadata)).map(({ pod, by }): RuleFinding => ({
      subject: podSubject(pod.pod),
      message: `${pod.id} is a standalone Pod without ownerReferences (${isolatedByText(by)}); the EKS VPC CNI applies network policies only to pods owned by a workload, so its traffic is not filtered.`,
      fix: 'run it from a Deployment (or another workload) instead of a bare Pod',
    }));
  },
};
