import { deployment, findingsOf, namespace, policy } from './fixtures';

const web = deployment('shop', 'web', { app: 'web' }, { ports: [{ name: 'http', containerPort: 8080 }] });
const api = deployment('shop', 'api', { app: 'api' }, { ports: [{ name: 'grpc', containerPort: 9090 }] });
const prometheus = deployment('monitoring', 'prometheus', { app: 'prometheus' });
const namespaces = [namespace('shop', { team: 'shop' }), namespace('monitoring', { team: 'obs' })];

describe('policy-selects-nothing', () => {
  test('a podSelector matching no workload of its namespace is a warning that lists the labels present', () => {
    const findings = findingsOf('policy-selects-nothing', [...namespaces, web, policy('shop', 'typo', { podSelector: { matchLabels: { app: 'wbe' } } })]);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: 'warning', object: 'NetworkPolicy/shop/typo' });
    expect(findings[0].fix).toContain('app=web');
  });

  test('a policy that selects a workload is not reported', () => {
    expect(findingsOf('policy-selects-nothing', [...namespaces, web, policy('shop', 'ok', { podSelector: { matchLabels: { app: 'web' } } })])).toEqual([]);
  });

  test('a policy for a namespace with no workloads in the input is only info (the input may be partial)', () => {
    const [finding] = findingsOf('policy-selects-nothing', [web, policy('payments', 'deny', { podSelector: {} })]);
    expect(finding).toMatchObject({ severity: 'info', object: 'NetworkPolicy/payments/deny' });
  });
});

describe('peer-matches-nothing', () => {
  test('a podSelector peer matching no pod of a namespace that has pods is a warning', () => {
    const spec = { podSelector: {}, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'frontend' } } }] }] };
    const [finding, ...rest] = findingsOf('peer-matches-nothing', [...namespaces, web, policy('shop', 'p', spec)]);
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({ severity: 'warning' });
    expect(finding.message).toContain('spec.ingress[0].from[0]');
  });

  test('a peer that matches a pod is not reported', () => {
    const spec = { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'obs' } }, podSelector: { matchLabels: { app: 'prometheus' } } }] }] };
    expect(findingsOf('peer-matches-nothing', [...namespaces, web, prometheus, policy('shop', 'p', spec)])).toEqual([]);
  });

  test('a namespaceSelector on labels of undeclared namespaces is only info', () => {
    const spec = { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'obs' } } }] }] };
    const [finding] = findingsOf('peer-matches-nothing', [web, prometheus, policy('shop', 'p', spec)]);
    expect(finding.severity).toBe('info');
  });

  test('a namespaceSelector matching no declared namespace, when every namespace is declared, is a warning', () => {
    const spec = { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'nobody' } } }] }] };
    const [finding] = findingsOf('peer-matches-nothing', [...namespaces, web, prometheus, policy('shop', 'p', spec)]);
    expect(finding.severity).toBe('warning');
  });

  test('a peer selecting a declared namespace that holds no workloads in the input is only info', () => {
    const spec = { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'obs' } }, podSelector: { matchLabels: { app: 'prometheus' } } }] }] };
    const [finding] = findingsOf('peer-matches-nothing', [...namespaces, web, policy('shop', 'p', spec)]);
    expect(finding.severity).toBe('info');
  });
});

describe('named-port-undeclared', () => {
  test('an ingress port name no selected pod declares is a warning', () => {
    const spec = { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ ports: [{ port: 'https' }] }] };
    const [finding] = findingsOf('named-port-undeclared', [web, policy('shop', 'p', spec)]);
    expect(finding.message).toContain('"https"');
    expect(finding.fix).toContain('"http"');
  });

  test('an egress port name resolves on the destination pods, not on the selected ones', () => {
    const spec = { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: { matchLabels: { app: 'api' } } }], ports: [{ port: 'grpc' }] }] };
    expect(findingsOf('named-port-undeclared', [web, api, policy('shop', 'p', spec)])).toEqual([]);
    const wrong = { ...spec, egress: [{ to: [{ podSelector: { matchLabels: { app: 'api' } } }], ports: [{ port: 'http' }] }] };
    expect(findingsOf('named-port-undeclared', [web, api, policy('shop', 'p', wrong)])).toHaveLength(1);
  });

  test('a name declared with another protocol is reported with that protocol as the fix', () => {
    const spec = { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ ports: [{ port: 'http', protocol: 'UDP' }] }] };
    const [finding] = findingsOf('named-port-undeclared', [web, policy('shop', 'p', spec)]);
    expect(finding.fix).toContain('protocol: TCP');
  });
});

describe('peer-split-and', () => {
  test('namespaceSelector {} and podSelector as two items admit every pod of every namespace: a warning', () => {
    const spec = { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ namespaceSelector: {} }, { podSelector: { matchLabels: { app: 'prometheus' } } }] }] };
    const [finding] = findingsOf('peer-split-and', [...namespaces, web, prometheus, policy('shop', 'p', spec)]);
    expect(finding).toMatchObject({ severity: 'warning', object: 'NetworkPolicy/shop/p' });
    expect(finding.message).toContain('adds nothing');
  });

  test('a podSelector item that matches pods only in the selected namespaces is a warning', () => {
    const spec = { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'obs' } } }, { podSelector: { matchLabels: { app: 'prometheus' } } }] }] };
    const [finding] = findingsOf('peer-split-and', [...namespaces, web, prometheus, policy('shop', 'p', spec)]);
    expect(finding.message).toContain('monitoring/prometheus');
  });

  test('a deliberate OR (the podSelector matches pods of the own namespace) is not reported', () => {
    const spec = { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'obs' } } }, { podSelector: { matchLabels: { app: 'api' } } }] }] };
    expect(findingsOf('peer-split-and', [...namespaces, web, api, prometheus, policy('shop', 'p', spec)])).toEqual([]);
  });

  test('one item with both selectors is not reported', () => {
    const spec = { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'obs' } }, podSelector: { matchLabels: { app: 'prometheus' } } }] }] };
    expect(findingsOf('peer-split-and', [...namespaces, web, prometheus, policy('shop', 'p', spec)])).toEqual([]);
  });
});

describe('peer-merged-or', () => {
  test('one item with both selectors matching nothing, while the podSelector matches pods elsewhere, is a warning', () => {
    const spec = { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'obs' } }, podSelector: { matchLabels: { app: 'api' } } }] }] };
    const [finding] = findingsOf('peer-merged-or', [...namespaces, web, api, prometheus, policy('shop', 'p', spec)]);
    expect(finding.message).toContain('shop/api');
    expect(finding.fix).toContain('two peers');
  });

  test('one item with both selectors that matches pods is not reported', () => {
    const spec = { podSelector: {}, ingress: [{ from: [{ namespaceSelector: {}, podSelector: { matchLabels: { app: 'api' } } }] }] };
    expect(findingsOf('peer-merged-or', [...namespaces, web, api, prometheus, policy('shop', 'p', spec)])).toEqual([]);
  });
});

describe('peer-matches-nothing and namespaces outside the input', () => {
  test('a peer naming a namespace the input does not hold, by its automatic label, is only info', () => {
    const spec = { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }] }] };
    const [finding] = findingsOf('peer-matches-nothing', [...namespaces, web, policy('shop', 'p', spec)]);
    expect(finding).toMatchObject({ severity: 'info' });
    expect(finding.message).toContain('"ingress-nginx"');
  });

  test('a peer selecting the cluster DNS in kube-system is not reported when the input lacks kube-system', () => {
    const spec = { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }] }] };
    expect(findingsOf('peer-matches-nothing', [...namespaces, web, policy('shop', 'dns', spec)])).toEqual([]);
  });
});
