import { clusterFromObjects } from '../../lib/manifests';
import { formatProblem } from '../../lib/model/problems';
import { serviceBackends, ServiceBackends } from '../../lib/model/service-backends';
import { ClusterState } from '../../lib/model/types';

type Obj = Record<string, unknown>;

function pod(ns: string, name: string, labels: Record<string, string>, ports: Obj[] = [], ip?: string): Obj {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns, labels },
    spec: { containers: [{ name: 'app', ports }] }, ...(ip ? { status: { podIP: ip } } : {}),
  };
}

function deployment(ns: string, name: string, labels: Record<string, string>, ports: Obj[]): Obj {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: ns },
    spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'app', ports }] } } },
  };
}

function service(ns: string, name: string, spec: Obj): Obj {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns }, spec };
}

function slice(ns: string, name: string, serviceName: string, body: Obj, labels: Record<string, string> = {}): Obj {
  return {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: { name, namespace: ns, labels: { 'kubernetes.io/service-name': serviceName, ...labels } }, ...body,
  };
}

function clusterOf(objects: Obj[]): ClusterState {
  const { cluster, problems } = clusterFromObjects(objects, { file: 'test.yaml' });
  if (problems.length > 0) throw new Error(`fixture is invalid:\n${problems.map(formatProblem).join('\n')}`);
  return cluster;
}

/** The backends of the Service `ns/name` of `objects`. */
function backendsOf(objects: Obj[], id: string): ServiceBackends {
  const cluster = clusterOf(objects);
  const svc = cluster.services.find((s) => s.id === id);
  if (!svc) throw new Error(`no Service ${id}`);
  return serviceBackends(cluster, svc);
}

/** `pod-id:targetPort` (or `address:targetPort`) per backend of each port, for compact expectations. */
function summary(result: ServiceBackends): string[][] {
  return result.ports.map((p) => p.backends.map((b) => `${b.kind === 'pod' ? b.pod.id : b.address}:${b.targetPort}`));
}

const API = { app: 'api' };
const HTTP = [{ name: 'http', containerPort: 8080 }];

describe('backends of a Service with a selector', () => {
  test('a numeric targetPort is the backend port of every selected pod', () => {
    // GIVEN two api identities and one of another app
    const objects = [
      deployment('shop', 'api', API, HTTP), pod('shop', 'api-canary', API), pod('shop', 'web', { app: 'web' }),
      service('shop', 'api', { selector: API, ports: [{ port: 80, targetPort: 9090 }] }),
    ];
    // WHEN / THEN
    const result = backendsOf(objects, 'shop/api');
    expect(summary(result)).toEqual([['shop/api:9090', 'shop/api-canary:9090']]);
    expect(result.ports[0].unresolved).toEqual([]);
    expect(result.reason).toBeUndefined();
  });

  test('a targetPort left out is the Service port', () => {
    expect(summary(backendsOf([deployment('shop', 'api', API, HTTP), service('shop', 'api', { selector: API, ports: [{ port: 8080 }] })], 'shop/api')))
      .toEqual([['shop/api:8080']]);
  });

  test('a named targetPort resolves per pod to its container port of that name', () => {
    const objects = [
      deployment('shop', 'api', API, [{ name: 'http', containerPort: 8080 }]),
      deployment('shop', 'api-v2', API, [{ name: 'http', containerPort: 9000 }]),
      service('shop', 'api', { selector: API, ports: [{ port: 80, targetPort: 'http' }] }),
    ];
    expect(summary(backendsOf(objects, 'shop/api'))).toEqual([['shop/api:8080', 'shop/api-v2:9000']]);
  });

  test('a backend that does not declare the named port gets no endpoint, with the reason', () => {
    // GIVEN two backends, one of which lacks the named port
    const objects = [
      deployment('shop', 'api', API, HTTP),
      deployment('shop', 'api-legacy', API, [{ containerPort: 8080 }]),
      service('shop', 'api', { selector: API, ports: [{ port: 80, targetPort: 'http' }] }),
    ];
    // WHEN
    const [port] = backendsOf(objects, 'shop/api').ports;
    // THEN
    expect(port.backends.map((b) => b.kind === 'pod' && b.pod.id)).toEqual(['shop/api']);
    expect(port.unresolved).toEqual([expect.objectContaining({
      kind: 'pod', targetPort: undefined,
      reason: 'shop/api-legacy declares no container port named "http", so it gets no endpoint for this port',
    })]);
  });

  test('a named port of another protocol does not resolve: name and protocol must both match', () => {
    const objects = [
      deployment('kube-system', 'dns', { app: 'dns' }, [{ name: 'dns', containerPort: 53, protocol: 'UDP' }]),
      service('kube-system', 'dns', { selector: { app: 'dns' }, ports: [{ name: 'dns-tcp', port: 53, targetPort: 'dns', protocol: 'TCP' }] }),
    ];
    const [port] = backendsOf(objects, 'kube-system/dns').ports;
    expect(port.backends).toEqual([]);
    expect(port.unresolved.map((u) => u.reason)).toEqual([
      'kube-system/dns declares the container port "dns" as UDP, not TCP, so it gets no endpoint for this port',
    ]);
  });

  test('each Service port is resolved on its own', () => {
    const objects = [
      deployment('shop', 'api', API, [{ name: 'http', containerPort: 8080 }, { name: 'metrics', containerPort: 9100 }]),
      service('shop', 'api', { selector: API, ports: [{ name: 'http', port: 80, targetPort: 'http' }, { name: 'metrics', port: 9100, targetPort: 'metrics' }] }),
    ];
    expect(summary(backendsOf(objects, 'shop/api'))).toEqual([['shop/api:8080'], ['shop/api:9100']]);
  });

  test('only pods of the Service\'s own namespace are selected', () => {
    const objects = [
      deployment('shop', 'api', API, HTTP), deployment('other', 'api', API, HTTP),
      service('shop', 'api', { selector: API, ports: [{ port: 80 }] }),
    ];
    expect(summary(backendsOf(objects, 'shop/api'))).toEqual([['shop/api:80']]);
  });

  test('a Service in a namespace without pods has no backends, and says why', () => {
    const result = backendsOf([deployment('shop', 'api', API, HTTP), service('empty', 'api', { selector: API, ports: [{ port: 80 }] })], 'empty/api');
    expect(result.ports).toEqual([expect.objectContaining({ backends: [], unresolved: [] })]);
    expect(result.reason).toBe('namespace empty has no pods, so the selector app=api selects none');
  });

  test('a selector no pod matches', () => {
    const result = backendsOf([deployment('shop', 'web', { app: 'web' }, HTTP), service('shop', 'api', { selector: API, ports: [{ port: 80 }] })], 'shop/api');
    expect(result.reason).toBe('no pod in namespace shop matches the selector app=api');
  });

  test('a headless Service still has backends: DNS answers with their addresses', () => {
    const result = backendsOf([
      pod('shop', 'db-0', { app: 'db' }, [{ name: 'pg', containerPort: 5432 }], '10.0.5.5'),
      service('shop', 'db', { clusterIP: 'None', selector: { app: 'db' }, ports: [{ port: 5432, targetPort: 'pg' }] }),
    ], 'shop/db');
    expect(result.service.headless).toBe(true);
    expect(summary(result)).toEqual([['shop/db-0:5432']]);
  });

  test('the EndpointSlice controller\'s own slices add nothing; another controller\'s slices add their addresses', () => {
    const objects = [
      deployment('shop', 'api', API, HTTP),
      service('shop', 'api', { selector: API, ports: [{ name: 'http', port: 80, targetPort: 'http' }] }),
      slice('shop', 'api-abc', 'api', { addressType: 'IPv4', endpoints: [{ addresses: ['10.0.9.9'] }], ports: [{ name: 'http', port: 8080 }] },
        { 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' }),
      slice('shop', 'api-mesh', 'api', { addressType: 'IPv4', endpoints: [{ addresses: ['10.0.9.10'] }], ports: [{ name: 'http', port: 8443 }] },
        { 'endpointslice.kubernetes.io/managed-by': 'mesh.example.com' }),
    ];
    expect(summary(backendsOf(objects, 'shop/api'))).toEqual([['shop/api:8080', '10.0.9.10:8443']]);
  });
});

describe('backends of a Service without a selector', () => {
  test('an EndpointSlice gives its addresses, on the slice port of the Service port\'s name', () => {
    const objects = [
      service('shop', 'db', { ports: [{ name: 'pg', port: 5432, targetPort: 15432 }] }),
      slice('shop', 'db-1', 'db', {
        addressType: 'IPv4',
        endpoints: [{ addresses: ['192.0.2.42'] }, { addresses: ['192.0.2.43'], conditions: { ready: false } }],
        ports: [{ name: 'pg', port: 6432 }],
      }),
    ];
    const result = backendsOf(objects, 'shop/db');
    // The slice's port number is the target: a selectorless Service's targetPort is not used.
    expect(summary(result)).toEqual([['192.0.2.42:6432']]);
    expect(result.ports[0].unresolved).toEqual([expect.objectContaining({
      address: '192.0.2.43', reason: 'not ready (conditions.ready: false in EndpointSlice shop/db-1)',
    })]);
  });

  test('an address that is a pod IP names the pod behind it', () => {
    const objects = [
      pod('shop', 'db-0', { app: 'db' }, [], '10.0.5.5'),
      service('shop', 'db', { ports: [{ port: 5432 }] }),
      slice('shop', 'db-1', 'db', { addressType: 'IPv4', endpoints: [{ addresses: ['10.0.5.5'], nodeName: 'n1' }], ports: [{ port: 5432 }] }),
    ];
    const [backend] = backendsOf(objects, 'shop/db').ports[0].backends;
    expect(backend).toMatchObject({ kind: 'address', address: '10.0.5.5', endpointSlice: 'shop/db-1', nodeName: 'n1', targetPort: 5432 });
    expect(backend.pod?.id).toBe('shop/db-0');
  });

  test('a slice without a port of the Service port\'s name and protocol gives nothing for that port', () => {
    const objects = [
      service('shop', 'db', { ports: [{ name: 'pg', port: 5432 }, { name: 'metrics', port: 9187 }] }),
      slice('shop', 'db-1', 'db', { addressType: 'IPv4', endpoints: [{ addresses: ['192.0.2.42'] }], ports: [{ name: 'pg', port: 5432 }, { name: 'metrics', port: 9187, protocol: 'UDP' }] }),
    ];
    const result = backendsOf(objects, 'shop/db');
    expect(summary(result)).toEqual([['192.0.2.42:5432'], []]);
    expect(result.ports[1].unresolved.map((u) => u.reason)).toEqual([
      'EndpointSlice shop/db-1 has no TCP port named "metrics", which Service port 9187 takes its endpoints from',
    ]);
  });

  test('an address in two slices counts once', () => {
    const body = { addressType: 'IPv4', endpoints: [{ addresses: ['192.0.2.42'] }], ports: [{ port: 5432 }] };
    expect(summary(backendsOf([service('shop', 'db', { ports: [{ port: 5432 }] }), slice('shop', 'db-1', 'db', body), slice('shop', 'db-2', 'db', body)], 'shop/db')))
      .toEqual([['192.0.2.42:5432']]);
  });

  test('a legacy Endpoints object gives the backends when no EndpointSlice does', () => {
    const objects = [
      service('shop', 'db', { ports: [{ port: 5432 }] }),
      { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'db', namespace: 'shop' }, subsets: [{ addresses: [{ ip: '192.0.2.42' }], ports: [{ port: 5432 }] }] },
    ];
    expect(summary(backendsOf(objects, 'shop/db'))).toEqual([['192.0.2.42:5432']]);
  });

  test('when EndpointSlices exist, Endpoints (already mirrored into them) are not counted again', () => {
    const objects = [
      service('shop', 'db', { ports: [{ port: 5432 }] }),
      { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'db', namespace: 'shop' }, subsets: [{ addresses: [{ ip: '192.0.2.99' }], ports: [{ port: 5432 }] }] },
      slice('shop', 'db-1', 'db', { addressType: 'IPv4', endpoints: [{ addresses: ['192.0.2.42'] }], ports: [{ port: 5432 }] }),
    ];
    expect(summary(backendsOf(objects, 'shop/db'))).toEqual([['192.0.2.42:5432']]);
  });

  test('a selectorless Service without endpoints has no backends, and says why', () => {
    const result = backendsOf([service('shop', 'db', { selector: {}, ports: [{ port: 5432 }] }), pod('shop', 'db-0', {})], 'shop/db');
    expect(result.ports[0].backends).toEqual([]);
    expect(result.reason).toBe('the Service has no selector, and no EndpointSlice labelled kubernetes.io/service-name: db nor Endpoints object of that name gives it endpoints');
  });
});

describe('ExternalName', () => {
  test('an ExternalName Service has no backends, and says why', () => {
    const result = backendsOf([pod('shop', 'db-0', { app: 'db' }), service('shop', 'db', { type: 'ExternalName', externalName: 'db.example.com', selector: { app: 'db' } })], 'shop/db');
    expect(result.ports).toEqual([]);
    expect(result.reason).toBe('an ExternalName Service is a DNS alias (CNAME) for db.example.com: kube-proxy programs nothing for it, and clients connect to whatever that name resolves to');
  });
});
