/**
 * API mode's source without a kernel: the compiled KubernetesSource (it loads @kubernetes/client-node, an ES module
 * jest does not load, so it runs in a child process) against the fake API server. It must watch Services,
 * EndpointSlices and Nodes beside Pods, Namespaces and NetworkPolicies, and hand the reconciler a new state when
 * only an EndpointSlice changes: what a cluster IP stands for follows the endpoints.
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FakeApiServer, fakeKubeconfig } from '../support/fake-apiserver';

const SOURCE = path.join(__dirname, '..', '..', 'dist', 'lib', 'agent', 'kubernetes-source.js');

/** Builds a KubernetesSource with a reconciler that prints each desired state as one JSON line. */
const CHILD = `
const { KubernetesSource } = require(${JSON.stringify(SOURCE)});
const reconciler = {
  update: ({ cluster, local }) => console.log(JSON.stringify({
    local,
    services: cluster.services.map((s) => s.id + ' ' + s.clusterIPs.join(',')),
    slices: cluster.endpointSlices.map((e) => e.id + ' ' + e.endpoints.map((p) => p.addresses.join(',')).join(';')),
    nodes: cluster.nodes.map((n) => n.name + ' ' + n.addresses.join(',')),
  })),
  invalid: () => {}, valid: () => {},
};
const log = { emit: () => {}, error: (stage, error) => console.error(stage, String(error)) };
const metrics = { errors: { inc: () => {} } };
new KubernetesSource({ kubeconfig: process.argv[1], nodeName: 'node-a', reconciler, log, metrics, debounceMs: 5 }).start();
`;

/* eslint-disable @typescript-eslint/no-explicit-any */
function slice(address: string): any {
  return {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: { name: 'api-abc', namespace: 'shop', labels: { 'kubernetes.io/service-name': 'api' } },
    addressType: 'IPv4', endpoints: [{ addresses: [address], conditions: { ready: true } }], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
  };
}

describe('KubernetesSource (API mode) watches Services, EndpointSlices and Nodes', () => {
  const api = new FakeApiServer();
  let dir: string;
  let child: ChildProcess | undefined;
  const states: any[] = [];

  beforeAll(async () => {
    if (!fs.existsSync(SOURCE)) throw new Error(`${SOURCE} is missing: run npm run build first (npm test does).`);
    const base = await api.start();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eks-netpol-source-'));
    fs.writeFileSync(path.join(dir, 'kubeconfig'), fakeKubeconfig(base));
    api.apply('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
    api.apply('pods', {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'api-1', namespace: 'shop', labels: { app: 'api' } },
      spec: { nodeName: 'node-a', containers: [{ name: 'api', image: 'api:1', ports: [{ name: 'http', containerPort: 8080 }] }] },
      status: { podIP: '10.0.0.3', hostIP: '192.168.0.10' },
    });
    api.apply('services', {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'api', namespace: 'shop' },
      spec: { clusterIP: '172.20.0.10', clusterIPs: ['172.20.0.10'], ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }] },
    });
    api.apply('endpointslices', slice('10.0.0.3'));
    api.apply('nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-a' }, status: { addresses: [{ type: 'InternalIP', address: '192.168.0.10' }] } });
    child = spawn(process.execPath, ['-e', CHILD, path.join(dir, 'kubeconfig')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let buffer = '';
    child.stdout!.on('data', (chunk) => {
      buffer += chunk;
      for (let at = buffer.indexOf('\n'); at >= 0; at = buffer.indexOf('\n')) {
        states.push(JSON.parse(buffer.slice(0, at)));
        buffer = buffer.slice(at + 1);
      }
    });
  });

  afterAll(async () => {
    child?.kill('SIGKILL');
    await api.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const waitFor = async (check: (state: any) => boolean): Promise<any> => {
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      const found = states.find(check);
      if (found) return found;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`no desired state matched; states seen: ${JSON.stringify(states)}`);
  };

  test('the first state holds the Service, its slice and the node, listed from the API', async () => {
    const first = await waitFor(() => true);
    expect(first).toEqual({
      local: ['shop/api-1'],
      services: ['shop/api 172.20.0.10'],
      slices: ['shop/api-abc 10.0.0.3'],
      nodes: ['node-a 192.168.0.10'],
    });
    // Every resource is listed and then watched.
    for (const resource of ['/api/v1/services', '/apis/discovery.k8s.io/v1/endpointslices', '/api/v1/nodes']) {
      expect(api.requests.some((r) => r.startsWith(`GET ${resource}?`) && r.includes('watch=true'))).toBe(true);
    }
  });

  test('an EndpointSlice change alone gives a new state with the new backend', async () => {
    await waitFor(() => true);
    api.apply('endpointslices', slice('10.0.0.9'));
    const moved = await waitFor((s) => s.slices[0] === 'shop/api-abc 10.0.0.9');
    expect(moved.services).toEqual(['shop/api 172.20.0.10']);
  });
});
