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
import { NAMESPACE_NAME_LABEL, PodIdentity } from '../model/types';
import { Endpoint, externalEndpoint, PodEndpoint, podEndpoint } from '../verdict/endpoint';
import { rulePeersMatch, rulePortsMatch } from '../verdict/evaluate';
import { Bitset } from '../verdict/bitset';
import { LintContext } from './context';
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
  /** The kube-dns targets probed (`kube-system/coredns`, or `kube-system/kube-dns (assumed)`). */
  readonly targets: readonly string[];
  /** Some egress rule admits UDP 53 to a kube-dns pod (so a denial comes from the DNS pods' ingress). */
  readonly egressAdmitsUdp: boolean;
}

type DnsProtocol = 'UDP' | 'TCP';

interface DnsTargets {
  readonly endpoints: PodEndpoint[];
  readonly synthetic: boolean;
}

const statusCache = new WeakMap<LintContext, DnsStatus[]>();
const targetCache = new WeakMap<LintContext, DnsTargets>();

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
export function kubeDnsTargets(context: LintContext): DnsTargets {
  const cached = targetCache.get(context);
  if (cached) return cached;
  let targets: DnsTargets;
  const real = context.pods.filter((p) => isKubeDns(p.pod));
  if (real.length > 0) {
    targets = { endpoints: real, synthetic: false };
  } else {
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
    targets = { endpoints: [podEndpoint(pod, labels)], synthetic: true };
  }
  targetCache.set(context, targets);
  return targets;
}

/**
 * The DNS status of every pod whose egress is isolated (by a policy or by strict mode), host-network pods and the
 * DNS pods themselves left out. The engine's rule functions decide each direction (rulePeersMatch, rulePortsMatch);
 * the work is shared: the egress answer by set of isolating policies, the ingress answer of each DNS pod as a
 * bitset of admitted sources. Strict mode denies a direction that no policy isolates (no rule can admit it), except
 * the ingress of a synthetic kube-dns, whose policies the input does not hold.
 */
export function dnsStatuses(context: LintContext): DnsStatus[] {
  const cached = statusCache.get(context);
  if (cached) return cached;
  const { endpoints, synthetic } = kubeDnsTargets(context);
  const nodeLocal: Endpoint | undefined = usesNodeLocalDns(context) ? externalEndpoint(NODE_LOCAL_DNS_ADDRESS) : undefined;
  const sources = context.pods.filter((pod) =>
    !usesHostNetwork(pod.pod) && !isKubeDns(pod.pod) && !isNodeLocalDns(pod.pod) && context.egressIsolated(pod));
  const protocols: DnsProtocol[] = ['UDP', 'TCP'];
  // Ingress of each real kube-dns pod: the sources it admits on 53, per protocol (undefined: not isolated).
  const ingress = endpoints.map((target) => Object.fromEntries(protocols.map((protocol) =>
    [protocol, synthetic && context.strict ? undefined : ingressAdmits(context, target, protocol)])) as Record<DnsProtocol, Bitset | undefined>);
  const egressCache = new Map<string, Record<DnsProtocol, boolean[]>>();
  const statuses = sources.map((pod): DnsStatus => {
    const isolators = context.policiesSelecting(pod).filter((p) => p.policyTypes.includes('Egress'));
    const key = isolators.map((p) => p.id).join('\u0000');
    let egress = egressCache.get(key);
    if (!egress) {
      const targets: Endpoint[] = [...endpoints, ...(nodeLocal ? [nodeLocal] : [])];
      egress = Object.fromEntries(protocols.map((protocol) => [protocol, targets.map((target) =>
        isolators.some((policy) => policy.egress.some((rule) =>
          rulePeersMatch(rule, policy.namespace, target) && rulePortsMatch(rule, target, DNS_PORT, protocol))))])) as Record<DnsProtocol, boolean[]>;
      egressCache.set(key, egress);
    }
    const at = context.positionOf(pod);
    const allowed = (protocol: DnsProtocol, j: number) => {
      // Every source is egress-isolated (by a policy or strict mode): only a rule admits it.
      if (!egress![protocol][j]) return false;
      if (j >= endpoints.length) return true;
      const admitted = ingress[j][protocol];
      return admitted === undefined ? true : admitted.has(at);
    };
    const kubeDns = (protocol: DnsProtocol) => endpoints.some((_, j) => allowed(protocol, j));
    return {
      pod,
      kubeDns: { UDP: kubeDns('UDP'), TCP: kubeDns('TCP') },
      nodeLocal: nodeLocal && { UDP: allowed('UDP', endpoints.length), TCP: allowed('TCP', endpoints.length) },
      targets: endpoints.map((e) => e.id),
      egressAdmitsUdp: endpoints.some((_, j) => egress!.UDP[j]),
    };
  });
  statusCache.set(context, statuses);
  return statuses;
}

/**
 * The sources a kube-dns pod's ingress admits on port 53: the union of the peers of the rules (of the policies
 * isolating it) whose ports admit the probe. Undefined when no policy isolates its ingress and the mode is
 * standard (everything is admitted); an empty set when strict mode isolates it and no policy does.
 */
function ingressAdmits(context: LintContext, target: PodEndpoint, protocol: DnsProtocol): Bitset | undefined {
  const isolators = context.policiesSelecting(target).filter((p) => p.policyTypes.includes('Ingress'));
  if (isolators.length === 0 && !context.strict) return undefined;
  const admitted = new Bitset(context.pods.length);
  for (const policy of isolators) {
    for (const rule of policy.ingress) {
      if (rulePortsMatch(rule, target, DNS_PORT, protocol)) admitted.orInPlace(context.ruleBits(rule, policy.namespace));
    }
  }
  return admitted;
}

/** The policies isolating the ingress of the first kube-dns pod, for messages. */
export function dnsIngressIsolators(context: LintContext): string[] {
  const { endpoints, synthetic } = kubeDnsTargets(context);
  if (synthetic) return [];
  return context.policiesSelecting(endpoints[0]).filter((p) => p.policyTypes.includes('Ingress')).map((p) => p.id);
}

/** The policies isolating the pod's egress (sorted by id). */
function egressIsolators(context: LintContext, status: DnsStatus) {
  return context.policiesSelecting(status.pod).filter((p) => p.policyTypes.includes('Egress'));
}

/** The metadata of the policies isolating the pod's egress: their lint-disable annotation silences DNS findings. */
export function isolatingPolicies(context: LintContext, status: DnsStatus): (Readonly<Record<string, unknown>> | undefined)[] {
  return egressIsolators(context, status).map((p) => p.metadata);
}

/** Why the pod's egress is isolated: the policies, or strict mode. */
export function isolationReason(context: LintContext, status: DnsStatus): string {
  const by = egressIsolators(context, status).map((p) => p.id);
  if (by.length > 0) return `its egress is isolated by ${by.join(', ')}`;
  return 'strict mode starts it default-deny and no policy selects it for egress';
}
