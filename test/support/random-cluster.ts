/**
 * Random clusters for property tests, as model objects: small vocabularies of namespaces, labels, ports and
 * addresses, so that random selectors, ipBlocks and named ports often match something.
 */
import fc from 'fast-check';
import { parseCidr } from '../../lib/model/cidr';
import {
  ClusterState, LabelSelector, Namespace, NetworkPolicy, PodIdentity, PolicyPeer, PolicyPort, PolicyRule, Protocol,
} from '../../lib/model/types';

// Small vocabularies so that random selectors often match something.
export const NAMESPACES = ['x', 'y', 'z'];
const LABEL_KEYS = ['app', 'tier'];
const LABEL_VALUES = ['a', 'b', 'c'];
const PORT_NAMES = ['http', 'metrics'];
export const PROTOCOLS: Protocol[] = ['TCP', 'UDP'];

const labels = fc.dictionary(fc.constantFrom(...LABEL_KEYS), fc.constantFrom(...LABEL_VALUES), { maxKeys: 2 });

const selector: fc.Arbitrary<LabelSelector> = fc.record({
  matchLabels: fc.option(labels, { nil: undefined }),
  matchExpressions: fc.option(fc.array(fc.oneof(
    fc.record({ key: fc.constantFrom(...LABEL_KEYS), operator: fc.constantFrom('In' as const, 'NotIn' as const), values: fc.array(fc.constantFrom(...LABEL_VALUES), { minLength: 1, maxLength: 2 }) }),
    fc.record({ key: fc.constantFrom(...LABEL_KEYS, 'ns'), operator: fc.constantFrom('Exists' as const, 'DoesNotExist' as const) }),
  ), { maxLength: 2 }), { nil: undefined }),
}, { requiredKeys: [] });

const ipBlock = fc.record({
  octet: fc.integer({ min: 0, max: 3 }),
  prefix: fc.constantFrom(24, 26, 30, 32),
  hole: fc.option(fc.integer({ min: 0, max: 15 }), { nil: undefined }),
}).map(({ octet, prefix, hole }) => ({
  cidr: parseCidr(`10.0.${octet}.0/${prefix}`)!,
  except: hole === undefined || prefix > 28 ? [] : [parseCidr(`10.0.${octet}.${hole}/32`)!],
}));

const peer: fc.Arbitrary<PolicyPeer> = fc.oneof(
  fc.record({ podSelector: selector }),
  fc.record({ namespaceSelector: selector }),
  fc.record({ podSelector: selector, namespaceSelector: selector }),
  fc.record({ ipBlock }),
);

const policyPort: fc.Arbitrary<PolicyPort> = fc.oneof(
  fc.record({ protocol: fc.constantFrom(...PROTOCOLS), port: fc.constantFrom(80, 81, 8080) }),
  fc.record({ protocol: fc.constantFrom(...PROTOCOLS), port: fc.constant(80), endPort: fc.constantFrom(81, 9000) }),
  fc.record({ protocol: fc.constantFrom(...PROTOCOLS), port: fc.constantFrom(...PORT_NAMES) }),
  fc.record({ protocol: fc.constantFrom(...PROTOCOLS) }),
);

export const randomRule: fc.Arbitrary<PolicyRule> = fc.record({
  peers: fc.option(fc.array(peer, { minLength: 1, maxLength: 2 }), { nil: undefined }),
  ports: fc.option(fc.array(policyPort, { minLength: 1, maxLength: 2 }), { nil: undefined }),
}, { requiredKeys: [] });

/** Pod identities (bare Pods and Deployments) in the namespaces x, y, z, some with an IP in 10.0.0.0/22. */
export const randomPods: fc.Arbitrary<PodIdentity[]> = fc.array(fc.record({
  namespace: fc.constantFrom(...NAMESPACES),
  labels,
  ports: fc.array(fc.record({ name: fc.constantFrom(...PORT_NAMES), port: fc.constantFrom(80, 81, 8080), protocol: fc.constantFrom(...PROTOCOLS) }), { maxLength: 2 }),
  withIp: fc.boolean(),
  kind: fc.constantFrom('Pod' as const, 'Deployment' as const),
}), { minLength: 1, maxLength: 8 }).map((pods) => pods.map((p, i): PodIdentity => ({
  id: `${p.namespace}/pod${i}`, namespace: p.namespace, name: `pod${i}`, kind: p.kind, labels: p.labels,
  ports: p.ports, ips: p.withIp ? [`10.0.${i % 4}.${i}`] : [],
})));

/** Up to five policies over the same vocabularies. */
export const randomPolicies: fc.Arbitrary<NetworkPolicy[]> = fc.array(fc.record({
  namespace: fc.constantFrom(...NAMESPACES),
  podSelector: selector,
  types: fc.constantFrom(['Ingress'] as const, ['Egress'] as const, ['Ingress', 'Egress'] as const),
  ingress: fc.array(randomRule, { maxLength: 2 }),
  egress: fc.array(randomRule, { maxLength: 2 }),
}), { maxLength: 5 }).map((policies) => policies.map((p, i): NetworkPolicy => ({
  id: `${p.namespace}/np${i}`, namespace: p.namespace, name: `np${i}`, podSelector: p.podSelector,
  policyTypes: p.types, ingress: p.ingress, egress: p.egress,
})));

/** The namespaces x, y, z with labels that namespace selectors can tell apart. */
export const NAMESPACE_OBJECTS: Namespace[] = NAMESPACES.map((name, i): Namespace => ({
  name,
  labels: i === 0 ? { 'kubernetes.io/metadata.name': name, app: 'a' } : { 'kubernetes.io/metadata.name': name, tier: 'b' },
  declared: true,
}));

export const randomCluster: fc.Arbitrary<ClusterState> = fc.record({ pods: randomPods, policies: randomPolicies })
  .map(({ pods, policies }) => ({ namespaces: NAMESPACE_OBJECTS, pods, policies, services: [], nodes: [], endpointSlices: [] }));
