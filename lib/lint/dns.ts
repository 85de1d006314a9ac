/**
 * How lint decides "DNS is allowed" for a pod: it asks the engine. Each egress-isolated pod is probed on UDP 53
 * and TCP 53 towards the cluster DNS:
 * - the kube-dns pods of the input (label `k8s-app=kube-dns`, which CoreDNS on EKS carries), or, when the input
 *   has none, a synthetic CoreDNS pod in kube-system with that label and the named ports `dns` (UDP 53) and
 *   `dns-tcp` (TCP 53), so that rules written against namespace and pod labels or port names resolve as they
 *   would in the cluster;
 * - the NodeLocal DNSCache address 169.254.20.10, when the input runs NodeLocal DNSCache (a workload named
 *   `node-local-dns` or labelled `k8s-app=node-local-dns`) or the options say so. Its pods use host networking,
 *   so only an ipBlock (or an egress rule without peers) admits it.
 * The shared results are computed once per lint run.
 */
import { NAMESPACE_NAME_LABEL, PodIdentity, Protocol } from '../model/types';
import { Endpoint, externalEndpoint, PodEndpoint, podEndpoint } from '../verdict/endpoint';
import { LintContext, Reach } from './context';
import { usesHostNetwork } from './pod-spec';

export const DNS_PORT = 53;
export const NODE_LOCAL_DNS_ADDRESS = '169.254.20.10';
export const KUBE_DNS_LABEL = { key: 'k8s-app', value: 'kube-dns' } as const;

/** The fix text every DNS rule shares: the rule to add. */
export const DNS_RULE_FIX = 'add an egress rule allowing UDP and TCP port 53 to the cluster DNS: '
  + '`to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}, podSelector: {matchLabels: {k8s-app: kube-dns}}}]`, '
  + '`ports: [{protocol: UDP, port: 53}, {protocol: TCP, port: 53}]`';

/** What one pod can reach on port 53. */
export interface DnsStatus {
  readonly pod: PodEndpoint;
  /** Some kube-dns target admits the protocol. */
  readonly kubeDns: Readonly<Record<'UDP' | 'TCP', boolean>>;
  /** NodeLocal DNSCache admits the protocol (undefined when NodeLocal DNSCache is not in use). */
  readonly nodeLocal?: Readonly<Record<'UDP' | 'TCP', boolean>>;
  /** The probe towards the first kube-dns target on UDP, for the reasons in messages. */
  readonly udpReach: Reach;
  /** The kube-dns targets probed (`kube-system/coredns`, or `kube-system/kube-dns (assumed)`). */
  readonly targets: readonly string[];
}

const cache = new WeakMap<LintContext, DnsStatus[]>();

function isKubeDns(pod: PodIdentity): boolean {
  return pod.labels[KUBE_DNS_LABEL.key] === KUBE_DNS_LABEL.value;
}

function isNodeLocalDns(pod: PodIdentity): boolean {
  return pod.name === 'node-local-dns' || pod.labels['k8s-app'] === 'node-local-dns';
}

/** Does the lint run assume NodeLocal DNSCache? */
export function usesNodeLocalDns(context: LintContext): boolean {
  return context.options.nodeLocalDns ?? context.pods.some((p) => isNodeLocalDns(p.pod));
}

/** The kube-dns pods of the input, or the synthetic CoreDNS pod that stands for them. */
export function kubeDnsTargets(context: LintContext): { endpoints: PodEndpoint[]; synthetic: boolean } {
  const real = context.pods.filter((p) => isKubeDns(p.pod));
  if (real.length > 0) return { endpoints: real, synthetic: false };
  const namespace = 'kube-system';
  const pod: PodIdentity = {
    id: `${namespace}/kube-dns (assumed)`,
    namespace,
    name: 'coredns',
    kind: 'Deployment',
    labels: { [KUBE_DNS_LABEL.key]: KUBE_DNS_LABEL.value },
    ports: [{ name: 'dns', port: DNS_PORT, protocol: 'UDP' }, { name: 'dns-tcp', port: DNS_PORT, protocol: 'TCP' }],
    ips: [],
  };
  const labels = context.namespaceLabels.get(namespace) ?? { [NAMESPACE_NAME_LABEL]: namespace };
  return { endpoints: [podEndpoint(pod, labels)], synthetic: true };
}

/**
 * The DNS status of every pod whose egress is isolated (by a policy or by strict mode), host-network pods and the
 * DNS pods themselves left out.
 */
export function dnsStatuses(context: LintContext): DnsStatus[] {
  const cached = cache.get(context);
  if (cached) return cached;
  const { endpoints, synthetic } = kubeDnsTargets(context);
  const nodeLocal: Endpoint | undefined = usesNodeLocalDns(context) ? externalEndpoint(NODE_LOCAL_DNS_ADDRESS) : undefined;
  const statuses: DnsStatus[] = [];
  for (const pod of context.pods) {
    if (usesHostNetwork(pod.pod) || isKubeDns(pod.pod) || isNodeLocalDns(pod.pod) || !context.egressIsolated(pod)) continue;
    const toKubeDns = (protocol: Protocol) => endpoints.map((target) => context.reach(pod, target, DNS_PORT, protocol, !synthetic));
    const udp = toKubeDns('UDP');
    const tcp = toKubeDns('TCP');
    statuses.push({
      pod,
      kubeDns: { UDP: udp.some((r) => r.allowed), TCP: tcp.some((r) => r.allowed) },
      nodeLocal: nodeLocal && {
        UDP: context.reach(pod, nodeLocal, DNS_PORT, 'UDP').allowed,
        TCP: context.reach(pod, nodeLocal, DNS_PORT, 'TCP').allowed,
      },
      udpReach: udp[0],
      targets: endpoints.map((e) => e.id),
    });
  }
  cache.set(context, statuses);
  return statuses;
}

/** The metadata of the policies isolating the pod's egress: their lint-disable annotation silences DNS findings. */
export function isolatingPolicies(context: LintContext, status: DnsStatus): (Readonly<Record<string, unknown>> | undefined)[] {
  const ids = new Set(status.udpReach.verdict.egress.isolatedBy);
  return context.cluster.policies.filter((p) => ids.has(p.id)).map((p) => p.metadata);
}

/** Why the pod's egress is isolated: the policies, or strict mode. */
export function isolationReason(status: DnsStatus): string {
  const by = status.udpReach.verdict.egress.isolatedBy;
  if (by.length > 0) return `its egress is isolated by ${by.join(', ')}`;
  return 'strict mode starts it default-deny and no policy selects it for egress';
}
