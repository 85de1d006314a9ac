/**
 * Semantics the e2e suite does not probe, asserted on the suite's own x/y/z model (and a few small clusters of their
 * own): the selector operators it never uses (Exists, DoesNotExist), a pod's traffic to itself and a workload's
 * replica traffic, DNS beside a deny-all, overlapping policies that coexist instead of replacing each other,
 * cluster-external endpoints, protocols admitting only themselves, named ports resolved per destination, dual-stack
 * and host-bit CIDRs, undeclared namespaces, and verdict reasons. Expectations follow the networking.k8s.io/v1 API
 * reference.
 */
import { Reachability } from '../../lib/verdict/reachability';
import { E2eCase, probe, runCase, single } from './e2e-case';
import { ALLOW_DNS_RULE, e2eObjects, E2E_PORTS, E2E_PROTOCOLS, networkPolicy, podIp, podIp6, podLabel, PODS } from './e2e-model';
import { TruthTable } from './truth-table';
import { clusterOf } from './load';

const x = 'x';
const egressFromA = (name: string, ...rules: Record<string, unknown>[]) =>
  networkPolicy(x, name, { podSelector: podLabel('a'), egress: rules, policyTypes: ['Egress'] });

const allowFromNs2 = networkPolicy(x, 'allow-from-ns2', {
  podSelector: podLabel('a'), ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: 'ns2', operator: 'Exists' }] } }] }], policyTypes: ['Ingress'],
});

const CASES: E2eCase[] = [
  {
    name: 'a namespaceSelector with Exists admits namespaces that carry the key, whatever its value',
    steps: [
      {
        when: 'before any namespace carries the key',
        policies: [allowFromNs2],
        probes: [probe(80, 'TCP', (t) => t.ingressTo('x/a', false))],
      },
      {
        when: 'after labelling namespace z ns2=anything',
        policies: [allowFromNs2],
        namespaceLabels: { z: { ns: 'z', ns2: 'anything' } },
        probes: [probe(80, 'TCP', (t) => t.ingressTo('x/a', false).peers({ namespace: 'z' }, { namespace: x, pod: 'a' }, true))],
      },
    ],
  },
  {
    name: 'a podSelector with DoesNotExist selects the pods without the key, as targets and as peers',
    steps: [{
      when: 'with pod x/b marked',
      policies: [networkPolicy(x, 'isolate-unmarked', {
        podSelector: { matchExpressions: [{ key: 'marked', operator: 'DoesNotExist' }] },
        ingress: [{ from: [{ podSelector: { matchExpressions: [{ key: 'marked', operator: 'DoesNotExist' }] } }] }],
        policyTypes: ['Ingress'],
      })],
      podLabels: { 'x/b': { pod: 'b', marked: 'yes' } },
      // x/a and x/c are isolated and admit only each other; the marked x/b is neither isolated nor admitted.
      probes: [probe(80, 'TCP', (t) => t.ingressTo('x/a', false).ingressTo('x/c', false).pair('x/c', 'x/a', true).pair('x/a', 'x/c', true))],
    }],
  },
  {
    name: 'NotIn admits pods that lack the key altogether',
    steps: [{
      when: 'with pod y/c unlabelled',
      policies: [networkPolicy(x, 'not-b', {
        podSelector: podLabel('a'),
        ingress: [{ from: [{ namespaceSelector: {}, podSelector: { matchExpressions: [{ key: 'pod', operator: 'NotIn', values: ['b'] }] } }] }],
        policyTypes: ['Ingress'],
      })],
      podLabels: { 'y/c': {} },
      probes: [probe(80, 'TCP', (t) => t.peers({ pod: 'b' }, { namespace: x, pod: 'a' }, false))],
    }],
  },
  single('deny-all with an allow-DNS egress rule admits UDP 53 out of the namespace and nothing into it',
    [networkPolicy(x, 'deny-all-allow-dns', { podSelector: {}, egress: [ALLOW_DNS_RULE], policyTypes: ['Ingress', 'Egress'] })],
    probe(53, 'UDP', (t) => t.peers({}, { namespace: x }, false)),
    probe(53, 'TCP', (t) => t.peers({}, { namespace: x }, false).peers({ namespace: x }, {}, false))),
  single('two policies selecting the same pod add their allowances: an except in one is undone by the other',
    [
      networkPolicy(x, 'allow-cidr-except-xb', {
        podSelector: podLabel('a'), egress: [{ to: [{ ipBlock: { cidr: `${podIp('x/a')}/4`, except: [`${podIp('x/b')}/32`] } }] }], policyTypes: ['Egress'],
      }),
      networkPolicy(x, 'allow-xb', { podSelector: podLabel('a'), egress: [{ to: [{ ipBlock: { cidr: `${podIp('x/b')}/32` } }] }], policyTypes: ['Egress'] }),
    ],
    probe(80, 'TCP')),
  single('an SCTP rule admits SCTP on its port and nothing else',
    [networkPolicy(x, 'allow-only-sctp-81', { podSelector: podLabel('a'), ingress: [{ ports: [{ port: 81, protocol: 'SCTP' }] }], policyTypes: ['Ingress'] })],
    probe(81, 'SCTP'),
    probe(80, 'SCTP', (t) => t.ingressTo('x/a', false)),
    probe(81, 'UDP', (t) => t.ingressTo('x/a', false))),
  single('a named port matches only its own protocol: serve-80-udp admits UDP 80, not TCP 80',
    [networkPolicy(x, 'allow-serve-80-udp', { podSelector: {}, ingress: [{ ports: [{ port: 'serve-80-udp', protocol: 'UDP' }] }], policyTypes: ['Ingress'] })],
    probe(80, 'UDP'),
    probe('serve-80-udp', undefined),
    probe(80, 'TCP', (t) => t.peers({}, { namespace: x }, false))),
  {
    name: 'a named egress port resolves on the destination pod, which must declare it',
    steps: [{
      when: 'with y/b serving port 80 only',
      policies: [networkPolicy(x, 'allow-egress-serve-81', { podSelector: podLabel('a'), egress: [{ ports: [{ port: 'serve-81-tcp' }] }], policyTypes: ['Egress'] })],
      podPorts: { 'y/b': [80] },
      probes: [
        probe(81, 'TCP', (t) => t.pair('x/a', 'y/b', false)),
        probe(80, 'TCP', (t) => t.egressFrom('x/a', false)),
      ],
    }],
  },
  {
    name: 'on a dual-stack cluster an IPv6 ipBlock admits pods by their IPv6 address',
    steps: [{
      when: 'with every pod dual-stack',
      dualStack: true,
      policies: [egressFromA('allow-to-y-v6', { to: [{ ipBlock: { cidr: 'fd00:10:2::/64', except: [`${podIp6('y/c')}/128`] } }] })],
      probes: [probe(80, 'TCP', (t) => t.egressFrom('x/a', false).pair('x/a', 'y/a', true).pair('x/a', 'y/b', true))],
    }],
  },
  single('a named port without a protocol is a TCP port, so serve-80-udp without protocol admits nothing',
    [networkPolicy(x, 'serve-80-udp-as-tcp', { podSelector: {}, ingress: [{ ports: [{ port: 'serve-80-udp' }] }], policyTypes: ['Ingress'] })],
    probe(80, 'UDP', (t) => t.peers({}, { namespace: x }, false)),
    probe(80, 'TCP', (t) => t.peers({}, { namespace: x }, false))),
  single('an empty from list and an empty ports list match everything, as absent ones do',
    [networkPolicy(x, 'empty-lists', { podSelector: podLabel('a'), ingress: [{ from: [], ports: [] }], egress: [{ to: [], ports: [] }], policyTypes: ['Ingress', 'Egress'] })],
    probe(80, 'TCP'),
    probe(81, 'SCTP')),
  single('rules of a direction missing from policyTypes are ignored: they neither isolate nor admit',
    [
      networkPolicy(x, 'egress-only-with-ingress-rules', {
        podSelector: podLabel('a'), ingress: [{ from: [{ podSelector: podLabel('b') }] }], egress: [{ to: [{ podSelector: podLabel('c') }] }], policyTypes: ['Egress'],
      }),
      networkPolicy(x, 'ingress-only-with-egress-rules', {
        podSelector: podLabel('b'), ingress: [{ from: [{ podSelector: podLabel('c') }] }], egress: [{ to: [{ podSelector: podLabel('a') }] }], policyTypes: ['Ingress'],
      }),
    ],
    probe(80, 'TCP', (t) => t.egressFrom('x/a', false).pair('x/a', 'x/c', true).ingressTo('x/b', false).pair('x/c', 'x/b', true))),
  single('an ipBlock written with host bits set is the masked block',
    [networkPolicy(x, 'allow-from-y-block', {
      podSelector: podLabel('a'), ingress: [{ from: [{ ipBlock: { cidr: `${podIp('y/b')}/24` } }] }], policyTypes: ['Ingress'],
    })],
    probe(80, 'TCP', (t) => t.ingressTo('x/a', false).peers({ namespace: 'y' }, { namespace: x, pod: 'a' }, true))),
];

describe('NetworkPolicy semantics beyond the e2e suite, on its x/y/z model', () => {
  test.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => runCase(c));

  test('a pod always reaches itself, on every port and protocol, under deny-all in every namespace', () => {
    const policies = ['x', 'y', 'z'].map((ns) => networkPolicy(ns, 'deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }));
    const reach = new Reachability(clusterOf(e2eObjects({ policies })));
    for (const pod of PODS) {
      for (const port of E2E_PORTS) {
        for (const protocol of E2E_PROTOCOLS) {
          expect(reach.check(pod, pod, port, protocol)).toMatchObject({ allowed: true, self: true });
        }
      }
    }
    expect(reach.probe({ ports: [{ port: 80 }] }).summary).toEqual({ probes: PODS.length * PODS.length, allowed: PODS.length, denied: PODS.length * (PODS.length - 1) });
  });

  test('without ports to probe, every declared port and protocol is probed, and a port-less policy decides them all alike', () => {
    const reach = new Reachability(clusterOf(e2eObjects({ policies: [networkPolicy(x, 'deny-ingress', { podSelector: {}, policyTypes: ['Ingress'] })] })));
    const result = reach.probe();
    const grids = result.grids();
    expect(grids.map((g) => `${g.port}/${g.protocol}`)).toEqual(['80/SCTP', '80/TCP', '80/UDP', '81/SCTP', '81/TCP', '81/UDP']);
    const expected = new TruthTable(PODS).peers({}, { namespace: x }, false).render();
    for (const grid of grids) {
      const observed = new TruthTable(PODS);
      grid.from.forEach((from, r) => grid.to.forEach((to, c) => observed.pair(from, to, grid.allowed[r][c]!)));
      expect({ port: `${grid.port}/${grid.protocol}`, table: observed.render() }).toEqual({ port: `${grid.port}/${grid.protocol}`, table: expected });
    }
    // 9 pods into x's 3 pods, minus x's 3 loopbacks, on 6 ports: denied.
    expect(result.summary).toEqual({ probes: 81 * 6, allowed: (81 - 24) * 6, denied: 24 * 6 });
  });

  test('a verdict names every policy that isolates an endpoint and only the rules that admit the probe', () => {
    const fromY = (name: string, port: number) =>
      networkPolicy(x, name, { podSelector: podLabel('a'), ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'y' } } }], ports: [{ port }] }], policyTypes: ['Ingress'] });
    const reach = new Reachability(clusterOf(e2eObjects({
      policies: [fromY('allow-81', 81), fromY('allow-80', 80), networkPolicy('y', 'deny-egress', { podSelector: podLabel('c'), policyTypes: ['Egress'] })],
    })));
    expect(reach.check('y/a', 'x/a', 81, 'TCP')).toMatchObject({
      allowed: true,
      egress: { isolated: false, isolatedBy: [], allowedBy: [], allowed: true },
      ingress: { isolated: true, isolatedBy: ['x/allow-80', 'x/allow-81'], allowedBy: ['x/allow-81'], rules: ['x/allow-81 ingress[0]'], allowed: true },
    });
    expect(reach.check('z/a', 'x/a', 81, 'TCP')).toMatchObject({ allowed: false, ingress: { isolated: true, allowedBy: [], rules: [], allowed: false } });
    expect(reach.check('y/c', 'x/a', 80, 'TCP')).toMatchObject({
      allowed: false,
      egress: { isolated: true, isolatedBy: ['y/deny-egress'], allowedBy: [], allowed: false },
      ingress: { allowedBy: ['x/allow-80'], allowed: true },
    });
  });

  test('a named port resolves on each destination to the number that destination gives it', () => {
    // GIVEN two servers that both name a port http, as 80 and as 8080, and a client limited to egress on http
    const pod = (name: string, http?: number) => ({
      apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'shop', labels: { app: name } },
      spec: { containers: [{ name: 'main', image: 'example', ports: http ? [{ name: 'http', containerPort: http }] : [] }] },
      status: { podIP: `10.9.0.${http ? http % 256 : 1}` },
    });
    const reach = new Reachability(clusterOf([
      pod('client'), pod('web', 80), pod('api', 8080),
      networkPolicy('shop', 'client-egress-http', { podSelector: { matchLabels: { app: 'client' } }, egress: [{ ports: [{ port: 'http' }] }], policyTypes: ['Egress'] }),
    ]));
    // THEN each destination admits its own http number only
    expect([
      reach.isAllowed('shop/client', 'shop/web', 80),
      reach.isAllowed('shop/client', 'shop/web', 8080),
      reach.isAllowed('shop/client', 'shop/api', 8080),
      reach.isAllowed('shop/client', 'shop/api', 80),
      reach.isAllowed('shop/client', 'shop/web', 'http'),
      reach.isAllowed('shop/client', 'shop/api', 'http'),
    ]).toEqual([true, false, true, false, true, true]);
    expect(reach.check('shop/client', 'shop/api', 'http')).toMatchObject({ port: 8080, protocol: 'TCP' });
  });

  test('a namespace referenced but not declared carries only its automatic label', () => {
    const fromZ = (target: string, namespaceSelector: Record<string, unknown>) =>
      networkPolicy(x, `to-${target}`, { podSelector: podLabel(target), ingress: [{ from: [{ namespaceSelector }] }], policyTypes: ['Ingress'] });
    const policies = [
      fromZ('a', { matchLabels: { 'kubernetes.io/metadata.name': 'z' } }),
      // The declared z would carry ns=z; the undeclared one does not.
      fromZ('b', { matchLabels: { ns: 'z' } }),
    ];
    const objects = e2eObjects({ policies }).filter((o) => !(o.kind === 'Namespace' && (o.metadata as { name: string }).name === 'z'));
    const reach = new Reachability(clusterOf(objects));
    expect([reach.isAllowed('z/c', 'x/a', 80), reach.isAllowed('z/c', 'x/b', 80), reach.isAllowed('y/c', 'x/a', 80)]).toEqual([true, false, false]);
  });

  test('a workload probed against itself stands for traffic between its replicas, which the policies decide', () => {
    // GIVEN a bare Pod and workloads of every kind, all labelled app=<name>, in a namespace with deny-all
    const template = (name: string) => ({ metadata: { labels: { app: name } }, spec: { containers: [{ name: 'main', image: 'example', ports: [{ containerPort: 80 }] }] } });
    const apps = (kind: string, name: string) => ({ apiVersion: 'apps/v1', kind, metadata: { name, namespace: 'shop' }, spec: { selector: { matchLabels: { app: name } }, template: template(name) } });
    const workloads = [
      apps('Deployment', 'web'), apps('StatefulSet', 'db'), apps('DaemonSet', 'agent'), apps('ReplicaSet', 'cache'),
      { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'migrate', namespace: 'shop' }, spec: { template: template('migrate') } },
      { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'report', namespace: 'shop' }, spec: { schedule: '0 * * * *', jobTemplate: { spec: { template: template('report') } } } },
    ];
    const solo = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'solo', namespace: 'shop', labels: { app: 'solo' } }, spec: template('solo').spec, status: { podIP: '10.9.0.9' } };
    const denyAll = networkPolicy('shop', 'deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    const ids = ['shop/web', 'shop/db', 'shop/agent', 'shop/cache', 'shop/migrate', 'shop/report'];

    // THEN replicas of each workload cannot reach each other, while the bare pod still reaches itself
    const denied = new Reachability(clusterOf([...workloads, solo, denyAll]));
    expect(ids.map((id) => denied.check(id, id, 80))).toEqual(ids.map(() => expect.objectContaining({ allowed: false, self: false })));
    expect(denied.check('shop/solo', 'shop/solo', 80)).toMatchObject({ allowed: true, self: true });
    const diagonal = denied.probe({ ports: [{ port: 80 }] }).grids()[0];
    expect(diagonal.from.map((id, i) => [id, diagonal.allowed[i][i]])).toEqual(diagonal.from.map((id) => [id, id === 'shop/solo']));

    // WHEN a policy lets each app talk to itself, THEN replica traffic is allowed by that policy
    const sameApp = networkPolicy('shop', 'same-app', {
      podSelector: { matchExpressions: [{ key: 'app', operator: 'Exists' }] },
      ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }] }],
      egress: [{ to: [{ podSelector: { matchLabels: { app: 'web' } } }] }],
      policyTypes: ['Ingress', 'Egress'],
    });
    const allowed = new Reachability(clusterOf([...workloads, solo, denyAll, sameApp]));
    expect(allowed.check('shop/web', 'shop/web', 80)).toMatchObject({ allowed: true, self: false, ingress: { allowedBy: ['shop/same-app'] } });
    expect(allowed.isAllowed('shop/db', 'shop/db', 80)).toBe(false);
  });

  test('ipBlocks admit cluster-external addresses, and only ipBlocks or peerless rules do', () => {
    const reach = new Reachability(clusterOf(e2eObjects({
      policies: [
        networkPolicy(x, 'allow-from-doc-net', {
          podSelector: podLabel('a'),
          ingress: [{ from: [{ ipBlock: { cidr: '192.0.2.0/24', except: ['192.0.2.128/25'] } }, { namespaceSelector: {} }] }],
          policyTypes: ['Ingress'],
        }),
        networkPolicy(x, 'allow-all-to-b', { podSelector: podLabel('b'), ingress: [{}], policyTypes: ['Ingress'] }),
        networkPolicy(x, 'deny-to-c', { podSelector: podLabel('c'), ingress: [{ from: [{ namespaceSelector: {}, podSelector: {} }] }], policyTypes: ['Ingress'] }),
      ],
    })));
    expect([
      reach.isAllowed('192.0.2.7', 'x/a', 80),
      reach.isAllowed('192.0.2.200', 'x/a', 80),
      reach.isAllowed('198.51.100.1', 'x/a', 80),
      reach.isAllowed('198.51.100.1', 'x/b', 80),
      reach.isAllowed('198.51.100.1', 'x/c', 80),
      reach.isAllowed('y/a', 'x/c', 80),
    ]).toEqual([true, false, false, true, false, true]);
    const fromOutside = reach.probe({ from: ['192.0.2.7', '198.51.100.1'], to: ['x/a', 'x/b', 'x/c'], ports: [{ port: 80 }] }).grids()[0];
    expect(fromOutside.allowed).toEqual([[true, true, false], [false, true, false]]);
  });
});
