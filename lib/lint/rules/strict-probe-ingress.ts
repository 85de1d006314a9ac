import { PodEndpoint } from '../../verdict/endpoint';
import { policyPortMatches } from '../../verdict/evaluate';
import { podSubject } from '../context';
import { networkProbesOf, usesHostNetwork } from '../pod-spec';
import { LintRule, RuleFinding } from '../types';
import { LintContext } from '../context';

/**
 * In strict mode every pod starts default-deny, and the kubelet's HTTP, TCP and gRPC probes come from the node,
 * not from a pod: unless an ingress rule admits the probe port from outside the cluster's pods (a rule without
 * peers, or an ipBlock peer, which may hold the node addresses), the probes fail and the pod is restarted or never
 * becomes ready. Exec probes run inside the container and are left out. eks-netpol's own agent admits a node's
 * traffic to its pods in either mode, so nothing is reported when the input runs it. (Standard mode with a VPC CNI
 * agent that does not admit the node is `probe-ingress-node-denied`.)
 */
export const strictProbeIngress: LintRule = {
  id: 'strict-probe-ingress',
  severity: 'warning',
  summary: 'Strict mode: a pod with liveness, readiness or startup probes whose ingress admits no traffic from the node on the probe port.',
  check(context) {
    const findings: RuleFinding[] = [];
    if (!context.strict || context.enforcer.kind === 'eks-netpol') return findings;
    for (const pod of context.pods) {
      if (usesHostNetwork(pod.pod)) continue;
      const ports = probesCutFromNode(context, pod);
      if (ports.length === 0) continue;
      findings.push({
        subject: podSubject(pod.pod),
        message: `strict mode isolates ${pod.id} and no ingress rule admits the kubelet's probes from the node: ${ports.join('; ')}. The probes fail, so the pod restarts or never becomes ready.`,
        fix: PROBE_INGRESS_FIX,
      });
    }
    return findings;
  },
};

/** The fix the probe rules share. */
export const PROBE_INGRESS_FIX = 'add an ingress rule for the probe ports from the node addresses (`from: [{ipBlock: {cidr: <node subnet CIDR>}}]`), or use exec probes';

/**
 * The network probes of the pod that no ingress rule admits from outside the pods, one text per probe
 * (`readinessProbe of container "app" (httpGet port "http" = 8080)`), sorted.
 */
export function probesCutFromNode(context: LintContext, pod: PodEndpoint): string[] {
  const blocked = new Map<string, string>();
  for (const probe of networkProbesOf(pod.pod)) {
    const port = resolveProbePort(pod, probe.port);
    if (port === undefined) continue;
    if (admitsFromOutside(context, pod, port)) continue;
    blocked.set(`${probe.container}:${probe.probe}`, `${probe.probe} of container "${probe.container}" (${probe.handler} port ${probe.port === port ? port : `"${probe.port}" = ${port}`})`);
  }
  return [...blocked.values()].sort();
}

function resolveProbePort(pod: PodEndpoint, port: number | string): number | undefined {
  if (typeof port === 'number') return port;
  if (/^[0-9]+$/.test(port)) return Number(port);
  return pod.pod.ports.find((p) => p.name === port && p.protocol === 'TCP')?.port;
}

/** Does some ingress rule selecting the pod admit TCP `port` from a peer that can hold a node address? */
function admitsFromOutside(context: LintContext, pod: PodEndpoint, port: number): boolean {
  return context.policiesSelecting(pod).some((policy) => policy.policyTypes.includes('Ingress') && policy.ingress.some((rule) =>
    (rule.peers === undefined || rule.peers.some((peer) => peer.ipBlock !== undefined))
    && (rule.ports === undefined || rule.ports.some((entry) => policyPortMatches(entry, pod, port, 'TCP')))));
}
