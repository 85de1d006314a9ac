import { admitsNodeToIsolatedPods, listOf, podSubject, VPC_CNI_AGENT_CONTAINER, VPC_CNI_NODE_ALLOW_VERSION } from '../context';
import { usesHostNetwork } from '../pod-spec';
import { LintRule, RuleFinding } from '../types';
import { PROBE_INGRESS_FIX, probesCutFromNode } from './strict-probe-ingress';

/**
 * Kubernetes and EKS allow a node's traffic to its own pods whatever the policies say, so kubelet probes pass a
 * default-deny ingress policy: eks-netpol's agent admits that traffic, and so does the VPC CNI's agent from v1.0.7 on
 * (it adds the node's address to every policy it programs). An older VPC CNI agent does not (aws-network-policy-agent
 * issues #56, #139): there a default-deny ingress policy cuts the probes of the pods it selects unless a rule admits
 * the probe port from the node's addresses. Lint knows the agent's version only when the input holds the aws-node
 * DaemonSet, so this rule speaks only then.
 *
 * A rule of its own rather than `strict-probe-ingress` extended: that rule is about strict mode, where every pod
 * starts default-deny and (with the VPC CNI) a pod no policy selects drops the node's traffic too, whatever the
 * agent's version; this one is about standard mode, where only the pods a policy isolates are concerned, the cause
 * is the agent's version and the first fix is to upgrade it. Users silence the two apart, and their ids stay stable.
 * In strict mode this rule is quiet, so that one probe problem is reported once.
 */
export const probeIngressNodeDenied: LintRule = {
  id: 'probe-ingress-node-denied',
  severity: 'warning',
  summary: 'Standard mode with a VPC CNI network policy agent older than v1.0.7 (from the aws-node DaemonSet): a pod with probes whose ingress policies admit nothing from the node on the probe port.',
  check(context) {
    const findings: RuleFinding[] = [];
    const enforcer = context.enforcer;
    if (context.strict || enforcer.kind !== 'vpc-cni' || admitsNodeToIsolatedPods(enforcer)) return findings;
    const fixed = `v${VPC_CNI_NODE_ALLOW_VERSION.join('.')}`;
    for (const pod of context.pods) {
      if (usesHostNetwork(pod.pod)) continue;
      const isolators = context.policiesSelecting(pod).filter((p) => p.policyTypes.includes('Ingress'));
      if (isolators.length === 0) continue;
      const ports = probesCutFromNode(context, pod);
      if (ports.length === 0) continue;
      findings.push({
        subject: podSubject(pod.pod),
        silencedAlsoBy: isolators.map((p) => p.metadata),
        message: `${listOf(isolators.map((p) => p.id))} isolate${isolators.length === 1 ? 's' : ''} the ingress of ${pod.id}, and the VPC CNI's network policy agent v${enforcer.agentVersion} (container ${VPC_CNI_AGENT_CONTAINER} of kube-system/aws-node) does not admit the node's own traffic before ${fixed}; no ingress rule admits the kubelet's probes from the node: ${ports.join('; ')}. The probes fail, so the pod restarts or never becomes ready.`,
        fix: `upgrade the VPC CNI add-on to a network policy agent ${fixed} or later; or ${PROBE_INGRESS_FIX}`,
      });
    }
    return findings;
  },
};
