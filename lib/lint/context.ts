/**
 * What every rule shares: the cluster seen through the engine (pod endpoints with their namespace labels, which
 * policies select which pods), the options resolved against the input (strict mode, NodeLocal DNSCache), and
 * reachability probes that honour the enforcing mode. Rules ask the engine rather than re-deriving semantics, so
 * that lint and `reach` never disagree.
 */
import { parseCidr } from '../model/cidr';
import { selectorMatches } from '../model/selector';
import { Cidr, ClusterState, LabelSelector, Labels, NetworkPolicy, PodIdentity, Protocol, Service } from '../model/types';
import { Endpoint, namespaceLabelsOf, PodEndpoint, podEndpoint } from '../verdict/endpoint';
import { evaluateProbe, policySelects, Verdict } from '../verdict/evaluate';
import { compareIds } from '../verdict/reachability';
import { containerEnv } from './pod-spec';
import { EnforcingMode, FindingSubject, LintOptions, LintOptionsError } from './types';

/** The environment variable of the `aws-node` container that selects the enforcing mode. */
export const ENFORCING_MODE_ENV = 'NETWORK_POLICY_ENFORCING_MODE';

/** A probe's outcome under the enforcing mode, with the engine's reasons. */
export interface Reach {
  readonly allowed: boolean;
  readonly egressAllowed: boolean;
  readonly ingressAllowed: boolean;
  readonly verdict: Verdict;
}

/** The shared view of one lint run. Build it with `LintContext.create`. */
export class LintContext {
  readonly pods: readonly PodEndpoint[];
  readonly enforcingMode: EnforcingMode;
  readonly podCidrs: readonly Cidr[];
  readonly serviceCidrs: readonly Cidr[];
  /** Namespace labels by name, undeclared but referenced namespaces included (automatic label only). */
  readonly namespaceLabels: ReadonlyMap<string, Labels>;
  private readonly selectedCache = new Map<string, PodEndpoint[]>();
  private readonly podsByNamespace = new Map<string, PodEndpoint[]>();

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

  /** Policies sorted by id, for deterministic reports. */
  get policies(): NetworkPolicy[] {
    return [...this.cluster.policies].sort((a, b) => compareIds(a.id, b.id));
  }

  get services(): Service[] {
    return [...this.cluster.services].sort((a, b) => compareIds(a.id, b.id));
  }

  /** The pod endpoints of a namespace. */
  podsIn(namespace: string): readonly PodEndpoint[] {
    return this.podsByNamespace.get(namespace) ?? [];
  }

  /** The pods the policy selects, as the engine decides it. */
  selectedBy(policy: NetworkPolicy): readonly PodEndpoint[] {
    let selected = this.selectedCache.get(policy.id);
    if (!selected) {
      selected = this.podsIn(policy.namespace).filter((pod) => policySelects(policy, pod));
      this.selectedCache.set(policy.id, selected);
    }
    return selected;
  }

  /** The policies that select the pod (in either direction). */
  policiesSelecting(pod: PodEndpoint): NetworkPolicy[] {
    return this.policies.filter((policy) => this.selectedBy(policy).includes(pod));
  }

  /** Names of the namespaces (declared or referenced) whose labels the selector matches, sorted. */
  namespacesMatching(selector: LabelSelector): string[] {
    return [...this.namespaceLabels.entries()].filter(([, labels]) => selectorMatches(selector, labels))
      .map(([name]) => name).sort();
  }

  /** True when the input references namespaces it does not declare, so their labels are unknown. */
  get hasUndeclaredNamespaces(): boolean {
    return this.cluster.namespaces.some((ns) => !ns.declared)
      || [...this.namespaceLabels.keys()].some((name) => !this.cluster.namespaces.some((ns) => ns.name === name));
  }

  /**
   * One probe through the engine, with the enforcing mode applied: in strict mode every pod is isolated in both
   * directions, so a direction is allowed only when some rule admits it. `strictIngress: false` skips that for
   * destinations the input does not hold (a synthetic kube-dns), whose policies we cannot see.
   */
  reach(from: Endpoint, to: Endpoint, port: number, protocol: Protocol, strictIngress = true): Reach {
    const verdict = evaluateProbe(this.cluster.policies, from, to, port, protocol);
    const strictFor = (endpoint: Endpoint, applies: boolean) => this.strict && applies && endpoint.kind === 'pod';
    const egressAllowed = strictFor(from, true) ? verdict.egress.allowedBy.length > 0 : verdict.egress.allowed;
    const ingressAllowed = strictFor(to, strictIngress) ? verdict.ingress.allowedBy.length > 0 : verdict.ingress.allowed;
    return { allowed: verdict.self || (egressAllowed && ingressAllowed), egressAllowed, ingressAllowed, verdict };
  }

  /** Is the pod's egress isolated (by a policy, or by strict mode)? */
  egressIsolated(pod: PodEndpoint): boolean {
    return this.strict || this.policies.some((p) => p.policyTypes.includes('Egress') && this.selectedBy(p).includes(pod));
  }

  /** Is the pod's ingress isolated (by a policy, or by strict mode)? */
  ingressIsolated(pod: PodEndpoint): boolean {
    return this.strict || this.policies.some((p) => p.policyTypes.includes('Ingress') && this.selectedBy(p).includes(pod));
  }
}

/** The strict mode as the input declares it: the `aws-node` DaemonSet's environment. */
export function detectEnforcingMode(cluster: ClusterState): EnforcingMode {
  const awsNode = cluster.pods.find((p) => p.namespace === 'kube-system' && p.name === 'aws-node' && p.kind === 'DaemonSet');
  return awsNode && containerEnv(awsNode, ENFORCING_MODE_ENV)?.toLowerCase() === 'strict' ? 'strict' : 'standard';
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
