import { podSubject } from '../context';
import { targetsWindows } from '../pod-spec';
import { LintRule, RuleFinding } from '../types';
import { isolatedByText, isolatedPodsWhere } from '../unenforced';

/** The EKS user guide: policies apply to Amazon EC2 Linux nodes only, not to Fargate or Windows nodes. */
export const eksWindowsNode: LintRule = {
  id: 'eks-windows-node',
  severity: 'warning',
  summary: 'A pod scheduled on Windows nodes (node selector or required affinity) and selected by a policy: not enforced on EKS.',
  check(context) {
    return isolatedPodsWhere(context, (p) => targetsWindows(p.pod)).map(({ pod, by }): RuleFinding => ({
      subject: podSubject(pod.pod),
      message: `${pod.id} runs on Windows nodes (${isolatedByText(by)}); the EKS VPC CNI enforces network policies on Linux EC2 nodes only.`,
      fix: 'run the workload on Linux nodes, or protect it with security groups for pods',
    }));
  },
};
