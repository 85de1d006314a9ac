import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { clusterFromObjects, loadManifests, parseManifests } from '../../lib/manifests';
import { formatProblem } from '../../lib/model/problems';
import { serviceBackends } from '../../lib/model/service-backends';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'eks-netpol-services-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** The four Services that must never crash anything, with a pod and a node, in one file. */
const EDGE_SERVICES = `apiVersion: v1
kind: Service
metadata: {name: external-db, namespace: shop}
spec:
  ports: [{name: pg, port: 5432}]
---
apiVersion: v1
kind: Service
metadata: {name: db, namespace: shop}
spec:
  clusterIP: None
  selector: {app: db}
---
apiVersion: v1
kind: Service
metadata: {name: legacy, namespace: shop}
spec:
  type: ExternalName
  externalName: legacy.example.com
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: nobody-home}
spec:
  selector: {app: api}
  ports: [{port: 80, targetPort: http}]
---
apiVersion: v1
kind: Pod
metadata: {name: db-0, namespace: shop, labels: {app: db}}
spec:
  nodeName: ip-10-0-1-17.ec2.internal
  containers: [{name: pg, ports: [{name: pg, containerPort: 5432}]}]
status: {podIP: 10.0.5.5, hostIP: 10.0.1.17}
`;

describe('Services, nodes and endpoints through the loader', () => {
  test('a selectorless, a headless, an ExternalName and a pod-less Service load without problems, and their backends resolve', () => {
    // GIVEN a manifest file on disk
    const file = join(dir, 'edge.yaml');
    writeFileSync(file, EDGE_SERVICES);
    // WHEN
    const { cluster, problems } = loadManifests([file]);
    // THEN
    expect(problems).toEqual([]);
    expect(cluster.services.map((s) => [s.id, s.type, s.headless, s.selector])).toEqual([
      ['shop/external-db', 'ClusterIP', false, undefined],
      ['shop/db', 'ClusterIP', true, { app: 'db' }],
      ['shop/legacy', 'ExternalName', false, undefined],
      ['nobody-home/api', 'ClusterIP', false, { app: 'api' }],
    ]);
    const reasons = cluster.services.map((s) => serviceBackends(cluster, s).reason);
    expect(reasons).toEqual([
      expect.stringContaining('has no selector'), undefined, expect.stringContaining('ExternalName'), expect.stringContaining('has no pods'),
    ]);
    // The pod is on its node, and the node (not declared) carries the pod's host IP.
    expect(cluster.pods[0]).toMatchObject({ nodeName: 'ip-10-0-1-17.ec2.internal', hostIPs: ['10.0.1.17'] });
    expect(cluster.nodes).toEqual([{ name: 'ip-10-0-1-17.ec2.internal', addresses: ['10.0.1.17'], externalAddresses: [], labels: {}, declared: false }]);
    expect(cluster.namespaces.map((ns) => ns.name)).toEqual(['nobody-home', 'shop']);
  });

  test('a Service input error prints with file, line, field and fix', () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'apiVersion: v1\nkind: Service\nmetadata: {name: api, namespace: shop}\nspec:\n  ports:\n  - {name: http, port: 80}\n  - {port: 443, targetPort: "8443"}\n');
    const { cluster, problems } = loadManifests([file]);
    expect(problems.map(formatProblem)).toEqual([
      `${file}:7: Service/shop/api: spec.ports[1].name: is required when a Service has more than one port Fix: name every port, like name: https`,
      `${file}:7: Service/shop/api: spec.ports[1].targetPort: port name "8443" must contain at least one letter Fix: write targetPort: 8443 without quotes (a quoted number is read as a port name)`,
    ]);
    expect(cluster.services).toEqual([]);
  });

  test('a List of a real cluster (kubectl get -o yaml) reads Nodes, EndpointSlices and Endpoints', () => {
    const text = `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Node
  metadata: {name: n1}
  status: {addresses: [{type: InternalIP, address: 10.0.1.17}]}
- apiVersion: discovery.k8s.io/v1
  kind: EndpointSlice
  metadata:
    name: api-x7k2p
    namespace: shop
    labels: {kubernetes.io/service-name: api, endpointslice.kubernetes.io/managed-by: endpointslice-controller.k8s.io}
  addressType: IPv4
  endpoints: [{addresses: [10.0.5.5], conditions: {ready: true, serving: true, terminating: false}, nodeName: n1}]
  ports: [{name: "", port: 8080, protocol: TCP}]
- apiVersion: v1
  kind: Endpoints
  metadata: {name: api, namespace: shop}
  subsets: [{addresses: [{ip: 10.0.5.5, nodeName: n1, targetRef: {kind: Pod, name: api-1, namespace: shop}}], ports: [{port: 8080, protocol: TCP}]}]
`;
    const { cluster, problems } = parseManifests(text, 'dump.yaml');
    expect(problems).toEqual([]);
    expect(cluster.nodes.map((n) => [n.name, n.declared, n.addresses])).toEqual([['n1', true, ['10.0.1.17']]]);
    expect(cluster.endpointSlices.map((s) => [s.id, s.kind, s.serviceName, s.managedBy])).toEqual([
      ['shop/api-x7k2p', 'EndpointSlice', 'api', 'endpointslice-controller.k8s.io'],
      ['shop/api', 'Endpoints', 'api', undefined],
    ]);
    expect(cluster.endpointSlices[0].ports).toEqual([{ port: 8080, protocol: 'TCP' }]);
  });

  test('two Nodes of one name are reported, naming both places', () => {
    const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } };
    const { problems } = clusterFromObjects([node, node], { file: 'nodes.json' });
    expect(problems).toEqual([{
      object: 'Node/n1', field: 'metadata.name', message: 'duplicate Node n1: given by Node at nodes.json:1 and Node at nodes.json:2',
      fix: 'rename one of the two, or remove the copy', source: { file: 'nodes.json', line: 2 },
    }]);
  });
});
