import { deployment, findingsOf, lint, namespace, pod, policy, service } from './fixtures';

const web = deployment('shop', 'web', { app: 'web' }, { ports: [{ name: 'http', containerPort: 8080 }] });
const selectWeb = policy('shop', 'web-ingress', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{}] });

describe('eks-port-limit', () => {
  const ports = (n: number, protocol = 'TCP') => Array.from({ length: n }, (_, i) => ({ protocol, port: 8000 + i }));

  test('25 unique TCP ports in one rule is an error', () => {
    const [finding, ...rest] = findingsOf('eks-port-limit', [web, policy('shop', 'many', { podSelector: {}, ingress: [{ ports: ports(25) }] })]);
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({ severity: 'error', object: 'NetworkPolicy/shop/many' });
    expect(finding.message).toContain('25 unique TCP');
  });

  test('24 ports per protocol, even 24 TCP and 24 UDP in one rule, is within the limit', () => {
    expect(findingsOf('eks-port-limit', [web, policy('shop', 'ok', { podSelector: {}, ingress: [{ ports: [...ports(24), ...ports(24, 'UDP')] }] })])).toEqual([]);
  });

  test('repeated entries count once', () => {
    expect(findingsOf('eks-port-limit', [web, policy('shop', 'dup', { podSelector: {}, ingress: [{ ports: [...ports(20), ...ports(20)] }] })])).toEqual([]);
  });
});

describe('eks-service-target-port', () => {
  test('a Service port that differs from its numeric targetPort is a warning when policies exist', () => {
    const svc = service('shop', 'web', { app: 'web' }, [{ name: 'http', port: 80, targetPort: 8080 }]);
    const [finding] = findingsOf('eks-service-target-port', [web, selectWeb, svc]);
    expect(finding).toMatchObject({ severity: 'warning', object: 'Service/shop/web' });
    expect(finding.message).toContain('port 80 forwards to targetPort 8080');
  });

  test('a named targetPort whose name differs from the Service port name is a warning', () => {
    const svc = service('shop', 'web', { app: 'web' }, [{ name: 'web', port: 8080, targetPort: 'http' }]);
    const findings = findingsOf('eks-service-target-port', [web, selectWeb, svc]);
    expect(findings.map((f) => f.message)).toEqual([expect.stringContaining('named targetPort "http" differs')]);
  });

  test('a named targetPort resolving to another number than the Service port is a warning', () => {
    const svc = service('shop', 'web', { app: 'web' }, [{ name: 'http', port: 80, targetPort: 'http' }]);
    const [finding] = findingsOf('eks-service-target-port', [web, selectWeb, svc]);
    expect(finding.message).toContain('declare as 8080');
  });

  test('a named targetPort that no pod behind the Service declares is a warning', () => {
    const svc = service('shop', 'web', { app: 'web' }, [{ name: 'https', port: 8443, targetPort: 'https' }]);
    const [finding, ...rest] = findingsOf('eks-service-target-port', [web, selectWeb, svc]);
    expect(rest).toEqual([]);
    expect(finding.message).toContain('declares a TCP container port named "https"');
  });

  test('matching port and container port, by number or by name, is not reported', () => {
    const svc = service('shop', 'web', { app: 'web' }, [{ name: 'http', port: 8080, targetPort: 'http' }, { name: 'alt', port: 9000, targetPort: 9000 }]);
    expect(findingsOf('eks-service-target-port', [web, selectWeb, svc])).toEqual([]);
  });

  test('without any NetworkPolicy (and not strict) Services are not checked', () => {
    const svc = service('shop', 'web', { app: 'web' }, [{ port: 80, targetPort: 8080 }]);
    expect(findingsOf('eks-service-target-port', [web, svc])).toEqual([]);
    expect(findingsOf('eks-service-target-port', [web, svc], { enforcingMode: 'strict' })).toHaveLength(1);
  });
});

describe('eks-bare-pod', () => {
  test('a bare Pod selected by a policy is a warning', () => {
    const [finding] = findingsOf('eks-bare-pod', [pod('shop', 'debug', { app: 'web' }), selectWeb]);
    expect(finding).toMatchObject({ object: 'Pod/shop/debug', severity: 'warning' });
    expect(finding.message).toContain('shop/web-ingress');
  });

  test('a Pod with ownerReferences, or a bare Pod no policy selects, is not reported', () => {
    expect(findingsOf('eks-bare-pod', [pod('shop', 'web-abc', { app: 'web' }, { owned: true }), selectWeb])).toEqual([]);
    expect(findingsOf('eks-bare-pod', [pod('shop', 'debug', { app: 'debug' }), selectWeb])).toEqual([]);
  });
});

describe('eks-host-network', () => {
  test('a hostNetwork workload selected by a policy is a warning', () => {
    const [finding] = findingsOf('eks-host-network', [deployment('shop', 'web', { app: 'web' }, { hostNetwork: true }), selectWeb]);
    expect(finding.object).toBe('Deployment/shop/web');
  });

  test('hostNetwork pods that no policy selects are not reported, even in strict mode', () => {
    const agent = deployment('kube-system', 'agent', { app: 'agent' }, { hostNetwork: true });
    expect(findingsOf('eks-host-network', [agent, selectWeb], { enforcingMode: 'strict' })).toEqual([]);
  });
});

describe('eks-windows-node', () => {
  test('a workload with a Windows node selector, selected by a policy, is a warning', () => {
    const win = deployment('shop', 'web', { app: 'web' }, { nodeSelector: { 'kubernetes.io/os': 'windows' } });
    expect(findingsOf('eks-windows-node', [win, selectWeb])).toHaveLength(1);
  });

  test('a required node affinity for Windows counts as well', () => {
    const affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/os', operator: 'In', values: ['windows'] }] }] } } };
    const win = deployment('shop', 'web', { app: 'web' });
    (win.spec as { template: { spec: Record<string, unknown> } }).template.spec.affinity = affinity;
    expect(findingsOf('eks-windows-node', [win, selectWeb])).toHaveLength(1);
  });

  test('a Linux node selector is not reported', () => {
    const linux = deployment('shop', 'web', { app: 'web' }, { nodeSelector: { 'kubernetes.io/os': 'linux' } });
    expect(findingsOf('eks-windows-node', [linux, selectWeb])).toEqual([]);
  });
});

describe('eks-sctp', () => {
  test('an SCTP port in a rule is info', () => {
    const [finding] = findingsOf('eks-sctp', [web, policy('shop', 'sctp', { podSelector: {}, ingress: [{ ports: [{ protocol: 'SCTP', port: 3868 }] }] })]);
    expect(finding).toMatchObject({ severity: 'info' });
    expect(finding.message).toContain('spec.ingress[0].ports[0]');
  });

  test('TCP and UDP ports are not reported', () => {
    expect(findingsOf('eks-sctp', [web, policy('shop', 'tcp', { podSelector: {}, ingress: [{ ports: [{ protocol: 'UDP', port: 53 }, { port: 80 }] }] })])).toEqual([]);
  });
});

describe('eks-mixed-ip-families', () => {
  const mixed = policy('shop', 'out', {
    podSelector: {}, policyTypes: ['Egress'],
    egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8' } }, { ipBlock: { cidr: '192.168.0.0/16' } }, { ipBlock: { cidr: '2001:db8::/32' } }] }],
  });

  test('IPv4 and IPv6 ipBlocks in one input: the minority family is reported as ignored', () => {
    const [finding] = findingsOf('eks-mixed-ip-families', [web, mixed]);
    expect(finding.message).toContain('2001:db8::/32');
    expect(finding.message).toContain('IPv6 rules are ignored');
  });

  test('the cluster family from the pod CIDR decides which family is ignored', () => {
    const [finding] = findingsOf('eks-mixed-ip-families', [web, mixed], { podCidrs: ['2600:1f14::/56'] });
    expect(finding.message).toContain('IPv4 rules are ignored');
    expect(finding.message).toContain('10.0.0.0/8');
  });

  test('one family throughout is not reported', () => {
    const v4 = policy('shop', 'out', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }] });
    expect(findingsOf('eks-mixed-ip-families', [web, v4])).toEqual([]);
  });
});

test('the EKS rules stay quiet on a workload-owned, Linux, pod-network app with a matching Service', () => {
  const svc = service('shop', 'web', { app: 'web' }, [{ name: 'http', port: 8080, targetPort: 'http' }]);
  const rules = lint([namespace('shop'), web, selectWeb, svc]).map((f) => f.rule).filter((r) => r.startsWith('eks-'));
  expect(rules).toEqual([]);
});
