/**
 * What every rule shares: the cluster seen through the engine (pod endpoints with their namespace labels, which
 * policies select which pods, what each peer matches through the engine's label index) and the options resolved
 * against the input (strict mode, CIDRs). Rules ask the engine rather than re-deriving semantics, so
 * that lint and `reach` never disagree.
 */
import { parseCidr } from '../model/cidr';
import { formatSelector, selectorMatches } from '../model/selector';
import { ServiceBackends, serviceBackends } from '../model/service-backends';
import {
  Cidr, ClusterState, LabelSelector, Labels, NetworkPolicy, PodIdentity, PolicyPeer, Protocol, Service,
} from '../model/types';
import { Bitset } from '../verdict/bitset';
import { namespaceLabelsOf, PodEndpoint, podEndpoint } from '../verdict/endpoint';
import { EndpointIndex } from '../verdict/label-index';
import { compareIds } from '../verdict/reachability';
import { containerEnv, containersOf } from './pod-spec';
import { EnforcingMode, FindingSubject, LintOptions, LintOptionsError } from './types';

/** The environment variable of the `aws-node` container that selects the enforcing mode. */
export const ENFORCING_MODE_ENV = 'NETWORK_POLICY_ENFORCING_MODE';

/** The shared view of one lint run. Build it with `LintContext.create`. */
export class LintContext {
  readonly pods: readonly PodEndpoint[];
  readonly enforcingMode: EnforcingMode;
  readonly podCidrs: readonly Cidr[];
  readonly serviceCidrs: readonly Cidr[];
  /** Namespace labels by name, undeclared but referenced namespaces included (automatic label only). */
  readonly namespaceLabels: ReadonlyMap<string, Labels>;
  /** Policies sorted by id, for deterministic reports. */
  readonly policies: readonly NetworkPolicy[];
  readonly services: readonly Service[];
  private readonly selected = new Map<string, PodEndpoint[]>();
  private readonly selecting = new Map<string, NetworkPolicy[]>();
  private readonly podsByNamespace = new Map<string, PodEndpoint[]>();
  /** The engine's inverted label index over the pods: a selector costs a few bitset operations. */
  private readonly index: EndpointIndex;
  private readonly position = new Map<string, number>();
  private readonly peerCache = new Map<string, Bitset>();
  private readonly selectorCache = new Map<string, readonly PodEndpoint[]>();
  private readonly namespaceCache = new Map<string, readonly string[]>();
  private readonly declaringCache = new Map<string, Bitset>();
  private readonly backendsCache = new Map<string, ServiceBackends>();
  private enforcerCache?: PolicyEnforcer;

  private constructor(readonly cluster: ClusterState, readonly options: LintOptions) {
    this.namespaceLabels = namespaceLabelsOf(cluster);
    this.pods = [...cluster.pods]
      .sort((a, b) => compareIds(a.id, b.id))
      .map((pod) => podEndpoint(pod, this.namespaceLabels.get(pod.namespace)!));
    for (const pod of this.pods) {
      const list = this.podsByNamespace.get(pod.pod.namespace) ?? [];
      list.push(pod);
      this.podsByNamespace.set(pod.pod.namespace, list);
    }
    this.index = new EndpointIndex(this.pods);
    this.pods.forEach((pod, at) => this.position.set(pod.id, at));
    this.policies = [...cluster.policies].sort((a, b) => compareIds(a.id, b.id));
    this.services = [...cluster.services].sort((a, b) => compareIds(a.id, b.id));
    // Which policy selects which pod, once: rules ask it for every pod and every policy.
    for (const policy of this.policies) {
      // policySelects, through the label index: the policy's namespace AND its podSelector.
      const selected = this.peerPods({ podSelector: policy.podSelector }, policy.namespace);
      this.selected.set(policy.id, [...selected]);
      for (const pod of selected) {
        const list = this.selecting.get(pod.id) ?? [];
        list.push(policy);
        this.selecting.set(pod.id, list);
      }
    }
    this.enforcingMode = options.enforcingMode ?? detectEnforcingMode(cluster);
    this.podCidrs = parseCidrOption('podCidrs', options.podCidrs);
    this.serviceCidrs = parseCidrOption('serviceCidrs', options.serviceCidrs);
  }

  /** Resolves the options against the input; throws LintOptionsError for a malformed CIDR. */
  static create(cluster: ClusterState, options: LintOptions = {}): LintContext {
    return new LintContext(cluster, options);
  }

  get strict(): boolean {
    return this.enforcingMode === 'strict';
  }

  /** The pod endpoints of a namespace. */
  podsIn(namespace: string): readonly PodEndpoint[] {
    return this.podsByNamespace.get(namespace) ?? [];
  }

  /** The pods the policy selects, as the engine decides it. */
  selectedBy(policy: NetworkPolicy): readonly PodEndpoint[] {
    return this.selected.get(policy.id) ?? [];
  }

  /** The policies that select the pod (in either direction), sorted by id. */
  policiesSelecting(pod: PodEndpoint): readonly NetworkPolicy[] {
    return this.selecting.get(pod.id) ?? [];
  }

  /**
   * The pods a peer matches, as a bitset over `pods`, the way the engine's matrix compiles peers (the same label
   * index): an ipBlock by pod address; otherwise the pods of the namespaceSelector's namespaces (or of the policy's
   * own namespace) that the podSelector matches. Cached by the peer's text, since policies repeat their peers:
   * the bitset is shared, never change it.
   */
  peerBits(peer: PolicyPeer, policyNamespace: string): Bitset {
    const key = peer.ipBlock
      ? `ip ${peer.ipBlock.cidr.text} except ${peer.ipBlock.except.map((e) => e.text).join(',')}`
      : `${peer.namespaceSelector ? `ns ${formatSelector(peer.namespaceSelector)}` : `in ${policyNamespace}`} pods ${peer.podSelector ? formatSelector(peer.podSelector) : '*'}`;
    return cached(this.peerCache, key, () => {
      if (peer.ipBlock) return this.index.ipBlock(peer.ipBlock);
      const bits = (peer.namespaceSelector ? this.index.namespaceSelector(peer.namespaceSelector) : this.index.namespace(policyNamespace)).clone();
      if (peer.podSelector) bits.andInPlace(this.index.podSelector(peer.podSelector));
      return bits;
    });
  }

  /** The pods a peer matches (see `peerBits`), sorted by id. */
  peerPods(peer: PolicyPeer, policyNamespace: string): readonly PodEndpoint[] {
    return this.podsOf(this.peerBits(peer, policyNamespace));
  }

  /** The pods a rule's peers match (every pod when it lists none), as a bitset over `pods`. */
  ruleBits(rule: { readonly peers?: readonly PolicyPeer[] }, policyNamespace: string): Bitset {
    if (rule.peers === undefined) return this.index.all;
    const bits = new Bitset(this.pods.length);
    for (const peer of rule.peers) bits.orInPlace(this.peerBits(peer, policyNamespace));
    return bits;
  }

  /** The pods of any namespace whose labels the selector matches, sorted by id. */
  podsMatching(selector: LabelSelector): readonly PodEndpoint[] {
    return cached(this.selectorCache, formatSelector(selector), () => this.podsOf(this.index.podSelector(selector)));
  }

  /** The pods that declare a container port of this name and protocol, as a bitset over `pods`. */
  podsDeclaring(name: string, protocol: Protocol): Bitset {
    return cached(this.declaringCache, `${name}/${protocol}`, () => {
      const bits = new Bitset(this.pods.length);
      this.pods.forEach((pod, at) => {
        if (pod.pod.ports.some((p) => p.name === name && p.protocol === protocol)) bits.add(at);
      });
      return bits;
    });
  }

  /** The position of a pod in `pods` (the bit of its bitsets). */
  positionOf(pod: PodEndpoint): number {
    return this.position.get(pod.id) ?? -1;
  }

  /** The pods of a bitset over `pods`, in order. */
  podsOf(bits: Bitset): PodEndpoint[] {
    const out: PodEndpoint[] = [];
    bits.forEach((at) => out.push(this.pods[at]));
    return out;
  }

  /** Names of the namespaces (declared or referenced) whose labels the selector matches, sorted. */
  namespacesMatching(selector: LabelSelector): readonly string[] {
    return cached(this.namespaceCache, formatSelector(selector), () => [...this.namespaceLabels.entries()]
      .filter(([, labels]) => selectorMatches(selector, labels)).map(([name]) => name).sort());
  }

  /** True when the input references namespaces it does not declare, so their labels are unknown. */
  get hasUndeclaredNamespaces(): boolean {
    const declared = new Set(this.cluster.namespaces.filter((ns) => ns.declared).map((ns) => ns.name));
    return [...this.namespaceLabels.keys()].some((name) => !declared.has(name));
  }

  /** The backends of a Service, port by port, as the endpoint controllers and kube-proxy resolve them; once per run. */
  backendsOf(service: Service): ServiceBackends {
    return cached(this.backendsCache, service.id, () => serviceBackends(this.cluster, service));
  }

  /** The endpoint of a pod identity of the input (undefined for one the input does not hold). */
  endpointOf(pod: PodIdentity): PodEndpoint | undefined {
    const at = this.position.get(pod.id);
    return at === undefined ? undefined : this.pods[at];
  }

  /** Who enforces the policies, as far as the input says (see `detectEnforcer`). */
  get enforcer(): PolicyEnforcer {
    this.enforcerCache ??= detectEnforcer(this.cluster);
    return this.enforcerCache;
  }

  /** Is the pod's egress isolated (by a policy, or by strict mode)? */
  egressIsolated(pod: PodEndpoint): boolean {
    return this.strict || this.policiesSelecting(pod).some((p) => p.policyTypes.includes('Egress'));
  }
}

function cached<V>(map: Map<string, V>, key: string, compute: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = compute();
    map.set(key, value);
  }
  return value;
}

/** The strict mode as the input declares it: the `aws-node` DaemonSet's environment. */
export function detectEnforcingMode(cluster: ClusterState): EnforcingMode {
  const awsNode = cluster.pods.find((p) => p.namespace === 'kube-system' && p.name === 'aws-node' && p.kind === 'DaemonSet');
  return awsNode && containerEnv(awsNode, ENFORCING_MODE_ENV)?.toLowerCase() === 'strict' ? 'strict' : 'standard';
}

/**
 * Who enforces the policies: the VPC CNI's network policy agent (the `aws-eks-nodeagent` container of aws-node, with
 * its version when the input holds the DaemonSet), or eks-netpol's own agent (its DaemonSet, labelled
 * `app.kubernetes.io/part-of: eks-netpol` and `app.kubernetes.io/component: node-agent`). Lint cannot see the cluster,
 * so an input without either is taken as a current VPC CNI.
 */
export type PolicyEnforcer =
  | { readonly kind: 'vpc-cni'; readonly agentVersion?: string }
  | { readonly kind: 'eks-netpol' };

/** The container of the aws-node DaemonSet that runs the VPC CNI's network policy agent. */
export const VPC_CNI_AGENT_CONTAINER = 'aws-eks-nodeagent';

/**
 * The first aws-network-policy-agent release that reliably admits the node's own address into the policies it
 * programs, so that kubelet probes pass whatever the policies say: the fix began in v1.0.4 (VPC CNI v1.15.1,
 * aws/aws-network-policy-agent#65 for #56) and was completed in v1.0.7 (#139).
 */
export const VPC_CNI_NODE_ALLOW_VERSION: readonly [number, number, number] = [1, 0, 7];

/** The enforcer as the input declares it (see PolicyEnforcer). */
export function detectEnforcer(cluster: ClusterState): PolicyEnforcer {
  const ours = cluster.pods.some((p) => p.kind === 'DaemonSet'
    && p.labels['app.kubernetes.io/part-of'] === 'eks-netpol' && p.labels['app.kubernetes.io/component'] === 'node-agent');
  if (ours) return { kind: 'eks-netpol' };
  const awsNode = cluster.pods.find((p) => p.namespace === 'kube-system' && p.name === 'aws-node' && p.kind === 'DaemonSet');
  const image = awsNode && containersOf(awsNode).find((c) => c.name === VPC_CNI_AGENT_CONTAINER)?.image;
  const version = typeof image === 'string' ? /:v?([0-9]+\.[0-9]+\.[0-9]+)/.exec(image)?.[1] : undefined;
  return version === undefined ? { kind: 'vpc-cni' } : { kind: 'vpc-cni', agentVersion: version };
}

/**
 * Does the enforcer admit the node's traffic to the pods a policy isolates? eks-netpol's agent always does; the VPC
 * CNI's agent does from v1.0.7 on (an unknown version is taken as current).
 */
export function admitsNodeToIsolatedPods(enforcer: PolicyEnforcer): boolean {
  if (enforcer.kind === 'eks-netpol' || enforcer.agentVersion === undefined) return true;
  const version = enforcer.agentVersion.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    if (version[i] !== VPC_CNI_NODE_ALLOW_VERSION[i]) return version[i] > VPC_CNI_NODE_ALLOW_VERSION[i];
  }
  return true;
}

function parseCidrOption(name: string, values: readonly string[] | undefined): Cidr[] {
  return (values ?? []).map((text) => {
    const cidr = parseCidr(text);
    if (!cidr) throw new LintOptionsError(`${name}: "${text}" is not a CIDR. Write an address and a prefix length, like "10.100.0.0/16".`);
    return cidr;
  });
}

/** The finding subject for a pod identity (its workload kind). */
export function podSubject(pod: PodIdentity): FindingSubject {
  return { kind: pod.kind, namespace: pod.namespace, name: pod.name, source: pod.source, metadata: pod.metadata };
}

export function policySubject(policy: NetworkPolicy): FindingSubject {
  return { kind: 'NetworkPolicy', namespace: policy.namespace, name: policy.name, source: policy.source, metadata: policy.metadata };
}

export function serviceSubject(service: Service): FindingSubject {
  return { kind: 'Service', namespace: service.namespace, name: service.name, source: service.source, metadata: service.metadata };
}

/** `a, b and c` for messages; lists longer than `limit` end with `and N more`. */
export function listOf(items: readonly string[], limit = 5): string {
  const shown = items.slice(0, limit);
  const rest = items.length - shown.length;
  if (rest > 0) return `${shown.join(', ')} and ${rest} more`;
  if (shown.length <= 1) return shown.join('');
  return `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]}`;
}
