import {
  coreDns, daemonSet, deployment, DENY_ALL_EGRESS, dnsRule, findingsOf, lint, namespace, pod, policy,
} from './fixtures';

const web = deployment('shop', 'web', { app: 'web' });

describe('dns-egress-blocked', () => {
  test('a default-deny egress policy without a DNS exception is an error on each selected workload', () => {
    const findings = findingsOf('dns-egress-blocked', [web, policy('shop', 'default-deny', DENY_ALL_EGRESS)]);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: 'error', object: 'Deployment/shop/web', file: 'test.yaml', line: 1 });
    expect(findings[0].message).toContain('shop/default-deny');
    expect(findings[0].fix).toContain('UDP');
  });

  test('an egress rule admitting UDP and TCP 53 to kube-dns satisfies the rule', () => {
    const objects = [web, policy('shop', 'default-deny', { ...DENY_ALL_EGRESS, egress: [dnsRule()] })];
    expect(findingsOf('dns-egress-blocked', objects)).toEqual([]);
    expect(findingsOf('dns-tcp-missing', objects)).toEqual([]);
  });

  test('pods whose egress is not isolated are not checked', () => {
    expect(findingsOf('dns-egress-blocked', [web, policy('shop', 'ingress-only', { podSelector: {}, policyTypes: ['Ingress'] })])).toEqual([]);
  });

  test('a DNS rule naming the CoreDNS ports by name resolves on the real kube-dns pods of the input', () => {
    const byName = { to: [{ namespaceSelector: {}, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ protocol: 'UDP', port: 'dns' }, { protocol: 'TCP', port: 'dns-tcp' }] };
    expect(findingsOf('dns-egress-blocked', [web, coreDns(), policy('shop', 'deny', { ...DENY_ALL_EGRESS, egress: [byName] })])).toEqual([]);
  });

  test('a DNS rule aimed at pods that are not kube-dns does not count', () => {
    const wrong = { to: [{ namespaceSelector: {}, podSelector: { matchLabels: { 'k8s-app': 'dns' } } }], ports: [{ protocol: 'UDP', port: 53 }] };
    expect(findingsOf('dns-egress-blocked', [web, coreDns(), policy('shop', 'deny', { ...DENY_ALL_EGRESS, egress: [wrong] })])).toHaveLength(1);
  });

  test('when the kube-dns pods deny ingress from the workload, the finding says the ingress side blocks it', () => {
    const objects = [
      web, coreDns(),
      policy('shop', 'deny', { ...DENY_ALL_EGRESS, egress: [dnsRule()] }),
      policy('kube-system', 'dns-locked', { podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } }, policyTypes: ['Ingress'] }),
    ];
    const [finding] = findingsOf('dns-egress-blocked', objects);
    expect(finding.message).toContain('ingress of kube-system/coredns');
    expect(finding.message).toContain('kube-system/dns-locked');
  });

  test('strict mode isolates pods that no policy selects, so they need a DNS allowance too', () => {
    expect(findingsOf('dns-egress-blocked', [web], { enforcingMode: 'strict' })).toHaveLength(1);
    expect(findingsOf('dns-egress-blocked', [web])).toEqual([]);
  });

  test('strict mode is read from the aws-node DaemonSet of the input', () => {
    const awsNode = daemonSet('kube-system', 'aws-node', { 'k8s-app': 'aws-node' }, {
      hostNetwork: true, env: [{ name: 'NETWORK_POLICY_ENFORCING_MODE', value: 'strict' }],
    });
    expect(findingsOf('dns-egress-blocked', [web, awsNode]).map((f) => f.object)).toEqual(['Deployment/shop/web']);
  });

  test('host-network pods are left out (their traffic is the node\'s)', () => {
    const agent = deployment('shop', 'agent', { app: 'agent' }, { hostNetwork: true });
    expect(findingsOf('dns-egress-blocked', [agent, policy('shop', 'deny', DENY_ALL_EGRESS)])).toEqual([]);
  });
});

describe('dns-tcp-missing', () => {
  test('DNS allowed on UDP 53 only is a warning', () => {
    const findings = findingsOf('dns-tcp-missing', [web, policy('shop', 'deny', { ...DENY_ALL_EGRESS, egress: [dnsRule(['UDP'])] })]);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: 'warning', object: 'Deployment/shop/web' });
  });

  test('an egress rule without ports admits TCP 53 as well', () => {
    const anyPort = { to: [{ namespaceSelector: {} }] };
    expect(findingsOf('dns-tcp-missing', [web, policy('shop', 'deny', { ...DENY_ALL_EGRESS, egress: [anyPort] })])).toEqual([]);
  });

  test('a pod that cannot use DNS at all gets dns-egress-blocked, not dns-tcp-missing', () => {
    const rules = lint([web, policy('shop', 'deny', DENY_ALL_EGRESS)]).map((f) => f.rule);
    expect(rules).toContain('dns-egress-blocked');
    expect(rules).not.toContain('dns-tcp-missing');
  });
});

describe('dns-nodelocal-blocked', () => {
  const nodeLocal = daemonSet('kube-system', 'node-local-dns', { 'k8s-app': 'node-local-dns' }, { hostNetwork: true });

  test('DNS allowed to kube-dns only, while the input runs NodeLocal DNSCache, is a warning', () => {
    const findings = findingsOf('dns-nodelocal-blocked', [web, nodeLocal, policy('shop', 'deny', { ...DENY_ALL_EGRESS, egress: [dnsRule()] })]);
    expect(findings).toHaveLength(1);
    expect(findings[0].message).toContain('169.254.20.10');
  });

  test('an ipBlock for 169.254.20.10 satisfies it', () => {
    const local = { to: [{ ipBlock: { cidr: '169.254.20.10/32' } }], ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] };
    const objects = [web, nodeLocal, policy('shop', 'deny', { ...DENY_ALL_EGRESS, egress: [dnsRule(), local] })];
    expect(findingsOf('dns-nodelocal-blocked', objects)).toEqual([]);
    expect(findingsOf('dns-egress-blocked', objects)).toEqual([]);
  });

  test('without NodeLocal DNSCache in the input the rule is silent, unless the options say it is used', () => {
    const objects = [web, policy('shop', 'deny', { ...DENY_ALL_EGRESS, egress: [dnsRule()] })];
    expect(findingsOf('dns-nodelocal-blocked', objects)).toEqual([]);
    expect(findingsOf('dns-nodelocal-blocked', objects, { nodeLocalDns: true })).toHaveLength(1);
  });

  test('with NodeLocal DNSCache, allowing only the node-local address is not a DNS error', () => {
    const local = { to: [{ ipBlock: { cidr: '169.254.20.10/32' } }], ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] };
    const rules = lint([web, nodeLocal, namespace('shop'), policy('shop', 'deny', { ...DENY_ALL_EGRESS, egress: [local] })]).map((f) => f.rule);
    expect(rules).not.toContain('dns-egress-blocked');
    expect(rules).not.toContain('dns-nodelocal-blocked');
  });
});

describe('the seed scenario', () => {
  test('an alpine pod in a namespace with default-deny egress and no DNS exception is reported by rule id', () => {
    const alpine = pod('demo', 'alpine', { app: 'alpine' }, { owned: true });
    const findings = lint([namespace('demo'), alpine, policy('demo', 'default-deny-egress', DENY_ALL_EGRESS)]);
    expect(findings.map((f) => [f.rule, f.object])).toEqual([['dns-egress-blocked', 'Pod/demo/alpine']]);
  });
});

describe('strict mode and the real CoreDNS', () => {
  test('in strict mode CoreDNS needs an ingress policy too: without one, DNS is blocked on its side', () => {
    const objects = [web, coreDns(), policy('shop', 'dns', { podSelector: {}, policyTypes: ['Egress'], egress: [dnsRule()] })];
    const [finding] = findingsOf('dns-egress-blocked', objects, { enforcingMode: 'strict' });
    expect(finding.message).toContain('ingress of kube-system/coredns (isolated by strict mode)');
    const open = policy('kube-system', 'dns-in', { podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } }, ingress: [{ ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] }] });
    expect(findingsOf('dns-egress-blocked', [...objects, open], { enforcingMode: 'strict' })).toEqual([]);
  });
});
