/**
 * Truncated and randomly mutated manifests give problems or a valid cluster, never an exception. Fixed seeds keep
 * runs reproducible; a failure prints the counterexample.
 */
import fc from 'fast-check';
import { clusterFromObjects, parseManifests } from '../../lib/manifests';
import { ClusterState, LabelSelector, PROTOCOLS } from '../../lib/model/types';

const MANIFESTS = `apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels: {team: a}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata:
      labels: {app: api, tier: web}
    spec:
      containers:
      - name: app
        ports:
        - {containerPort: 8080, name: http}
        - {containerPort: 53, protocol: UDP, name: dns}
---
apiVersion: v1
kind: Pod
metadata:
  name: db
  namespace: shop
  labels: {app: db}
spec:
  containers: [{name: db, ports: [{containerPort: 5432}]}]
status:
  podIP: 10.0.0.7
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: api
  namespace: shop
spec:
  podSelector:
    matchLabels: {app: api}
    matchExpressions:
    - {key: tier, operator: In, values: [web]}
  policyTypes: [Ingress, Egress]
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {team: a}}
      podSelector: {}
    - ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}
    ports:
    - port: http
    - {port: 9000, endPort: 9100, protocol: TCP}
  egress:
  - to: [{podSelector: {matchLabels: {app: db}}}]
    ports: [{port: 5432}]
---
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Service
  metadata: {name: api, namespace: shop}
  spec:
    selector: {app: api}
    ports: [{port: 80, targetPort: http}]
`;

/** Checks the model's promises: what the engine may rely on without checking again. */
function expectValidCluster(cluster: ClusterState): void {
  const selector = (s: LabelSelector) => {
    for (const [k, v] of Object.entries(s.matchLabels ?? {})) expect(typeof k === 'string' && typeof v === 'string').toBe(true);
    for (const r of s.matchExpressions ?? []) {
      expect(['In', 'NotIn', 'Exists', 'DoesNotExist']).toContain(r.operator);
      if (r.operator === 'In' || r.operator === 'NotIn') expect(r.values!.length).toBeGreaterThan(0);
      else expect(r.values).toBeUndefined();
    }
  };
  for (const policy of cluster.policies) {
    selector(policy.podSelector);
    expect(policy.policyTypes.length).toBeGreaterThan(0);
    for (const rule of [...policy.ingress, ...policy.egress]) {
      if (rule.peers) expect(rule.peers.length).toBeGreaterThan(0);
      if (rule.ports) expect(rule.ports.length).toBeGreaterThan(0);
      for (const peer of rule.peers ?? []) {
        if (peer.ipBlock) expect(peer.podSelector ?? peer.namespaceSelector).toBeUndefined();
        else expect(peer.podSelector ?? peer.namespaceSelector).toBeDefined();
        if (peer.podSelector) selector(peer.podSelector);
        if (peer.namespaceSelector) selector(peer.namespaceSelector);
      }
      for (const port of rule.ports ?? []) {
        expect(PROTOCOLS).toContain(port.protocol);
        if (typeof port.port === 'number') expect(port.port >= 1 && port.port <= 65535).toBe(true);
        if (port.endPort !== undefined) {
          expect(typeof port.port).toBe('number');
          expect(port.endPort >= (port.port as number) && port.endPort <= 65535).toBe(true);
        }
      }
    }
  }
  for (const pod of cluster.pods) {
    for (const port of pod.ports) expect(port.port >= 1 && port.port <= 65535 && PROTOCOLS.includes(port.protocol)).toBe(true);
  }
}

function loadWithoutThrowing(text: string): void {
  const { cluster, problems } = parseManifests(text, 'fuzz.yaml');
  for (const problem of problems) {
    expect(typeof problem.message).toBe('string');
    if (problem.source) expect(problem.source.line).toBeGreaterThanOrEqual(1);
  }
  expectValidCluster(cluster);
}

test('the unmutated manifests load without problems', () => {
  const { cluster, problems } = parseManifests(MANIFESTS, 'fuzz.yaml');
  expect(problems).toEqual([]);
  expect(cluster.pods.map((p) => p.id)).toEqual(['shop/api', 'shop/db']);
  expect(cluster.policies.map((p) => p.id)).toEqual(['shop/api']);
});

test('every truncation of the manifests gives problems or a valid cluster, never an exception', () => {
  for (let end = 0; end <= MANIFESTS.length; end++) loadWithoutThrowing(MANIFESTS.slice(0, end));
});

test('random character edits give problems or a valid cluster, never an exception', () => {
  const edit = fc.record({
    at: fc.nat({ max: MANIFESTS.length - 1 }),
    remove: fc.nat({ max: 8 }),
    insert: fc.string({ unit: fc.constantFrom(' ', '\n', '-', ':', '{', '}', '[', ']', '"', "'", '#', '&', '*', '!', '|', '>', 'a', '0', '\t', '?', ',') , maxLength: 4 }),
  });
  fc.assert(fc.property(fc.array(edit, { minLength: 1, maxLength: 5 }), (edits) => {
    let text = MANIFESTS;
    for (const e of edits) {
      const at = Math.min(e.at, text.length);
      text = text.slice(0, at) + e.insert + text.slice(at + e.remove);
    }
    loadWithoutThrowing(text);
  }), { seed: 20261128, numRuns: 400 });
});

/** Every path to a value inside `value`. */
function pathsOf(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (typeof value !== 'object' || value === null) return [prefix];
  const keys: (string | number)[] = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
  return [prefix, ...keys.flatMap((k) => pathsOf((value as Record<string | number, unknown>)[k], [...prefix, k]))];
}

test('replacing any field of the objects with a random JSON value gives problems or a valid cluster', () => {
  const { cluster } = parseManifests(MANIFESTS, 'fuzz.yaml');
  expect(cluster.policies).toHaveLength(1);
  const objects = [
    { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'p', namespace: 'x' }, spec: {
      podSelector: { matchExpressions: [{ key: 'a', operator: 'NotIn', values: ['b'] }] },
      ingress: [{ from: [{ ipBlock: { cidr: 'fd00::/8', except: ['fd00::/16'] } }, { podSelector: {} }], ports: [{ port: 80, endPort: 81 }] }],
      egress: [{ to: [{ namespaceSelector: {} }], ports: [{ protocol: 'UDP', port: 'dns' }] }],
    } },
    { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'c', namespace: 'x' }, spec: { jobTemplate: { spec: { template: {
      metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', ports: [{ containerPort: 1, name: 'p' }] }] } } } } } },
  ];
  const paths = objects.flatMap((object, index) => pathsOf(object).map((path) => [index, ...path]));
  fc.assert(fc.property(fc.constantFrom(...paths), fc.jsonValue({ maxDepth: 2 }), (path, replacement) => {
    const copy = JSON.parse(JSON.stringify(objects));
    let node = copy;
    for (const key of path.slice(0, -1)) node = node[key];
    node[path[path.length - 1]] = replacement;
    const result = clusterFromObjects(copy, { file: 'objects' });
    expectValidCluster(result.cluster);
  }), { seed: 7, numRuns: 500 });
});
