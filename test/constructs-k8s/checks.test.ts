import { Chart, Testing } from 'cdk8s';
import { AppWithPolicy, ClusterDns, configurePolicyChecks, Peer, policyWarnings, Port } from '../../constructs/k8s';

function app(): { chart: Chart; api: AppWithPolicy } {
  const chart = new Chart(Testing.app(), 'c', { namespace: 'shop' });
  const api = new AppWithPolicy(chart, 'api', { image: 'api:1', dns: ClusterDns.none() });
  api.allowTo(Peer.ipBlock('203.0.113.0/24'), Port.tcp(443));
  return { chart, api };
}

describe('lint at synth', () => {
  test('runs by default and warns, naming the construct path and the rule', () => {
    const { chart } = app();
    const printed: string[] = [];
    configurePolicyChecks(chart, { warn: (m) => printed.push(m) });
    expect(() => Testing.synth(chart)).not.toThrow();
    expect(printed.some((m) => m.startsWith('c/api: [dns-egress-blocked] shop/api cannot resolve names'))).toBe(true);
    expect(policyWarnings(chart)).toEqual(printed);
  });

  test('fails synthesis on lint errors when asked', () => {
    const { chart } = app();
    configurePolicyChecks(chart, { level: 'error', warn: () => undefined });
    expect(() => Testing.synth(chart)).toThrow(/\[c\/api\] \[dns-egress-blocked\] shop\/api cannot resolve names.*Fix: /);
  });

  test('can be switched off, or given options and extra checks', () => {
    const { chart } = app();
    configurePolicyChecks(chart, { level: 'off', warn: () => undefined });
    expect(policyWarnings(chart)).toEqual([]);

    const other = app();
    configurePolicyChecks(other.chart, {
      lint: { disable: ['dns-egress-blocked'] },
      checks: [(objects) => [{ object: 'Deployment/shop/api', severity: 'warning', message: `saw ${objects.length} objects` }]],
      warn: () => undefined,
    });
    // The Deployment and the two policies (no ports, so no Service).
    expect(policyWarnings(other.chart)).toEqual(['c/api: saw 3 objects']);
  });
});
