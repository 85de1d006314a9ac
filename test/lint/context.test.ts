import fc from 'fast-check';
import { LintContext } from '../../lib/lint/context';
import { LabelSelector, PolicyPeer } from '../../lib/model/types';
import { peerMatches, policySelects } from '../../lib/verdict/evaluate';
import { clusterOf, deployment, namespace } from './fixtures';

const cluster = clusterOf([
  namespace('a', { team: 'x' }), namespace('b', { team: 'y' }), namespace('c'),
  deployment('a', 'web', { app: 'web', tier: 'front' }), deployment('a', 'db', { app: 'db' }),
  deployment('b', 'web', { app: 'web' }), deployment('b', 'job', { tier: 'batch' }),
  deployment('c', 'cache', { app: 'cache', tier: 'front' }),
]);

const selector: fc.Arbitrary<LabelSelector> = fc.record({
  matchLabels: fc.option(fc.dictionary(fc.constantFrom('app', 'tier', 'team', 'kubernetes.io/metadata.name'), fc.constantFrom('web', 'db', 'front', 'x', 'y', 'a', 'c')), { nil: undefined }),
  matchExpressions: fc.option(fc.array(fc.oneof(
    fc.record({ key: fc.constantFrom('app', 'tier', 'team'), operator: fc.constantFrom('In' as const, 'NotIn' as const), values: fc.array(fc.constantFrom('web', 'db', 'front', 'x'), { minLength: 1, maxLength: 2 }) }),
    fc.record({ key: fc.constantFrom('app', 'tier', 'team'), operator: fc.constantFrom('Exists' as const, 'DoesNotExist' as const) }),
  ), { maxLength: 2 }), { nil: undefined }),
}, { requiredKeys: [] });

const peer: fc.Arbitrary<PolicyPeer> = fc.oneof(
  fc.record({ podSelector: selector }),
  fc.record({ namespaceSelector: selector }),
  fc.record({ podSelector: selector, namespaceSelector: selector }),
);

test('the lint context matches peers exactly as the engine\'s peerMatches does', () => {
  const context = LintContext.create(cluster);
  fc.assert(fc.property(peer, fc.constantFrom('a', 'b', 'c'), (p, ns) => {
    const fromIndex = context.peerPods(p, ns).map((e) => e.id);
    const fromEngine = context.pods.filter((e) => peerMatches(p, ns, e)).map((e) => e.id);
    expect(fromIndex).toEqual(fromEngine);
  }), { numRuns: 300 });
});

test('the lint context selects pods exactly as the engine\'s policySelects does', () => {
  fc.assert(fc.property(selector, fc.constantFrom('a', 'b', 'c'), (podSelector, ns) => {
    const policy = { id: `${ns}/p`, namespace: ns, name: 'p', podSelector, policyTypes: ['Ingress' as const], ingress: [], egress: [] };
    const context = LintContext.create({ ...cluster, policies: [policy] });
    expect(context.selectedBy(policy).map((e) => e.id)).toEqual(context.pods.filter((e) => policySelects(policy, e)).map((e) => e.id));
  }), { numRuns: 200 });
});
