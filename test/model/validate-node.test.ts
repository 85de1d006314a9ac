import { FILE, load, onlyProblem } from './fixtures';

const NODE = `apiVersion: v1
kind: Node
metadata:
  name: ip-10-0-1-17.ec2.internal
  labels: {kubernetes.io/os: linux}
spec:
  providerID: aws:///eu-west-1a/i-0abc
status:
  addresses:
  - {type: InternalIP, address: 10.0.1.17}
  - {type: InternalIP, address: "fd00::17"}
  - {type: ExternalIP, address: 203.0.113.17}
  - {type: Hostname, address: ip-10-0-1-17.ec2.internal}
  - {type: InternalDNS, address: ip-10-0-1-17.ec2.internal}
`;

describe('nodes', () => {
  test('a Node keeps its internal addresses, and its external ones apart', () => {
    const { cluster, problems } = load(NODE);
    expect(problems).toEqual([]);
    expect(cluster.nodes).toEqual([{
      name: 'ip-10-0-1-17.ec2.internal', addresses: ['10.0.1.17', 'fd00::17'], externalAddresses: ['203.0.113.17'],
      labels: { 'kubernetes.io/os': 'linux' }, declared: true, source: { file: FILE, line: 1 },
    }]);
  });

  test('a Node is cluster-scoped: problems name it Node/NAME', () => {
    expect(onlyProblem('apiVersion: v1\nkind: Node\nmetadata:\n  name: n1\nstatus:\n  addresses:\n  - {type: InternalIP, address: 10.0.1.300}\n')).toEqual({
      object: 'Node/n1', field: 'status.addresses[0].address', message: 'must be an IPv4 or IPv6 address for type InternalIP, not the string "10.0.1.300"',
      fix: 'write an address like 10.0.1.17 or fd00::17 (no prefix length)', source: { file: FILE, line: 7 },
    });
  });

  test('an unknown address type', () => {
    expect(onlyProblem('apiVersion: v1\nkind: Node\nmetadata:\n  name: n1\nstatus:\n  addresses:\n  - {type: PrivateIP, address: 10.0.1.3}\n')).toMatchObject({
      field: 'status.addresses[0].type', message: 'unsupported address type "PrivateIP"',
      fix: 'use one of Hostname, InternalIP, ExternalIP, InternalDNS, ExternalDNS', source: { line: 7 },
    });
  });

  test('a Node name must be a DNS-1123 subdomain', () => {
    expect(onlyProblem('apiVersion: v1\nkind: Node\nmetadata:\n  name: Node_1\n')).toMatchObject({ object: 'Node/Node_1', field: 'metadata.name', source: { line: 4 } });
  });
});

describe('pods on nodes', () => {
  const pod = (extra: string) => `apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop}
spec:
  containers: [{name: app}]
${extra}`;

  test('a Pod carries its spec.nodeName and status.hostIP(s)', () => {
    const { cluster, problems } = load(pod('  nodeName: ip-10-0-1-17.ec2.internal\nstatus:\n  hostIP: 10.0.1.17\n  hostIPs: [{ip: 10.0.1.17}, {ip: "fd00::17"}]\n  podIP: 10.0.1.50\n'));
    expect(problems).toEqual([]);
    expect(cluster.pods[0]).toMatchObject({ nodeName: 'ip-10-0-1-17.ec2.internal', hostIPs: ['10.0.1.17', 'fd00::17'], ips: ['10.0.1.50'] });
    expect(cluster.pods[0].hostNetwork).toBeUndefined();
  });

  test('a node only pods name is added with their host IPs, not declared', () => {
    const { cluster } = load(pod('  nodeName: n2\nstatus:\n  hostIP: 10.0.1.18\n'));
    expect(cluster.nodes).toEqual([{ name: 'n2', addresses: ['10.0.1.18'], externalAddresses: [], labels: {}, declared: false }]);
  });

  test('a declared Node keeps its own addresses, whatever its pods report', () => {
    const { cluster } = load(`${NODE}---\n${pod('  nodeName: ip-10-0-1-17.ec2.internal\nstatus:\n  hostIP: 10.0.1.99\n')}`);
    expect(cluster.nodes).toHaveLength(1);
    expect(cluster.nodes[0]).toMatchObject({ declared: true, addresses: ['10.0.1.17', 'fd00::17'] });
  });

  test('a Pod without spec.nodeName goes on the declared Node that has its host IP', () => {
    const { cluster } = load(`${NODE}---\n${pod('status:\n  hostIP: 10.0.1.17\n')}`);
    expect(cluster.pods[0].nodeName).toBe('ip-10-0-1-17.ec2.internal');
  });

  test('workloads have no node: their replicas are placed when created', () => {
    const { cluster, problems } = load(JSON.stringify({
      apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent', namespace: 'kube-system' },
      spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { hostNetwork: true, containers: [{ name: 'a' }] } } },
    }));
    expect(problems).toEqual([]);
    expect(cluster.pods[0]).toMatchObject({ id: 'kube-system/agent', hostNetwork: true });
    expect(cluster.pods[0].nodeName).toBeUndefined();
    expect(cluster.nodes).toEqual([]);
  });

  test('hostNetwork: true is on the pod identity', () => {
    expect(load(pod('  hostNetwork: true\n')).cluster.pods[0].hostNetwork).toBe(true);
    expect(load(pod('  hostNetwork: false\n')).cluster.pods[0].hostNetwork).toBeUndefined();
  });

  test('a quoted hostNetwork', () => {
    expect(onlyProblem(pod('  hostNetwork: "true"\n'))).toEqual({
      object: 'Pod/shop/web', field: 'spec.hostNetwork', message: 'must be true or false, not the string "true"',
      fix: 'write hostNetwork: true without quotes', source: { file: FILE, line: 6 },
    });
  });

  test('a host IP that is not an address', () => {
    expect(onlyProblem(pod('status:\n  hostIPs: [{ip: node-1}]\n'))).toMatchObject({
      object: 'Pod/shop/web', field: 'status.hostIPs[0].ip', message: 'must be an IPv4 or IPv6 address, not the string "node-1"', source: { line: 7 },
    });
  });

  test('a spec.nodeName that is not a node name', () => {
    expect(onlyProblem(pod('  nodeName: Node_1\n'))).toMatchObject({
      field: 'spec.nodeName', fix: 'write the node\'s name as kubectl get nodes shows it, like nodeName: node-1', source: { line: 6 },
    });
  });
});
