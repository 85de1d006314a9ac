/** Verdicts through Services and from nodes: the semantics README's "Services and nodes" section writes down. */
import { parseManifests } from '../../lib/manifests';
import { Reachability, UnknownEndpointError } from '../../lib/verdict/reachability';

const NAMESPACE = 'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n';

function pod(name: string, ip: string, labels: string, extra = ''): string {
  return `apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: shop, labels: {${labels}}}
spec: {nodeName: node-a, containers: [{name: main, image: app:1, ports: [{name: http, containerPort: 8080}]}]${extra}}
status: {podIP: ${ip}, hostIP: 192.168.0.10}
`;
}

const NODE_B = `apiVersion: v1
kind: Node
metadata: {name: node-b}
status: {addresses: [{type: InternalIP, address: 192.168.0.20}]}
`;

/** api-1 and api-2 behind Service api (80 -> http); a policy on api admits web on 8080 only to api-1. */
const SHOP = [
  NAMESPACE,
  pod('web', '10.0.0.2', 'app: web'),
  pod('api-1', '10.0.0.3', 'app: api, replica: "1"'),
  pod('api-2', '10.0.0.4', 'app: api, replica: "2"'),
  NODE_B,
  `apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec: {selector: {app: api}, ports: [{name: web, port: 80, targetPort: http}]}
`,
  `apiVersion: v1
kind: Service
metadata: {name: nobody, namespace: shop}
spec: {selector: {app: gone}, ports: [{port: 80}]}
`,
  `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api-in, namespace: shop}
spec:
  podSelector: {matchLabels: {app: api}}
  policyTypes: [Ingress]
  ingress:
  - from: [{podSelector: {matchLabels: {app: web}}}]
    ports: [{port: 8080}]
  - from: [{ipBlock: {cidr: 192.168.0.20/32}}]
    ports: [{port: 8080}]
`,
].join('---\n');

function reachOf(text: string): Reachability {
  const { cluster, problems } = parseManifests(text, 'shop.yaml');
  expect(problems).toEqual([]);
  return new Reachability(cluster);
}

describe('through a Service', () => {
  test('is judged on each backend at its target port: the policy admits 8080, so the Service port 80 is allowed', () => {
    const reach = reachOf(SHOP);
    const verdict = reach.checkService('shop/web', 'service/shop/api', 80);
    expect(verdict).toMatchObject({ to: 'service/shop/api', service: 'shop/api', port: 80, portName: 'web', targetPort: 'http', outcome: 'allowed', allowed: true });
    expect(verdict.backends.map((b) => [b.backend, b.targetPort, b.verdict.allowed, b.verdict.ingress.rules])).toEqual([
      ['shop/api-1', 8080, true, ['shop/api-in ingress[0]']],
      ['shop/api-2', 8080, true, ['shop/api-in ingress[0]']],
    ]);
    // The same probe by the Service port's name, and by svc/.
    expect(reach.checkService('shop/web', 'svc/shop/api', 'web').outcome).toBe('allowed');
    // A pod that the policy does not admit is denied through the Service as on each backend.
    expect(reach.checkService('shop/api-1', 'shop/api', 80).outcome).toBe('partial');
  });

  test('some backends allowed and some denied is its own outcome, and the Service is not allowed', () => {
    const text = SHOP.replace('podSelector: {matchLabels: {app: api}}', 'podSelector: {matchLabels: {replica: "2"}}');
    const verdict = reachOf(text).checkService('shop/api-1', 'shop/api', 80);
    // api-1 -> api-2 is denied by the policy on replica 2; api-1 -> api-1 is a bare Pod reaching itself.
    expect(verdict.outcome).toBe('partial');
    expect(verdict.allowed).toBe(false);
    expect(verdict.backends.map((b) => [b.backend, b.verdict.allowed])).toEqual([['shop/api-1', true], ['shop/api-2', false]]);
  });

  test('a Service whose selector matches nothing has no backends, with the reason', () => {
    const verdict = reachOf(SHOP).checkService('shop/web', 'shop/nobody', 80);
    expect(verdict).toMatchObject({ outcome: 'no-backends', allowed: false, backends: [] });
    expect(verdict.reason).toMatch(/no pod in namespace shop matches the selector/);
  });

  test('probeServices covers every Service port of every source, and names the fix for a container port', () => {
    const reach = reachOf(SHOP);
    const verdicts = reach.probeServices({ from: ['shop/web', 'node/node-b'], to: ['service/shop/api'] });
    expect(verdicts.map((v) => [v.from, v.to, v.port, v.outcome])).toEqual([
      ['shop/web', 'service/shop/api', 80, 'allowed'],
      ['node/node-b', 'service/shop/api', 80, 'allowed'],
    ]);
    expect(() => reach.probeServices({ to: ['shop/api'], ports: [{ port: 8080 }] })).toThrow(UnknownEndpointError);
    expect(() => reach.checkService('shop/web', 'shop/api', 8080)).toThrow(/exposes no port 8080; it exposes 80\/TCP \("web"\).*not a container port/);
    expect(() => reach.service('service/shop/apii')).toThrow(/is not a Service of the input/);
    expect(() => reach.service('service/other/api')).toThrow(/Did you mean "service\/shop\/api"/);
  });
});

describe('from a node', () => {
  test('its own pods are always reachable, whatever the policies say; another node is an address', () => {
    const text = SHOP + '---\n' + `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-all, namespace: shop}
spec: {podSelector: {}, policyTypes: [Ingress]}
`;
    const reach = reachOf(text);
    expect(reach.nodeIds).toEqual(['node/node-a', 'node/node-b']);
    const local = reach.check('node/node-a', 'shop/web', 8080);
    expect(local).toMatchObject({ allowed: true, nodeLocal: true });
    expect(local.ingress.allowed).toBe(false);
    // node-b's address is admitted to api by an ipBlock, not to web.
    expect(reach.check('node/node-b', 'shop/api-1', 8080)).toMatchObject({ allowed: true, nodeLocal: false });
    expect(reach.check('node/node-b', 'shop/web', 8080)).toMatchObject({ allowed: false, nodeLocal: false });
    // "node": each destination's own node.
    expect(reach.check('node', 'shop/web', 8080).allowed).toBe(true);
    // The matrix agrees with the pair-by-pair verdicts.
    const grid = reach.probe({ from: ['node', 'node/node-a', 'node/node-b', 'shop/web'], to: ['shop/web', 'shop/api-1'], ports: [{ port: 8080 }] }).grids()[0];
    // web reaches itself (a bare Pod) and api-1 (admitted by api-in).
    expect(grid.allowed).toEqual([[true, true], [true, true], [false, true], [true, true]]);
    expect(() => reach.endpoint('node/node-c')).toThrow(/is not a node of the input. Its nodes are "node\/node-a", "node\/node-b"/);
  });

  test('a hostNetwork pod is its node: it reaches the pods on its node, and others only as an address', () => {
    const text = [
      SHOP,
      pod('agent', '192.168.0.10', 'app: agent', ', hostNetwork: true'),
      `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-all, namespace: shop}
spec: {podSelector: {}, policyTypes: [Ingress]}
`,
    ].join('---\n');
    const reach = reachOf(text);
    expect(reach.check('shop/agent', 'shop/web', 8080)).toMatchObject({ allowed: true, nodeLocal: true });
    const grid = reach.probe({ from: ['shop/agent'], to: ['shop/web'], ports: [{ port: 8080 }] }).grids()[0];
    expect(grid.allowed).toEqual([[true]]);
  });
});
