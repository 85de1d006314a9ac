import { deployment, eksNetpolAgent, endpointSlice, findingsOf, namespace, pod, policy, service, serviceWith } from './fixtures';

const api = deployment('shop', 'api', { app: 'api' }, { ports: [{ name: 'http', containerPort: 8080 }] });
const web = deployment('shop', 'web', { app: 'web' });
/** Service port 80 in front of container port 8080, by number. */
const apiService = service('shop', 'api', { app: 'api' }, [{ name: 'http', port: 80, targetPort: 8080 }]);
const ingressOn = (ports: unknown[], from?: unknown[]) => policy('shop', 'api-ingress', {
  podSelector: { matchLabels: { app: 'api' } },
  ingress: [{ ...(from ? { from } : {}), ports }],
});

describe('service-port-not-target-port', () => {
  test('an ingress rule on the backends admitting the Service port, not the target port, is a warning on the policy', () => {
    const [finding, ...rest] = findingsOf('service-port-not-target-port', [api, apiService, ingressOn([{ port: 80 }])]);
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({ severity: 'warning', object: 'NetworkPolicy/shop/api-ingress', file: 'test.yaml', line: 3 });
    expect(finding.message).toContain('spec.ingress[0]: admits TCP 80, the port of Service shop/api (spec.ports[0] "http"), but not its targetPort 8080');
    expect(finding.message).toContain('connections through the Service are denied');
    expect(finding.fix).toContain('{protocol: TCP, port: 8080}');
  });

  test('a named targetPort is resolved on the backend: admitting 80 where "http" is 8080 is reported with both', () => {
    const named = service('shop', 'api', { app: 'api' }, [{ port: 80, targetPort: 'http' }]);
    const [finding] = findingsOf('service-port-not-target-port', [api, named, ingressOn([{ port: 80 }])]);
    expect(finding.message).toContain('targetPort "http" (= 8080 on shop/api)');
    expect(finding.fix).toContain('{protocol: TCP, port: http}');
  });

  test('admitting the target port, by number, by name or in a range, is not reported', () => {
    for (const ports of [[{ port: 8080 }], [{ port: 'http' }], [{ port: 80, endPort: 9000 }], [{ port: 80 }, { port: 8080 }]]) {
      expect(findingsOf('service-port-not-target-port', [api, apiService, ingressOn(ports)])).toEqual([]);
    }
  });

  test('another rule admitting the target port from the same sources covers the Service port rule', () => {
    const two = policy('shop', 'api-ingress', {
      podSelector: { matchLabels: { app: 'api' } },
      ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 80 }] }, { ports: [{ port: 8080 }] }],
    });
    expect(findingsOf('service-port-not-target-port', [api, web, apiService, two])).toEqual([]);
  });

  test('a rule admitting the target port to other sources only does not cover the Service port rule', () => {
    const admin = deployment('shop', 'admin', { app: 'admin' });
    const two = policy('shop', 'api-ingress', {
      podSelector: { matchLabels: { app: 'api' } },
      ingress: [
        { from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 80 }] },
        { from: [{ podSelector: { matchLabels: { app: 'admin' } } }], ports: [{ port: 8080 }] },
      ],
    });
    const [finding] = findingsOf('service-port-not-target-port', [api, web, admin, apiService, two]);
    expect(finding.message).toContain('spec.ingress[0]');
  });

  test('a Service whose port equals its target port is not reported', () => {
    const same = service('shop', 'api', { app: 'api' }, [{ port: 8080, targetPort: 8080 }]);
    expect(findingsOf('service-port-not-target-port', [api, same, ingressOn([{ port: 8080 }])])).toEqual([]);
  });

  test('an egress rule admitting the Service port to the backends, but not the target port, is a warning', () => {
    const out = policy('shop', 'web-egress', {
      podSelector: { matchLabels: { app: 'web' } },
      policyTypes: ['Egress'],
      egress: [{ to: [{ podSelector: { matchLabels: { app: 'api' } } }], ports: [{ port: 80 }] }],
    });
    const [finding, ...rest] = findingsOf('service-port-not-target-port', [api, web, apiService, out]);
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({ object: 'NetworkPolicy/shop/web-egress' });
    expect(finding.message).toContain('spec.egress[0]: admits TCP 80, the port of Service shop/api');
    expect(finding.message).toContain('to shop/api');
  });

  test('egress rules without peers or to ipBlocks only are not about the Service\'s pods', () => {
    const out = policy('shop', 'web-egress', {
      podSelector: { matchLabels: { app: 'web' } },
      policyTypes: ['Egress'],
      egress: [{ ports: [{ port: 80 }] }, { to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ port: 80 }] }],
    });
    expect(findingsOf('service-port-not-target-port', [api, web, apiService, out])).toEqual([]);
  });

  test('backends from an EndpointSlice count when the address is a pod\'s: the slice port is the target port', () => {
    const db = { ...pod('shop', 'db', { app: 'db' }, { owned: true }), status: { podIP: '10.0.1.5' } };
    const bare = serviceWith('shop', 'db', { ports: [{ name: 'pg', port: 5432 }] });
    const slice = endpointSlice('shop', 'db-1', 'db', ['10.0.1.5'], [{ name: 'pg', port: 6432, protocol: 'TCP' }]);
    const allow = policy('shop', 'db-ingress', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ ports: [{ port: 5432 }] }] });
    const [finding] = findingsOf('service-port-not-target-port', [db, bare, slice, allow]);
    expect(finding.message).toContain('admits TCP 5432, the port of Service shop/db (spec.ports[0] "pg"), but not its target port 6432 (from its endpoints)');
  });

  test('the Service\'s lint-disable annotation silences it too', () => {
    const annotated = { ...apiService, metadata: { name: 'api', namespace: 'shop', annotations: { 'eks-netpol.io/lint-disable': 'service-port-not-target-port' } } };
    expect(findingsOf('service-port-not-target-port', [api, annotated, ingressOn([{ port: 80 }])])).toEqual([]);
  });
});

describe('service-no-backend', () => {
  test('a selector that selects no pod of the namespace is a warning naming the labels present', () => {
    const typo = service('shop', 'api', { app: 'apl' }, [{ port: 80, targetPort: 8080 }]);
    const [finding, ...rest] = findingsOf('service-no-backend', [namespace('shop'), api, typo]);
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({ severity: 'warning', object: 'Service/shop/api', file: 'test.yaml', line: 3 });
    expect(finding.message).toContain('no pod in namespace shop matches the selector');
    expect(finding.fix).toContain('app=api');
  });

  test('in a namespace the input holds no workload of, it is info', () => {
    const [finding] = findingsOf('service-no-backend', [api, service('billing', 'ledger', { app: 'ledger' }, [{ port: 80 }])]);
    expect(finding).toMatchObject({ severity: 'info', object: 'Service/billing/ledger' });
  });

  test('a Service without selector and without EndpointSlices is info; with a slice, or ExternalName, nothing', () => {
    const bare = serviceWith('shop', 'db', { ports: [{ port: 5432 }] });
    const [finding] = findingsOf('service-no-backend', [api, bare]);
    expect(finding).toMatchObject({ severity: 'info', object: 'Service/shop/db' });
    expect(finding.fix).toContain('kubernetes.io/service-name: db');
    const slice = endpointSlice('shop', 'db-1', 'db', ['10.0.9.9'], [{ port: 5432, protocol: 'TCP' }]);
    expect(findingsOf('service-no-backend', [api, bare, slice])).toEqual([]);
    const alias = serviceWith('shop', 'ext', { type: 'ExternalName', externalName: 'db.example.com' });
    expect(findingsOf('service-no-backend', [api, alias])).toEqual([]);
  });

  test('a Service whose selector selects a pod is not reported', () => {
    expect(findingsOf('service-no-backend', [api, apiService])).toEqual([]);
  });
});

describe('service-target-port-undeclared', () => {
  test('a named targetPort no backend declares is a warning: the port forwards nowhere', () => {
    const svc = service('shop', 'api', { app: 'api' }, [{ name: 'https', port: 443, targetPort: 'https' }]);
    const [finding, ...rest] = findingsOf('service-target-port-undeclared', [api, svc]);
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({ severity: 'warning', object: 'Service/shop/api' });
    expect(finding.message).toContain('spec.ports[0]: port 443 forwards to the named targetPort "https", which no backend declares (shop/api declares none)');
    expect(finding.fix).toContain('(declared: "http")');
  });

  test('a name declared with another protocol says so, and the fix names the protocol', () => {
    const svc = service('shop', 'api', { app: 'api' }, [{ port: 80, targetPort: 'http', protocol: 'UDP' }]);
    const [finding] = findingsOf('service-target-port-undeclared', [api, svc]);
    expect(finding.message).toContain('shop/api declares it as TCP, not UDP');
    expect(finding.fix).toContain('protocol: TCP');
  });

  test('when only some backends declare it, it is info', () => {
    const canary = deployment('shop', 'api-canary', { app: 'api', track: 'canary' });
    const svc = service('shop', 'api', { app: 'api' }, [{ port: 80, targetPort: 'http' }]);
    const [finding] = findingsOf('service-target-port-undeclared', [api, canary, svc]);
    expect(finding).toMatchObject({ severity: 'info' });
    expect(finding.message).toContain('shop/api-canary declares none');
    expect(finding.fix).toContain('in the pod template of shop/api-canary');
  });

  test('numeric targetPorts and declared names are not reported', () => {
    const svc = service('shop', 'api', { app: 'api' }, [{ name: 'http', port: 80, targetPort: 'http' }, { name: 'alt', port: 81, targetPort: 9090 }]);
    expect(findingsOf('service-target-port-undeclared', [api, svc])).toEqual([]);
  });
});

test('eks-service-target-port is about the VPC CNI\'s agent: with eks-netpol\'s agent in the input it is quiet', () => {
  const objects = [api, apiService, ingressOn([{ port: 8080 }])];
  expect(findingsOf('eks-service-target-port', objects)).toHaveLength(1);
  expect(findingsOf('eks-service-target-port', [...objects, eksNetpolAgent()])).toEqual([]);
});
