/**
 * fast-check generators of random valid cluster states, built directly as model objects (lib/model/types.ts):
 * namespaces with labels, pods with labels, named and unnamed container ports and IPv4/IPv6 addresses, and policies
 * mixing pod and namespace selectors (matchLabels and all four matchExpressions operators), ipBlocks with excepts,
 * numeric, named and protocol-only ports, and endPort ranges. Vocabularies are small on purpose, so selectors often
 * match and named ports often resolve.
 */
import fc from 'fast-check';
import { cidrCovers, parseCidr } from '../../lib/model/cidr';
import {
  Cidr, ClusterState, ContainerPort, IpBlock, LabelSelector, LabelSelectorRequirement, Labels, NAMESPACE_NAME_LABEL, Namespace,
  NetworkPolicy, PodIdentity, PolicyPeer, PolicyPort, PolicyRule, PolicyType, Protocol, PROTOCOLS, WorkloadKind,
} from '../../lib/model/types';

export const NAMESPACE_NAMES = ['alpha', 'beta', 'gamma'] as const;
const POD_KEYS = ['app', 'tier'];
/** The label a generated workload's selector selects it by. */
export const WORKLOAD_LABEL = 'workload';
const POD_VALUES = ['web', 'api', 'db'];
const NAMESPACE_KEYS = ['team', 'env'];
const NAMESPACE_VALUES = ['red', 'blue'];

/** Container ports pods pick from: `http` is 80 on some pods and 8080 on others, so names resolve per destination. */
const CONTAINER_PORTS: readonly ContainerPort[] = [
  { name: 'http', port: 80, protocol: 'TCP' },
  { name: 'http', port: 8080, protocol: 'TCP' },
  { name: 'dns', port: 53, protocol: 'UDP' },
  { name: 'dns-tcp', port: 53, protocol: 'TCP' },
  { name: 'metrics', port: 9090, protocol: 'TCP' },
  { name: 'assoc', port: 7777, protocol: 'SCTP' },
  { port: 443, protocol: 'TCP' },
];
const PORT_NUMBERS = [53, 80, 443, 7777, 8080, 9090];
const PORT_NAMES = ['http', 'dns', 'dns-tcp', 'metrics', 'assoc', 'absent'];

/** Addresses ipBlocks are built around; pod IPs are 10.<namespace>.0.<n> and fd00::<namespace>:<n>. */
const BLOCK_BASES = ['10.0.0.1', '10.1.0.2', '10.2.0.3', '10.0.0.0', '192.0.2.1', '0.0.0.0', 'fd00::1:1', 'fd00::', '2001:db8::1'];

/** Cluster-external endpoints probes use: inside and outside the blocks above. */
export const EXTERNAL_ADDRESSES = ['192.0.2.1', '10.0.0.99', '203.0.113.5', 'fd00::9:9'];

/** Ports probed explicitly on every pair. */
export const NUMERIC_PROBES: readonly { port: number; protocol: Protocol }[] = [
  { port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }, { port: 80, protocol: 'TCP' }, { port: 443, protocol: 'TCP' },
  { port: 7777, protocol: 'SCTP' }, { port: 8080, protocol: 'TCP' }, { port: 8081, protocol: 'UDP' },
];

function labels(keys: readonly string[], values: readonly string[]): fc.Arbitrary<Labels> {
  // Optional keys are left out, never set to undefined, so the record is a plain label map.
  return fc.record(Object.fromEntries(keys.map((k) => [k, fc.constantFrom(...values)])), { requiredKeys: [] }) as fc.Arbitrary<Labels>;
}

function requirement(keys: readonly string[], values: readonly string[]): fc.Arbitrary<LabelSelectorRequirement> {
  const key = fc.constantFrom(...keys);
  return fc.oneof(
    fc.record({ key, operator: fc.constantFrom('In' as const, 'NotIn' as const), values: fc.uniqueArray(fc.constantFrom(...values), { minLength: 1, maxLength: 2 }) }),
    fc.record({ key, operator: fc.constantFrom('Exists' as const, 'DoesNotExist' as const) }),
  );
}

function selector(keys: readonly string[], values: readonly string[]): fc.Arbitrary<LabelSelector> {
  return fc.record({
    matchLabels: labels(keys, values),
    matchExpressions: fc.array(requirement(keys, values), { maxLength: 2 }),
  }, { requiredKeys: [] });
}

const podSelector = selector(POD_KEYS, POD_VALUES);
// Namespace selectors also name namespaces by their automatic label.
const namespaceSelector = fc.oneof(
  selector(NAMESPACE_KEYS, NAMESPACE_VALUES),
  selector([NAMESPACE_NAME_LABEL], [...NAMESPACE_NAMES]),
);

function cidr(base: string, prefix: number): Cidr {
  const family = base.includes(':') ? 128 : 32;
  return parseCidr(`${base}/${Math.min(prefix, family)}`)!;
}

/** A block and up to two strictly smaller blocks inside it, as the API requires of `except`. */
const ipBlock: fc.Arbitrary<IpBlock> = fc.record({
  base: fc.constantFrom(...BLOCK_BASES),
  prefix: fc.constantFrom(0, 8, 16, 24, 30, 32, 64, 112),
  holes: fc.array(fc.record({ base: fc.constantFrom(...BLOCK_BASES), prefix: fc.constantFrom(8, 16, 24, 31, 32, 96, 128) }), { maxLength: 2 }),
}).map(({ base, prefix, holes }) => {
  const block = cidr(base, prefix);
  const except = holes.map((h) => cidr(h.base, h.prefix))
    .filter((hole) => cidrCovers(block, hole) && hole.prefixLength > block.prefixLength);
  return { cidr: block, except: except.filter((hole, i) => except.findIndex((o) => o.text === hole.text) === i) };
});

export const peer: fc.Arbitrary<PolicyPeer> = fc.oneof(
  fc.record({ podSelector }),
  fc.record({ namespaceSelector }),
  fc.record({ podSelector, namespaceSelector }),
  fc.record({ ipBlock }),
);

const protocol = fc.constantFrom(...PROTOCOLS);
export const policyPort: fc.Arbitrary<PolicyPort> = fc.oneof(
  fc.record({ protocol }),
  fc.record({ protocol, port: fc.constantFrom(...PORT_NUMBERS) }),
  fc.record({ protocol, port: fc.constantFrom(...PORT_NUMBERS), span: fc.integer({ min: 0, max: 9000 }) })
    .map(({ protocol: p, port, span }) => ({ protocol: p, port, endPort: Math.min(65535, port + span) })),
  fc.record({ protocol, port: fc.constantFrom(...PORT_NAMES) }),
);

/** One rule; absent peers or ports mean every peer or every port (the model folds empty lists into absence). */
export const rule: fc.Arbitrary<PolicyRule> = fc.record({
  peers: fc.array(peer, { minLength: 1, maxLength: 3 }),
  ports: fc.array(policyPort, { minLength: 1, maxLength: 3 }),
}, { requiredKeys: [] });

const policyTypes = fc.constantFrom<PolicyType[]>(['Ingress'], ['Egress'], ['Ingress', 'Egress']);

/** A policy body, placed in a namespace and named by `policyIn`. */
export interface PolicyDraft {
  readonly namespace: number;
  readonly podSelector: LabelSelector;
  readonly policyTypes: readonly PolicyType[];
  readonly ingress: readonly PolicyRule[];
  readonly egress: readonly PolicyRule[];
}

export const policyDraft: fc.Arbitrary<PolicyDraft> = fc.record({
  namespace: fc.nat({ max: NAMESPACE_NAMES.length - 1 }),
  // Often the whole namespace, as real default-deny policies do; otherwise random selectors often select nothing.
  podSelector: fc.oneof({ arbitrary: fc.constant({}), weight: 1 }, { arbitrary: podSelector, weight: 2 }),
  policyTypes,
  ingress: fc.array(rule, { maxLength: 3 }),
  egress: fc.array(rule, { maxLength: 3 }),
});

export function policyIn(draft: PolicyDraft, namespaces: readonly Namespace[], name: string): NetworkPolicy {
  const namespace = namespaces[draft.namespace % namespaces.length].name;
  return {
    id: `${namespace}/${name}`, namespace, name,
    podSelector: draft.podSelector, policyTypes: draft.policyTypes, ingress: draft.ingress, egress: draft.egress,
  };
}

interface PodDraft {
  readonly kind: WorkloadKind;
  readonly namespace: number;
  readonly labels: Labels;
  readonly ports: ContainerPort[];
  readonly addresses: 'v4' | 'v6' | 'dual' | 'none';
}

const WORKLOAD_KINDS: readonly WorkloadKind[] = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob'];

const podDraft: fc.Arbitrary<PodDraft> = fc.record({
  // Mostly bare Pods (the only identities with IPs); workloads make self-probes replica traffic.
  kind: fc.oneof({ arbitrary: fc.constant<WorkloadKind>('Pod'), weight: 3 }, { arbitrary: fc.constantFrom(...WORKLOAD_KINDS), weight: 1 }),
  namespace: fc.nat({ max: NAMESPACE_NAMES.length - 1 }),
  labels: labels(POD_KEYS, POD_VALUES),
  // Container port names are unique within a pod, as the API requires.
  ports: fc.uniqueArray(fc.constantFrom(...CONTAINER_PORTS), { maxLength: 3, selector: (p) => p.name ?? `#${p.port}` }),
  addresses: fc.constantFrom('v4' as const, 'v6' as const, 'dual' as const, 'none' as const),
});

/** How large random clusters get. */
export interface ClusterSize {
  readonly minPods: number;
  readonly maxPods: number;
  readonly maxPolicies: number;
}

/** A random valid cluster state of the given size. */
export function clusterStateOf(size: ClusterSize): fc.Arbitrary<ClusterState> {
  return fc.record({
    namespaceCount: fc.integer({ min: 1, max: NAMESPACE_NAMES.length }),
    namespaceLabels: fc.array(labels(NAMESPACE_KEYS, NAMESPACE_VALUES), { minLength: NAMESPACE_NAMES.length, maxLength: NAMESPACE_NAMES.length }),
    pods: fc.array(podDraft, { minLength: size.minPods, maxLength: size.maxPods }),
    policies: fc.array(policyDraft, { maxLength: size.maxPolicies }),
  }).map(({ namespaceCount, namespaceLabels, pods, policies }) => assemble(namespaceCount, namespaceLabels, pods, policies));
}

/** A small random valid cluster: few enough pods to probe every pair on every port many times over. */
export const clusterState = clusterStateOf({ minPods: 1, maxPods: 7, maxPolicies: 5 });

function assemble(namespaceCount: number, namespaceLabels: Labels[], pods: PodDraft[], policies: PolicyDraft[]): ClusterState {
  const namespaces: Namespace[] = NAMESPACE_NAMES.slice(0, namespaceCount).map((name, i) => ({
    name, labels: { ...namespaceLabels[i], [NAMESPACE_NAME_LABEL]: name }, declared: true,
  }));
  const podIdentities: PodIdentity[] = pods.map((draft, i) => {
    const nsIndex = draft.namespace % namespaceCount;
    const namespace = namespaces[nsIndex].name;
    const v4 = `10.${nsIndex}.0.${i + 1}`;
    const v6 = `fd00::${nsIndex}:${i + 1}`;
    const name = `p${i}`;
    if (draft.kind !== 'Pod') {
      // A workload's replicas have no IPs before deploy; its selector needs a label of its own (outside the
      // selector vocabulary, so it changes no verdict).
      return { id: `${namespace}/${name}`, namespace, name, kind: draft.kind, labels: { ...draft.labels, [WORKLOAD_LABEL]: name }, ports: draft.ports, ips: [] };
    }
    const ips = { v4: [v4], v6: [v6], dual: [v4, v6], none: [] }[draft.addresses];
    return { id: `${namespace}/${name}`, namespace, name, kind: 'Pod', labels: draft.labels, ports: draft.ports, ips };
  });
  return {
    namespaces,
    pods: podIdentities,
    policies: policies.map((draft, i) => policyIn(draft, namespaces, `pol${i}`)),
    services: [],
    nodes: [],
    endpointSlices: [],
  };
}
