/**
 * The examples of the Kubernetes NetworkPolicy concept page (kubernetes.io, concepts/services-networking/
 * network-policies), each with explicit expectations, on a small cluster of our own: namespace `default` (db,
 * frontend, cache), namespace `myproject` (labelled project=myproject), namespace `other`, and a few addresses outside
 * the cluster.
 */
import { Protocol } from '../../lib/model/types';
import { Reachability } from '../../lib/verdict/reachability';
import { KubeObject, networkPolicy } from './e2e-model';
import { clusterOf } from './load';
import { observe, TruthTable } from './truth-table';

const POD_IPS: Record<string, string> = {
  'default/db': '192.168.0.10',
  'default/frontend': '192.168.0.11',
  'default/cache': '192.168.0.12',
  'myproject/client': '192.168.1.10',
  'other/frontend': '192.168.2.10',
  // Inside the example's egress ipBlock 10.0.0.0/24: ipBlocks match pod IPs too.
  'other/backend': '10.0.0.20',
};
const POD_LABELS: Record<string, Record<string, string>> = {
  'default/db': { role: 'db' },
  'default/frontend': { role: 'frontend' },
  'default/cache': { role: 'cache' },
  'myproject/client': { role: 'client' },
  'other/frontend': { role: 'frontend' },
  'other/backend': { role: 'backend' },
};
const PODS = Object.keys(POD_IPS);

function cluster(...policies: KubeObject[]): Reachability {
  const namespaces = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'myproject', labels: { project: 'myproject' } } },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'other', labels: { user: 'alice' } } },
  ];
  const pods = PODS.map((id) => {
    const [namespace, name] = id.split('/');
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace, labels: POD_LABELS[id] },
      spec: { containers: [{ name: 'main', image: 'example', ports: [{ name: 'redis', containerPort: 6379 }, { name: 'http', containerPort: 80 }] }] },
      status: { podIP: POD_IPS[id] },
    };
  });
  return new Reachability(clusterOf([...namespaces, ...pods, ...policies]));
}

type Expectation = readonly [from: string, to: string, port: number, protocol: Protocol, allowed: boolean];

function expectVerdicts(reach: Reachability, expectations: readonly Expectation[]): void {
  const observed = expectations.map(([from, to, port, protocol]) => [from, to, port, protocol, reach.isAllowed(from, to, port, protocol)]);
  expect(observed).toEqual(expectations);
}

/** Every ordered pair of pods on 80/TCP: all allowed, then narrowed. */
function expectGrid(reach: Reachability, narrow: (t: TruthTable) => TruthTable): void {
  const { matrix, pairwise } = observe(reach, PODS, { port: 80, protocol: 'TCP' });
  const expected = narrow(new TruthTable(PODS)).render();
  expect(matrix.render()).toBe(expected);
  expect(pairwise.render()).toBe(expected);
}

const testNetworkPolicy = networkPolicy('default', 'test-network-policy', {
  podSelector: { matchLabels: { role: 'db' } },
  policyTypes: ['Ingress', 'Egress'],
  ingress: [{
    from: [
      { ipBlock: { cidr: '172.17.0.0/16', except: ['172.17.1.0/24'] } },
      { namespaceSelector: { matchLabels: { project: 'myproject' } } },
      { podSelector: { matchLabels: { role: 'frontend' } } },
    ],
    ports: [{ protocol: 'TCP', port: 6379 }],
  }],
  egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/24' } }], ports: [{ protocol: 'TCP', port: 5978 }] }],
});

describe('the concept page example test-network-policy', () => {
  const reach = cluster(testNetworkPolicy);

  test('admits ingress to role=db on 6379/TCP from the ipBlock, the namespace and the pods it lists, and nothing else', () => {
    expectVerdicts(reach, [
      ['default/frontend', 'default/db', 6379, 'TCP', true],
      ['myproject/client', 'default/db', 6379, 'TCP', true],
      ['172.17.0.5', 'default/db', 6379, 'TCP', true],
      ['172.17.1.5', 'default/db', 6379, 'TCP', false],
      ['203.0.113.9', 'default/db', 6379, 'TCP', false],
      ['default/cache', 'default/db', 6379, 'TCP', false],
      // A podSelector alone selects pods of the policy's own namespace only.
      ['other/frontend', 'default/db', 6379, 'TCP', false],
      ['default/frontend', 'default/db', 6380, 'TCP', false],
      ['default/frontend', 'default/db', 6379, 'UDP', false],
      ['default/frontend', 'default/db', 80, 'TCP', false],
    ]);
  });

  test('admits egress from role=db only to 10.0.0.0/24 on 5978/TCP, pod IPs in that block included', () => {
    expectVerdicts(reach, [
      ['default/db', '10.0.0.7', 5978, 'TCP', true],
      ['default/db', '10.0.0.7', 80, 'TCP', false],
      ['default/db', '10.0.1.7', 5978, 'TCP', false],
      ['default/db', 'other/backend', 5978, 'TCP', true],
      ['default/db', 'default/frontend', 5978, 'TCP', false],
    ]);
  });

  test('leaves pods it does not select unisolated', () => {
    expectGrid(reach, (t) => t.ingressTo('default/db', false).egressFrom('default/db', false));
    expectVerdicts(reach, [
      ['default/frontend', 'default/cache', 6379, 'TCP', true],
      ['203.0.113.9', 'default/cache', 80, 'TCP', true],
      ['default/cache', '203.0.113.9', 443, 'TCP', true],
    ]);
  });

  test('explains an admitted probe by the policy and rule that admit it', () => {
    const verdict = reach.check('default/frontend', 'default/db', 6379, 'TCP');
    expect(verdict.allowed).toBe(true);
    expect(verdict.ingress).toMatchObject({ isolated: true, isolatedBy: ['default/test-network-policy'], allowedBy: ['default/test-network-policy'] });
    expect(verdict.ingress.rules).toEqual(['default/test-network-policy ingress[0]']);
    expect(verdict.egress).toMatchObject({ isolated: false, allowedBy: [] });
  });
});

describe('the concept page default policies', () => {
  const defaultDenyIngress = networkPolicy('default', 'default-deny-ingress', { podSelector: {}, policyTypes: ['Ingress'] });
  const allowAllIngress = networkPolicy('default', 'allow-all-ingress', { podSelector: {}, ingress: [{}], policyTypes: ['Ingress'] });
  const defaultDenyEgress = networkPolicy('default', 'default-deny-egress', { podSelector: {}, policyTypes: ['Egress'] });
  const allowAllEgress = networkPolicy('default', 'allow-all-egress', { podSelector: {}, egress: [{}], policyTypes: ['Egress'] });
  const defaultDenyAll = networkPolicy('default', 'default-deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
  const intoDefault = (t: TruthTable) => t.peers({}, { namespace: 'default' }, false);
  const outOfDefault = (t: TruthTable) => t.peers({ namespace: 'default' }, {}, false);

  test('default-deny-ingress isolates every pod of its namespace for ingress, from inside and outside the cluster', () => {
    const reach = cluster(defaultDenyIngress);
    expectGrid(reach, intoDefault);
    expectVerdicts(reach, [
      ['203.0.113.9', 'default/db', 80, 'TCP', false],
      ['default/db', '203.0.113.9', 80, 'TCP', true],
    ]);
  });

  test('allow-all-ingress admits every ingress, even beside default-deny-ingress', () => {
    expectGrid(cluster(allowAllIngress), (t) => t);
    const reach = cluster(defaultDenyIngress, allowAllIngress);
    expectGrid(reach, (t) => t);
    expectVerdicts(reach, [['203.0.113.9', 'default/db', 9999, 'UDP', true]]);
  });

  test('default-deny-egress isolates every pod of its namespace for egress, to pods and to external addresses', () => {
    const reach = cluster(defaultDenyEgress);
    expectGrid(reach, outOfDefault);
    expectVerdicts(reach, [
      ['default/db', '203.0.113.9', 443, 'TCP', false],
      ['203.0.113.9', 'default/db', 80, 'TCP', true],
    ]);
  });

  test('allow-all-egress admits every egress, even beside default-deny-egress', () => {
    const reach = cluster(defaultDenyEgress, allowAllEgress);
    expectGrid(reach, (t) => t);
    expectVerdicts(reach, [['default/db', '203.0.113.9', 443, 'TCP', true]]);
  });

  test('default-deny-all isolates its namespace in both directions, but a pod still reaches itself', () => {
    const reach = cluster(defaultDenyAll);
    expectGrid(reach, (t) => outOfDefault(intoDefault(t)));
    expect(reach.check('default/db', 'default/db', 6379, 'TCP')).toMatchObject({ allowed: true, self: true });
  });
});

describe('the concept page port range example multi-port-egress', () => {
  const reach = cluster(networkPolicy('default', 'multi-port-egress', {
    podSelector: { matchLabels: { role: 'db' } },
    policyTypes: ['Egress'],
    egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/24' } }], ports: [{ protocol: 'TCP', port: 32000, endPort: 32768 }] }],
  }));

  test('admits every port from port to endPort inclusive, and no port outside, over the named protocol only', () => {
    expectVerdicts(reach, [
      ['default/db', '10.0.0.7', 31999, 'TCP', false],
      ['default/db', '10.0.0.7', 32000, 'TCP', true],
      ['default/db', '10.0.0.7', 32500, 'TCP', true],
      ['default/db', '10.0.0.7', 32768, 'TCP', true],
      ['default/db', '10.0.0.7', 32769, 'TCP', false],
      ['default/db', '10.0.0.7', 32500, 'UDP', false],
      ['default/db', '10.0.1.7', 32500, 'TCP', false],
    ]);
  });
});

describe('the concept page selector examples', () => {
  test('a namespaceSelector on kubernetes.io/metadata.name selects a namespace by name without any label of ours', () => {
    const reach = cluster(networkPolicy('default', 'allow-from-myproject', {
      podSelector: { matchLabels: { role: 'db' } },
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'myproject' } } }] }],
    }));
    expectGrid(reach, (t) => t.ingressTo('default/db', false).pair('myproject/client', 'default/db', true));
  });

  test('namespaceSelector and podSelector in one peer select frontend pods of alice namespaces only (AND)', () => {
    const reach = cluster(networkPolicy('default', 'and', {
      podSelector: { matchLabels: { role: 'db' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { user: 'alice' } }, podSelector: { matchLabels: { role: 'frontend' } } }] }],
    }));
    expectGrid(reach, (t) => t.ingressTo('default/db', false).pair('other/frontend', 'default/db', true));
  });

  test('namespaceSelector and podSelector as two peers select every pod of alice namespaces or matching pods of the own namespace (OR)', () => {
    const reach = cluster(networkPolicy('default', 'or', {
      podSelector: { matchLabels: { role: 'db' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { user: 'alice' } } }, { podSelector: { matchLabels: { role: 'frontend' } } }] }],
    }));
    expectGrid(reach, (t) => t.ingressTo('default/db', false)
      .pair('other/frontend', 'default/db', true)
      .pair('other/backend', 'default/db', true)
      .pair('default/frontend', 'default/db', true));
  });

  test('a policy without policyTypes is an ingress policy, and an egress policy too when it has egress rules', () => {
    const ingressOnly = cluster(networkPolicy('default', 'ingress-only', {
      podSelector: { matchLabels: { role: 'db' } },
      ingress: [{ from: [{ podSelector: { matchLabels: { role: 'frontend' } } }] }],
    }));
    expectGrid(ingressOnly, (t) => t.ingressTo('default/db', false).pair('default/frontend', 'default/db', true));

    const withEgress = cluster(networkPolicy('default', 'with-egress', {
      podSelector: { matchLabels: { role: 'db' } },
      egress: [{ to: [{ podSelector: { matchLabels: { role: 'cache' } } }] }],
    }));
    // No ingress rules: ingress is denied entirely; egress only to the cache.
    expectGrid(withEgress, (t) => t.ingressTo('default/db', false).egressFrom('default/db', false).pair('default/db', 'default/cache', true));
  });
});
