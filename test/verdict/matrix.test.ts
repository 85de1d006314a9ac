import fc from 'fast-check';
import { parseCidr } from '../../lib/model/cidr';
import {
  ClusterState, LabelSelector, NetworkPolicy, PodIdentity, PolicyPeer, PolicyPort, PolicyRule, Protocol,
} from '../../lib/model/types';
import { Reachability } from '../../lib/verdict/reachability';

// Small vocabularies so that random selectors often match something.
const NAMESPACES = ['x', 'y', 'z'];
const LABEL_KEYS = ['app', 'tier'];
const LABEL_VALUES = ['a', 'b', 'c'];
const PORT_NAMES = ['http', 'metrics'];
const PROTOCOLS: Protocol[] = ['TCP', 'UDP'];

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

const rule: fc.Arbitrary<PolicyRule> = fc.record({
  peers: fc.option(fc.array(peer, { minLength: 1, maxLength: 2 }), { nil: undefined }),
  ports: fc.option(fc.array(policyPort, { minLength: 1, maxLength: 2 }), { nil: undefined }),
}, { requiredKeys: [] });

const cluster: fc.Arbitrary<ClusterState> = fc.record({
  pods: fc.array(fc.record({
    namespace: fc.constantFrom(...NAMESPACES),
    labels,
    ports: fc.array(fc.record({ name: fc.constantFrom(...PORT_NAMES), port: fc.constantFrom(80, 81, 8080), protocol: fc.constantFrom(...PROTOCOLS) }), { maxLength: 2 }),
    withIp: fc.boolean(),
  }), { minLength: 1, maxLength: 8 }),
  policies: fc.array(fc.record({
    namespace: fc.constantFrom(...NAMESPACES),
    podSelector: selector,
    types: fc.constantFrom(['Ingress'] as const, ['Egress'] as const, ['Ingress', 'Egress'] as const),
    ingress: fc.array(rule, { maxLength: 2 }),
    egress: fc.array(rule, { maxLength: 2 }),
  }), { maxLength: 5 }),
}).map(({ pods, policies }) => ({
  namespaces: NAMESPACES.map((name, i) => ({ name, labels: i === 0 ? { 'kubernetes.io/metadata.name': name, app: 'a' } : { 'kubernetes.io/metadata.name': name, tier: 'b' }, declared: true })),
  pods: pods.map((p, i): PodIdentity => ({
    id: `${p.namespace}/pod${i}`, namespace: p.namespace, name: `pod${i}`, kind: 'Pod', labels: p.labels,
    ports: p.ports, ips: p.withIp ? [`10.0.${i % 4}.${i}`] : [],
  })),
  policies: policies.map((p, i): NetworkPolicy => ({
    id: `${p.namespace}/np${i}`, namespace: p.namespace, name: `np${i}`, podSelector: p.podSelector,
    policyTypes: p.types, ingress: p.ingress, egress: p.egress,
  })),
  services: [],
}));

describe('the matrix engine', () => {
  test('gives the same verdict as the pair-by-pair reference for every probe, ports declared or queried', () => {
    fc.assert(fc.property(cluster, fc.boolean(), (state, queried) => {
      const reach = new Reachability(state);
      const external = '10.0.1.7';
      const named = state.pods.some((p) => p.ports.some((port) => port.name === 'http')) ? [{ port: 'http' }] : [];
      const ports = queried ? [{ port: 80 }, ...named, { port: 81, protocol: 'UDP' as const }] : undefined;
      const from = [...reach.podIds, external];
      const to = queried ? [...reach.podIds, external] : reach.podIds;
      let probes = 0;
      let allowed = 0;
      const result = reach.probe({ from, to, ports });
      for (const verdict of result.verdicts()) {
        probes++;
        const reference = reach.check(verdict.from, verdict.to, verdict.port, verdict.protocol);
        expect(verdict.allowed).toBe(reference.allowed);
        if (reference.allowed) allowed++;
      }
      expect(result.summary).toEqual({ probes, allowed, denied: probes - allowed });
      for (const grid of result.grids()) {
        grid.allowed.forEach((row, i) => row.forEach((cell, j) => {
          if (cell !== undefined) expect(cell).toBe(reach.check(grid.from[i], grid.to[j], grid.port, grid.protocol).allowed);
        }));
      }
    }), { seed: 20261128, numRuns: 300 });
  });
});
