/** Interning the desired state: rebuilt clusters keep unchanged objects, so the programmer recompiles only what changed. */
import { StateInterner } from '../../lib/agent/state-interner';
import { NodeProgrammer } from '../../lib/dataplane/programmer';
import { parseManifests } from '../../lib/manifests';
import { ClusterState } from '../../lib/model/types';

/** Namespace shop, pods web, api and batch (batch labelled `batchLabel`), and a policy on web admitting app=api. */
function cluster(batchLabel: string): ClusterState {
  const pod = (name: string, ip: string, app: string) => `apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: shop, labels: {app: ${app}}}
spec: {containers: [{name: main, image: app:1}]}
status: {podIP: ${ip}}
`;
  const text = [
    'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n',
    pod('web', '10.0.0.2', 'web'),
    pod('api', '10.0.0.3', 'api'),
    pod('batch', '10.0.0.4', batchLabel),
    `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-in, namespace: shop}
spec: {podSelector: {matchLabels: {app: web}}, policyTypes: [Ingress], ingress: [{from: [{podSelector: {matchLabels: {app: api}}}]}]}
`,
  ].join('---\n');
  const { cluster: built, problems } = parseManifests(text, 'shop.yaml');
  expect(problems).toEqual([]);
  return built;
}

describe('StateInterner', () => {
  test('a rebuilt cluster keeps every unchanged object and list, and is deep-equal to the rebuild', () => {
    const interner = new StateInterner();
    const first = interner.intern(cluster('batch'));
    const rebuilt = cluster('batch-v2');
    const second = interner.intern(rebuilt);
    expect(second).toEqual(rebuilt);
    const byId = (state: ClusterState, id: string) => state.pods.find((p) => p.id === id)!;
    expect(byId(second, 'shop/web')).toBe(byId(first, 'shop/web'));
    expect(byId(second, 'shop/api')).toBe(byId(first, 'shop/api'));
    expect(byId(second, 'shop/batch')).not.toBe(byId(first, 'shop/batch'));
    expect(second.policies).toBe(first.policies);
    expect(second.namespaces).toBe(first.namespaces);
    // Nothing changed at all: the very same state.
    expect(interner.intern(cluster('batch-v2'))).toBe(second);
  });

  test('a change to an EndpointSlice or a Node alone is a new state, not the previous one', () => {
    const slice = (ip: string) => `apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: api-1, namespace: shop, labels: {kubernetes.io/service-name: api}}
addressType: IPv4
endpoints: [{addresses: [${ip}]}]
ports: [{port: 8080, protocol: TCP}]
`;
    const node = (ip: string) => `apiVersion: v1
kind: Node
metadata: {name: node-a}
status: {addresses: [{type: InternalIP, address: ${ip}}]}
`;
    const state = (sliceIp: string, nodeIp: string) => {
      const { cluster: built, problems } = parseManifests(
        ['apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n', slice(sliceIp), node(nodeIp)].join('---\n'), 'shop.yaml');
      expect(problems).toEqual([]);
      return built;
    };
    const interner = new StateInterner();
    const first = interner.intern(state('10.0.0.3', '192.168.0.10'));
    const moved = interner.intern(state('10.0.0.9', '192.168.0.10'));
    expect(moved.endpointSlices[0].endpoints[0].addresses).toEqual(['10.0.0.9']);
    expect(moved.nodes).toBe(first.nodes);
    const renumbered = interner.intern(state('10.0.0.9', '192.168.0.11'));
    expect(renumbered.nodes[0].addresses).toEqual(['192.168.0.11']);
    expect(renumbered.endpointSlices).toBe(moved.endpointSlices);
  });

  test('with interning, relabelling a pod no rule of a local pod matches recompiles nothing; without, everything', () => {
    const local = [{ id: 'shop/web', ifindex: 20 }];
    const interned = new NodeProgrammer();
    const interner = new StateInterner();
    interned.update(interner.intern(cluster('batch')), local);
    expect(interned.update(interner.intern(cluster('batch-v2')), local).recompiled).toEqual([]);
    // Relabelling batch to the label web's policy admits does concern web.
    const admitted = interned.update(interner.intern(cluster('api')), local);
    expect(admitted.recompiled).toEqual(['shop/web']);
    expect(admitted.diffs.length).toBeGreaterThan(0);

    const plain = new NodeProgrammer();
    plain.update(cluster('batch'), local);
    expect(plain.update(cluster('batch-v2'), local).recompiled).toEqual(['shop/web']);
  });
});
