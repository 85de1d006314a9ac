/**
 * The cases of the Kubernetes e2e network policy suite (kubernetes/kubernetes test/e2e/network/netpol), as far as it
 * is about policy semantics, grouped by the suite's contexts. Each case carries the suite's name, the objects it
 * creates (see e2e-model.ts) and the truth tables it asserts, starting from all-allowed. Where the suite changed over
 * releases (the older suite labelled namespaces `ns: x` and added a DNS egress rule; the newer one selects namespaces
 * by `kubernetes.io/metadata.name`), both variants appear. Loopback probes, which the suite ignores, are always
 * allowed.
 */
import { ALLOW_DNS_RULE, networkPolicy, podIp, podLabel } from './e2e-model';
import { E2eCase, probe, single } from './e2e-case';

const NAME_LABEL = 'kubernetes.io/metadata.name';
const x = 'x';
const y = 'y';
const z = 'z';

const denyIngress = (ns: string, name = 'deny-ingress') => networkPolicy(ns, name, { podSelector: {}, policyTypes: ['Ingress'] });
const denyAll = (ns: string) => networkPolicy(ns, 'deny-all', { podSelector: {}, ingress: [], egress: [], policyTypes: ['Ingress', 'Egress'] });
const ingressToA = (name: string, rule: Record<string, unknown>) =>
  networkPolicy(x, name, { podSelector: podLabel('a'), ingress: [rule], policyTypes: ['Ingress'] });
const egressFromA = (name: string, ...rules: Record<string, unknown>[]) =>
  networkPolicy(x, name, { podSelector: podLabel('a'), egress: rules, policyTypes: ['Egress'] });
const nsLabel = (ns: string) => ({ matchLabels: { ns } });

const allowPort81FromY = ingressToA('allow-client-a-via-ns-selector', {
  from: [{ namespaceSelector: nsLabel(y) }],
  ports: [{ port: 81, protocol: 'TCP' }],
});
const exceptAroundXb = egressFromA('allow-client-a-via-cidr-egress-rule',
  // The suite writes x/a's IP with a /4 prefix: host bits set, which the API masks.
  { to: [{ ipBlock: { cidr: `${podIp('x/a')}/4`, except: [`${podIp('x/b')}/32`] } }] },
  ALLOW_DNS_RULE);

export const BETWEEN_SERVER_AND_CLIENT: E2eCase[] = [
  single("should support a 'default-deny-ingress' policy",
    [denyIngress(x)],
    probe(80, 'TCP', (t) => t.peers({}, { namespace: x }, false))),

  single("should support a 'default-deny-all' policy",
    [denyAll(x)],
    probe(80, 'TCP', (t) => t.peers({}, { namespace: x }, false).peers({ namespace: x }, {}, false))),

  single("should support a 'default-deny-all' policy (older suite: deny all TCP, allow DNS)",
    [networkPolicy(x, 'deny-all-tcp-allow-dns', { podSelector: {}, egress: [ALLOW_DNS_RULE], policyTypes: ['Ingress', 'Egress'] })],
    probe(80, 'TCP', (t) => t.peers({}, { namespace: x }, false).peers({ namespace: x }, {}, false))),

  single('should enforce policy to allow traffic from pods within server namespace based on PodSelector',
    [ingressToA('x-a-allows-x-b', { from: [{ podSelector: podLabel('b') }] })],
    probe(80, 'TCP', (t) => t.ingressTo('x/a', false).pair('x/b', 'x/a', true))),

  single('should enforce policy to allow ingress traffic for a target',
    [
      networkPolicy(x, 'deny-all', { podSelector: {}, policyTypes: ['Ingress'] }),
      ingressToA('allow-all-to-a', { from: [{ podSelector: {}, namespaceSelector: {} }] }),
    ],
    probe(80, 'TCP', (t) => t.ingressTo('x/a', true).ingressTo('x/b', false).ingressTo('x/c', false))),

  single('should enforce policy to allow ingress traffic from pods in all namespaces',
    [ingressToA('allow-from-another-ns', { from: [{ namespaceSelector: { matchLabels: {} } }] })],
    probe(80, 'TCP')),

  single('should enforce policy to allow traffic only from a different namespace, based on NamespaceSelector',
    [ingressToA('allow-client-a-via-ns-selector', { from: [{ namespaceSelector: nsLabel(y) }] })],
    probe(80, 'TCP', (t) => t.peers({ namespace: x }, { namespace: x, pod: 'a' }, false).peers({ namespace: z }, { namespace: x, pod: 'a' }, false))),

  single('should enforce policy based on PodSelector with MatchExpressions',
    [ingressToA('x-a-allows-x-b', { from: [{ podSelector: { matchExpressions: [{ key: 'pod', operator: 'In', values: ['b'] }] } }] })],
    probe(80, 'TCP', (t) => t.ingressTo('x/a', false).pair('x/b', 'x/a', true))),

  single('should enforce policy based on NamespaceSelector with MatchExpressions',
    [ingressToA('allow-ns-y-match-selector', { from: [{ namespaceSelector: { matchExpressions: [{ key: NAME_LABEL, operator: 'In', values: [y] }] } }] })],
    probe(80, 'TCP', (t) => t.peers({ namespace: x }, { namespace: x, pod: 'a' }, false).peers({ namespace: z }, { namespace: x, pod: 'a' }, false))),

  single('should enforce policy based on PodSelector or NamespaceSelector',
    [ingressToA('allow-ns-y-match-selector', {
      from: [
        { namespaceSelector: { matchExpressions: [{ key: 'ns', operator: 'NotIn', values: [x] }] } },
        { podSelector: podLabel('b') },
      ],
    })],
    probe(80, 'TCP', (t) => t.pair('x/a', 'x/a', false).pair('x/c', 'x/a', false))),

  single('should enforce policy based on PodSelector and NamespaceSelector',
    [ingressToA('allow-ns-y-podselector-and-nsselector', {
      from: [{ namespaceSelector: { matchExpressions: [{ key: NAME_LABEL, operator: 'NotIn', values: [x] }] }, podSelector: podLabel('b') }],
    })],
    probe(80, 'TCP', (t) => t.ingressTo('x/a', false).pair('y/b', 'x/a', true).pair('z/b', 'x/a', true))),

  single('should enforce policy based on Multiple PodSelectors and NamespaceSelectors',
    [ingressToA('allow-ns-y-z-pod-b-c', {
      from: [{
        namespaceSelector: { matchExpressions: [{ key: 'ns', operator: 'NotIn', values: [x] }] },
        podSelector: { matchExpressions: [{ key: 'pod', operator: 'In', values: ['b', 'c'] }] },
      }],
    })],
    probe(80, 'TCP', (t) => t.peers({ namespace: x }, { namespace: x, pod: 'a' }, false).pair('y/a', 'x/a', false).pair('z/a', 'x/a', false))),

  single('should enforce policy based on any PodSelectors',
    [ingressToA('allow-ns-x-pod-b-c', { from: [{ podSelector: podLabel('b') }, { podSelector: podLabel('c') }] })],
    probe(80, 'TCP', (t) => t.ingressTo('x/a', false).pair('x/b', 'x/a', true).pair('x/c', 'x/a', true))),

  single('should enforce policy to allow traffic only from a pod in a different namespace based on PodSelector and NamespaceSelector',
    [ingressToA('allow-ns-y-pod-a-via-namespace-pod-selector', { from: [{ namespaceSelector: { matchLabels: { [NAME_LABEL]: y } }, podSelector: podLabel('a') }] })],
    probe(80, 'TCP', (t) => t.ingressTo('x/a', false).pair('y/a', 'x/a', true))),

  single('should enforce policy based on Ports',
    [allowPort81FromY],
    probe(81, 'TCP', (t) => t.peers({ namespace: x }, { namespace: x, pod: 'a' }, false)
      .peers({ namespace: y }, { namespace: x, pod: 'a' }, true)
      .peers({ namespace: z }, { namespace: x, pod: 'a' }, false))),

  {
    name: 'should enforce multiple, stacked policies with overlapping podSelectors',
    steps: [
      {
        when: 'with the port 81 policy only',
        policies: [allowPort81FromY],
        probes: [
          probe(81, 'TCP', (t) => t.peers({ namespace: x }, { namespace: x, pod: 'a' }, false).peers({ namespace: z }, { namespace: x, pod: 'a' }, false)),
          probe(80, 'TCP', (t) => t.ingressTo('x/a', false)),
        ],
      },
      {
        when: 'after adding a policy that unblocks port 80',
        policies: [
          allowPort81FromY,
          ingressToA('allow-client-a-via-ns-selector-80', { from: [{ namespaceSelector: nsLabel(y) }], ports: [{ port: 80, protocol: 'TCP' }] }),
        ],
        probes: [probe(80, 'TCP', (t) => t.peers({ namespace: x }, { namespace: x, pod: 'a' }, false).peers({ namespace: z }, { namespace: x, pod: 'a' }, false))],
      },
    ],
  },

  single('should support allow-all policy',
    [networkPolicy(x, 'allow-all', { podSelector: {}, ingress: [{}], policyTypes: ['Ingress'] })],
    probe(80, 'TCP'),
    probe(81, 'TCP')),

  single('should allow ingress access on one named port',
    [networkPolicy(x, 'allow-all', { podSelector: {}, ingress: [{ ports: [{ port: 'serve-81-tcp' }] }], policyTypes: ['Ingress'] })],
    probe(81, 'TCP'),
    probe('serve-81-tcp', undefined),
    probe(80, 'TCP', (t) => t.peers({}, { namespace: x }, false))),

  single('should allow ingress access from namespace on one named port',
    [ingressToA('allow-client-a-via-ns-selector-80', { from: [{ namespaceSelector: nsLabel(y) }], ports: [{ port: 'serve-80-tcp', protocol: 'TCP' }] })],
    probe(80, 'TCP', (t) => t.peers({ namespace: x }, { namespace: x, pod: 'a' }, false).peers({ namespace: z }, { namespace: x, pod: 'a' }, false)),
    probe(81, 'TCP', (t) => t.ingressTo('x/a', false))),

  single('should allow egress access on one named port',
    [networkPolicy(x, 'allow-egress', { podSelector: {}, egress: [{ ports: [{ port: 'serve-80-tcp' }] }], policyTypes: ['Egress'] })],
    probe(80, 'TCP'),
    probe(81, 'TCP', (t) => t.peers({ namespace: x }, {}, false))),

  single('should allow egress access on one named port (older suite: with a DNS port)',
    [networkPolicy(x, 'allow-egress', { podSelector: {}, egress: [{ ports: [{ port: 'serve-80-tcp' }, ...ALLOW_DNS_RULE.ports] }], policyTypes: ['Egress'] })],
    probe(80, 'TCP'),
    probe(81, 'TCP', (t) => t.peers({ namespace: x }, {}, false))),

  {
    name: 'should enforce updated policy',
    steps: [
      {
        when: 'with the allow-all policy',
        policies: [networkPolicy(x, 'allow-all-mutate-to-deny-all', { podSelector: {}, ingress: [{}], policyTypes: ['Ingress'] })],
        probes: [probe(81, 'TCP')],
      },
      {
        when: 'after updating the policy to deny all',
        policies: [networkPolicy(x, 'allow-all-mutate-to-deny-all', { podSelector: {}, ingress: [], policyTypes: ['Ingress'] })],
        probes: [probe(81, 'TCP', (t) => t.peers({}, { namespace: x }, false))],
      },
    ],
  },

  {
    name: 'should allow ingress access from updated namespace',
    steps: [
      {
        when: 'before namespace y is labelled',
        policies: [ingressToA('allow-client-a-via-ns-selector', { from: [{ namespaceSelector: { matchLabels: { ns2: 'updated' } } }] })],
        probes: [probe(80, 'TCP', (t) => t.ingressTo('x/a', false))],
      },
      {
        when: 'after labelling namespace y ns2=updated',
        policies: [ingressToA('allow-client-a-via-ns-selector', { from: [{ namespaceSelector: { matchLabels: { ns2: 'updated' } } }] })],
        namespaceLabels: { y: { ns: y, ns2: 'updated' } },
        probes: [probe(80, 'TCP', (t) => t.ingressTo('x/a', false).peers({ namespace: y }, {}, true))],
      },
    ],
  },

  {
    name: 'should allow ingress access from updated pod',
    steps: [
      {
        when: 'before pod x/b is labelled',
        policies: [ingressToA('allow-client-a-via-pod-selector', { from: [{ podSelector: { matchLabels: { pod: 'b', pod2: 'updated' } } }] })],
        probes: [probe(80, 'TCP', (t) => t.ingressTo('x/a', false))],
      },
      {
        when: 'after labelling pod x/b pod2=updated',
        policies: [ingressToA('allow-client-a-via-pod-selector', { from: [{ podSelector: { matchLabels: { pod: 'b', pod2: 'updated' } } }] })],
        podLabels: { 'x/b': { pod: 'b', pod2: 'updated' } },
        probes: [probe(80, 'TCP', (t) => t.ingressTo('x/a', false).pair('x/b', 'x/a', true))],
      },
    ],
  },

  single('should deny ingress from pods on other namespaces',
    [networkPolicy(x, 'deny-empty-policy', { podSelector: {}, ingress: [{ from: [{ podSelector: { matchLabels: {} } }] }], policyTypes: ['Ingress'] })],
    probe(80, 'TCP', (t) => t.peers({ namespace: y }, { namespace: x }, false).peers({ namespace: z }, { namespace: x }, false))),

  {
    name: 'should deny ingress access to updated pod',
    steps: [
      {
        when: 'before pod x/a is labelled',
        policies: [networkPolicy(x, 'deny-ingress-via-label-selector', { podSelector: { matchLabels: { target: 'isolated' } }, policyTypes: ['Ingress'] })],
        probes: [probe(80, 'TCP')],
      },
      {
        when: 'after labelling pod x/a target=isolated',
        policies: [networkPolicy(x, 'deny-ingress-via-label-selector', { podSelector: { matchLabels: { target: 'isolated' } }, policyTypes: ['Ingress'] })],
        podLabels: { 'x/a': { pod: 'a', target: 'isolated' } },
        probes: [probe(80, 'TCP', (t) => t.ingressTo('x/a', false))],
      },
    ],
  },

  single('should deny egress from pods based on PodSelector',
    [networkPolicy(x, 'deny-egress-pod-a', { podSelector: podLabel('a'), policyTypes: ['Egress'] })],
    probe(80, 'TCP', (t) => t.egressFrom('x/a', false))),

  single('should deny egress from all pods in a namespace',
    [networkPolicy(x, 'deny-egress-ns-x', { podSelector: {}, policyTypes: ['Egress'] })],
    probe(80, 'TCP', (t) => t.peers({ namespace: x }, {}, false))),

  single('should work with Ingress, Egress specified together',
    [networkPolicy(x, 'allow-client-a-via-pod-selector', {
      podSelector: podLabel('a'),
      ingress: [{ from: [{ podSelector: podLabel('b') }] }],
      egress: [{ ports: [{ port: 80 }, ...ALLOW_DNS_RULE.ports] }],
      policyTypes: ['Egress', 'Ingress'],
    })],
    probe(80, 'TCP', (t) => t.ingressTo('x/a', false).pair('x/b', 'x/a', true)),
    probe(81, 'TCP', (t) => t.ingressTo('x/a', false).egressFrom('x/a', false).pair('x/b', 'x/a', true))),

  single('should support denying of egress traffic on the client side (even if the server explicitly allows this traffic)',
    [
      egressFromA('allow-to-ns-y-pod-a', { to: [{ namespaceSelector: nsLabel(y), podSelector: podLabel('a') }] }, ALLOW_DNS_RULE),
      networkPolicy(y, 'allow-from-xa-on-ya-match-selector', {
        podSelector: podLabel('a'), ingress: [{ from: [{ namespaceSelector: nsLabel(x), podSelector: podLabel('a') }] }], policyTypes: ['Ingress'],
      }),
      networkPolicy(y, 'allow-from-xa-on-yb-match-selector', {
        podSelector: podLabel('b'), ingress: [{ from: [{ namespaceSelector: nsLabel(x), podSelector: podLabel('a') }] }], policyTypes: ['Ingress'],
      }),
    ],
    probe(80, 'TCP', (t) => t.egressFrom('x/a', false).ingressTo('y/a', false).pair('x/a', 'y/a', true).ingressTo('y/b', false))),

  single('should enforce egress policy allowing traffic to a server in a different namespace based on PodSelector and NamespaceSelector',
    [egressFromA('allow-to-ns-y-pod-a', { to: [{ namespaceSelector: { matchLabels: { [NAME_LABEL]: y } }, podSelector: podLabel('a') }] })],
    probe(80, 'TCP', (t) => t.egressFrom('x/a', false).pair('x/a', 'y/a', true))),

  single('should enforce ingress policy allowing any port traffic to a server on a specific protocol',
    [ingressToA('allow-ingress-by-proto', { ports: [{ protocol: 'TCP' }] })],
    probe(80, 'TCP'),
    probe(80, 'UDP', (t) => t.ingressTo('x/a', false))),

  {
    name: 'should enforce multiple ingress policies with ingress allow-all policy taking precedence',
    steps: [
      {
        when: 'with the port 80 policy only',
        policies: [networkPolicy(x, 'allow-ingress-port-80', { podSelector: {}, ingress: [{ ports: [{ port: 80 }] }], policyTypes: ['Ingress'] })],
        probes: [probe(81, 'TCP', (t) => t.peers({}, { namespace: x }, false))],
      },
      {
        when: 'after adding an allow-all ingress policy',
        policies: [
          networkPolicy(x, 'allow-ingress-port-80', { podSelector: {}, ingress: [{ ports: [{ port: 80 }] }], policyTypes: ['Ingress'] }),
          networkPolicy(x, 'allow-ingress', { podSelector: {}, ingress: [{}], policyTypes: ['Ingress'] }),
        ],
        probes: [probe(81, 'TCP')],
      },
    ],
  },

  {
    name: 'should enforce multiple egress policies with egress allow-all policy taking precedence',
    steps: [
      {
        when: 'with the port 80 policy only',
        policies: [networkPolicy(x, 'allow-egress-port-80', { podSelector: {}, egress: [{ ports: [{ port: 80 }, ...ALLOW_DNS_RULE.ports] }], policyTypes: ['Egress'] })],
        probes: [probe(81, 'TCP', (t) => t.peers({ namespace: x }, {}, false))],
      },
      {
        when: 'after adding an allow-all egress policy',
        policies: [
          networkPolicy(x, 'allow-egress-port-80', { podSelector: {}, egress: [{ ports: [{ port: 80 }, ...ALLOW_DNS_RULE.ports] }], policyTypes: ['Egress'] }),
          networkPolicy(x, 'allow-egress', { podSelector: {}, egress: [{}], policyTypes: ['Egress'] }),
        ],
        probes: [probe(81, 'TCP')],
      },
    ],
  },

  {
    name: 'should stop enforcing policies after they are deleted',
    steps: [
      {
        when: 'with the deny-all policy',
        policies: [denyAll(x)],
        probes: [probe(80, 'TCP', (t) => t.peers({ namespace: x }, {}, false).peers({}, { namespace: x }, false))],
      },
      { when: 'after deleting every policy', policies: [], probes: [probe(80, 'TCP')] },
    ],
  },

  single('should allow egress access to server in CIDR block',
    [egressFromA('allow-client-a-via-cidr-egress-rule', { to: [{ ipBlock: { cidr: `${podIp('y/b')}/32` } }] }, ALLOW_DNS_RULE)],
    probe(80, 'TCP', (t) => t.egressFrom('x/a', false).pair('x/a', 'y/b', true))),

  single('should enforce except clause while egress access to server in CIDR block',
    [exceptAroundXb],
    probe(80, 'TCP', (t) => t.pair('x/a', 'x/b', false))),

  {
    name: 'should ensure an IP overlapping both IPBlock.CIDR and IPBlock.Except is allowed',
    steps: [
      { when: 'with the except policy', policies: [exceptAroundXb], probes: [probe(80, 'TCP', (t) => t.pair('x/a', 'x/b', false))] },
      {
        // The suite updates the same policy (same name), so the except rule is replaced, not joined.
        when: 'after updating the policy to allow x/b by its /32',
        policies: [egressFromA('allow-client-a-via-cidr-egress-rule', { to: [{ ipBlock: { cidr: `${podIp('x/b')}/32` } }] }, ALLOW_DNS_RULE)],
        probes: [probe(80, 'TCP', (t) => t.egressFrom('x/a', false).pair('x/a', 'x/b', true))],
      },
    ],
  },

  {
    name: 'should enforce policies to check ingress and egress policies can be controlled independently based on PodSelector',
    steps: [
      {
        when: 'with the allow-egress policy',
        policies: [egressFromA('allow-egress-for-target', {})],
        probes: [probe(80, 'TCP')],
      },
      {
        when: 'after adding a deny-ingress policy for x/a',
        policies: [
          egressFromA('allow-egress-for-target', {}),
          networkPolicy(x, 'deny-ingress-via-label-selector', { podSelector: podLabel('a'), policyTypes: ['Ingress'] }),
        ],
        probes: [probe(80, 'TCP', (t) => t.ingressTo('x/a', false))],
      },
    ],
  },

  single("should not mistakenly treat 'protocol: SCTP' as 'protocol: TCP', even if the plugin doesn't support SCTP",
    [denyIngress(x), ingressToA('allow-only-sctp-ingress-on-port-81', { ports: [{ port: 81, protocol: 'SCTP' }] })],
    probe(81, 'TCP', (t) => t.peers({}, { namespace: x }, false))),

  single("should properly isolate pods that are selected by a policy allowing SCTP, even if the plugin doesn't support SCTP",
    [ingressToA('allow-only-sctp-ingress-on-port-80', { ports: [{ port: 80, protocol: 'SCTP' }] })],
    probe(81, 'TCP', (t) => t.ingressTo('x/a', false))),

  single('should not allow access by TCP when a policy specifies only SCTP',
    [ingressToA('allow-only-sctp-ingress-on-port-81', { ports: [{ port: 81, protocol: 'SCTP' }] })],
    probe(81, 'TCP', (t) => t.ingressTo('x/a', false))),

  single('should not allow access by TCP when a policy specifies only UDP',
    [ingressToA('allow-only-udp-ingress-on-port-81', { ports: [{ port: 81, protocol: 'UDP' }] })],
    probe(81, 'TCP', (t) => t.ingressTo('x/a', false))),

  single('should enforce policy to allow traffic based on NamespaceSelector with MatchLabels using default ns label',
    [ingressToA('allow-client-a-via-ns-selector-for-immutable-ns-label', { from: [{ namespaceSelector: { matchLabels: { [NAME_LABEL]: y } } }] })],
    probe(80, 'TCP', (t) => t.peers({ namespace: x }, { namespace: x, pod: 'a' }, false).peers({ namespace: z }, { namespace: x, pod: 'a' }, false))),

  single('should enforce policy based on NamespaceSelector with MatchExpressions using default ns label',
    [egressFromA('allow-ns-y-match-selector-for-immutable-ns-label', {
      to: [{ namespaceSelector: { matchExpressions: [{ key: NAME_LABEL, operator: 'NotIn', values: [y] }] } }],
    })],
    probe(80, 'TCP', (t) => t.peers({ namespace: x, pod: 'a' }, { namespace: y }, false))),
];

/** The older suite's port range context: every pod serves ports 111 to 115 instead of 80 and 81. */
const PORT_RANGE_PORTS = [111, 112, 113, 114, 115];
const withPortRange = (c: E2eCase): E2eCase => ({ ...c, steps: c.steps.map((s) => ({ ...s, ports: PORT_RANGE_PORTS })) });

export const USING_PORT_RANGE: E2eCase[] = [
  withPortRange(single('should enforce policy to allow ingress traffic using port range',
    [ingressToA('allow-ingress-use-port-range', { ports: [{ port: 111, endPort: 115 }] })],
    ...PORT_RANGE_PORTS.map((port) => probe(port, 'TCP', (t) => t.ingressTo('x/a', true))),
    probe(116, 'TCP', (t) => t.ingressTo('x/a', false)))),
  withPortRange(single('should enforce policy to allow egress traffic using port range',
    [egressFromA('allow-egress-use-port-range', { ports: [{ port: 111, endPort: 115 }] })],
    ...PORT_RANGE_PORTS.map((port) => probe(port, 'TCP', (t) => t.egressFrom('x/a', true))),
    probe(116, 'TCP', (t) => t.egressFrom('x/a', false)))),
];

/** The UDP and SCTP contexts run the same three cases over their protocol. */
export function overProtocol(protocol: 'UDP' | 'SCTP'): E2eCase[] {
  return [
    single("should support a 'default-deny-ingress' policy",
      [networkPolicy(x, 'deny-all', { podSelector: {}, policyTypes: ['Ingress'] })],
      probe(80, protocol, (t) => t.peers({}, { namespace: x }, false))),
    single('should enforce policy based on Ports',
      [ingressToA('allow-ingress-on-port-81-ns-x', { from: [{ namespaceSelector: nsLabel(y) }], ports: [{ port: 81, protocol }] })],
      probe(81, protocol, (t) => t.peers({ namespace: x }, { namespace: x, pod: 'a' }, false).peers({ namespace: z }, { namespace: x, pod: 'a' }, false))),
    single('should enforce policy to allow traffic only from a pod in a different namespace based on PodSelector and NamespaceSelector',
      [ingressToA('allow-ns-y-pod-a-via-namespace-pod-selector', { from: [{ namespaceSelector: nsLabel(y), podSelector: podLabel('a') }] })],
      probe(80, protocol, (t) => t.ingressTo('x/a', false).pair('y/a', 'x/a', true))),
  ];
}

/** Every context of the suite with its cases. */
export const E2E_CONTEXTS: readonly { readonly context: string; readonly cases: readonly E2eCase[] }[] = [
  { context: 'NetworkPolicy between server and client', cases: BETWEEN_SERVER_AND_CLIENT },
  { context: 'NetworkPolicy between server and client using port range', cases: USING_PORT_RANGE },
  { context: 'NetworkPolicy between server and client using UDP', cases: overProtocol('UDP') },
  { context: 'NetworkPolicy between server and client using SCTP', cases: overProtocol('SCTP') },
];
