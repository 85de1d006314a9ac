/**
 * Pods the EKS VPC CNI never applies policies to, although a policy selects them (or strict mode isolates them):
 * the policy looks enforced in review and in `reach`, but the pod's traffic is not filtered.
 */
import { PodEndpoint } from '../verdict/endpoint';
import { LintContext, listOf } from './context';

/**
 * The pods passing `test` that some policy selects (with `countStrict`, every such pod in strict mode), with those
 * policies.
 */
export function isolatedPodsWhere(
  context: LintContext,
  test: (pod: PodEndpoint) => boolean,
  countStrict = true,
): { pod: PodEndpoint; by: string[] }[] {
  const out: { pod: PodEndpoint; by: string[] }[] = [];
  for (const pod of context.pods) {
    if (!test(pod)) continue;
    const by = context.policiesSelecting(pod).map((p) => p.id);
    if (by.length > 0 || (countStrict && context.strict)) out.push({ pod, by });
  }
  return out;
}

/** `selected by a/x, a/y` or `isolated by strict mode`. */
export function isolatedByText(by: readonly string[]): string {
  return by.length > 0 ? `selected by ${listOf(by)}` : 'isolated by strict mode';
}
