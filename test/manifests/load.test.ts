import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { InvalidInputError, formatProblem } from '../../lib/model/problems';
import { loadCluster, loadManifests, parseManifests, STDIN_NAME } from '../../lib/manifests';

const NAMESPACE = 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels:\n    team: a\n';
const DEPLOYMENT = (name: string, namespace?: string) =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}\n${namespace ? `  namespace: ${namespace}\n` : ''}spec:\n  selector: {matchLabels: {app: ${name}}}\n  template:\n    metadata:\n      labels: {app: ${name}}\n    spec:\n      containers: [{name: c, ports: [{containerPort: 80, name: http}]}]\n`;
const POLICY = (name: string, namespace?: string) =>
  `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: ${name}\n${namespace ? `  namespace: ${namespace}\n` : ''}spec:\n  podSelector: {}\n`;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'eks-netpol-manifests-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function write(relative: string, text: string): string {
  const path = join(dir, relative);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  return path;
}

describe('documents', () => {
  test('a multi-document file gives every object, each with the line it starts on', () => {
    const text = `${NAMESPACE}---\n${DEPLOYMENT('api', 'shop')}---\n# a comment\n${POLICY('deny', 'shop')}`;
    const { cluster, problems } = parseManifests(text, 'all.yaml');
    expect(problems).toEqual([]);
    expect(cluster.namespaces.map((ns) => [ns.name, ns.source])).toEqual([['shop', { file: 'all.yaml', line: 1 }]]);
    expect(cluster.pods.map((p) => [p.id, p.source])).toEqual([['shop/api', { file: 'all.yaml', line: 8 }]]);
    expect(cluster.policies.map((p) => [p.id, p.source])).toEqual([['shop/deny', { file: 'all.yaml', line: 22 }]]);
  });

  test('empty documents and a leading document marker are fine', () => {
    const { cluster, problems } = parseManifests(`---\n---\n${POLICY('p')}---\n`, 'a.yaml');
    expect(problems).toEqual([]);
    expect(cluster.policies.map((p) => [p.id, p.source?.line])).toEqual([['default/p', 3]]);
  });

  test('a List gives its items, each with its own line, and problems inside items point at the item field', () => {
    const text = [
      'apiVersion: v1',
      'kind: List',
      'items:',
      '- apiVersion: v1',
      '  kind: Namespace',
      '  metadata: {name: shop}',
      '- apiVersion: networking.k8s.io/v1',
      '  kind: NetworkPolicy',
      '  metadata: {name: p, namespace: shop}',
      '  spec:',
      '    podSelector: {}',
      '    ingress:',
      '    - ports:',
      '      - port: 0',
      '',
    ].join('\n');
    const { cluster, problems } = parseManifests(text, 'list.yaml');
    expect(cluster.namespaces.find((ns) => ns.name === 'shop')?.source).toEqual({ file: 'list.yaml', line: 4 });
    expect(problems).toEqual([expect.objectContaining({
      object: 'NetworkPolicy/shop/p', field: 'spec.ingress[0].ports[0].port', source: { file: 'list.yaml', line: 14 },
    })]);
  });

  test('items of a typed list may leave out their kind and apiVersion', () => {
    const text = JSON.stringify({
      apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicyList',
      items: [{ metadata: { name: 'a', namespace: 'x' }, spec: { podSelector: {} } }],
    }, null, 2);
    const { cluster, problems } = parseManifests(text, 'list.json');
    expect(problems).toEqual([]);
    expect(cluster.policies.map((p) => p.id)).toEqual(['x/a']);
  });

  test('a List whose items are not a list', () => {
    expect(parseManifests('apiVersion: v1\nkind: List\nitems: {a: 1}\n', 'l.yaml').problems).toEqual([{
      object: 'List in document 1', field: 'items', message: 'must be a list of objects',
      fix: 'write items: followed by one "- " entry per object', source: { file: 'l.yaml', line: 3 },
    }]);
  });

  test('JSON is read, with lines', () => {
    const text = JSON.stringify({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'p' }, spec: { podSelector: {}, policyTypes: ['Sideways'] } }, null, 2);
    expect(parseManifests(text, 'p.json').problems).toEqual([expect.objectContaining({
      field: 'spec.policyTypes[0]', source: { file: 'p.json', line: 10 },
    })]);
  });

  test('a byte-order mark at the start is ignored', () => {
    expect(parseManifests(`\uFEFF${POLICY('p')}`, 'bom.yaml').cluster.policies).toHaveLength(1);
  });
});

describe('namespaces', () => {
  test('objects without a namespace take the default namespace, or the one given', () => {
    expect(parseManifests(POLICY('p'), 'a.yaml').cluster.policies[0].id).toBe('default/p');
    const { cluster } = parseManifests(`${POLICY('p')}---\n${DEPLOYMENT('api')}`, 'a.yaml', { namespace: 'team' });
    expect(cluster.policies[0].id).toBe('team/p');
    expect(cluster.pods[0].id).toBe('team/api');
  });

  test('a namespace option that is not a namespace name is a problem', () => {
    expect(parseManifests(POLICY('p'), 'a.yaml', { namespace: 'My_Team' }).problems).toEqual([{
      object: 'the namespace option', field: 'namespace',
      message: '"My_Team" must consist of lowercase alphanumeric characters or \'-\', and must start and end with an alphanumeric character',
      fix: 'give a namespace name like my-team',
    }]);
  });

  test('a namespace written on the object wins over the one given', () => {
    expect(parseManifests(POLICY('p', 'shop'), 'a.yaml', { namespace: 'team' }).cluster.policies[0].id).toBe('shop/p');
  });

  test('declared namespaces are listed as declared; referenced ones only with their automatic label', () => {
    const { cluster } = parseManifests(`${NAMESPACE}---\n${DEPLOYMENT('api', 'shop')}---\n${POLICY('p', 'billing')}`, 'a.yaml');
    expect(cluster.namespaces).toEqual([
      { name: 'shop', labels: { team: 'a', 'kubernetes.io/metadata.name': 'shop' }, declared: true, source: { file: 'a.yaml', line: 1 } },
      { name: 'billing', labels: { 'kubernetes.io/metadata.name': 'billing' }, declared: false },
    ]);
  });
});

describe('duplicates', () => {
  test('a Deployment and a Pod giving the same identity are an error naming both places', () => {
    const pod = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: api\n  namespace: shop\nspec:\n  containers: []\n';
    const a = write('a.yaml', DEPLOYMENT('api', 'shop'));
    const b = write('b.yaml', `${POLICY('x', 'shop')}---\n${pod}`);
    const { cluster, problems } = loadManifests([a, b]);
    expect(problems).toEqual([{
      object: 'Pod/shop/api', field: 'metadata.name',
      message: `duplicate pod identity shop/api: given by Deployment at ${a}:1 and Pod at ${b}:9`,
      fix: 'rename one of the two objects (each Pod and workload of a namespace must have its own name), or remove the copy',
      source: { file: b, line: 9 },
    }]);
    expect(cluster.pods.map((p) => p.kind)).toEqual(['Deployment']);
  });

  test('two NetworkPolicies with the same namespace/name are an error naming both places', () => {
    const { problems } = parseManifests(`${POLICY('p', 'shop')}---\n${POLICY('p', 'shop')}`, 'a.yaml');
    expect(problems).toEqual([expect.objectContaining({
      object: 'NetworkPolicy/shop/p', message: 'duplicate NetworkPolicy shop/p: given by NetworkPolicy at a.yaml:1 and NetworkPolicy at a.yaml:9',
      source: { file: 'a.yaml', line: 9 },
    })]);
  });

  test('a policy in the default namespace and one named default/p collide', () => {
    const { problems } = parseManifests(`${POLICY('p')}---\n${POLICY('p', 'default')}`, 'a.yaml');
    expect(problems.map((p) => p.message)).toEqual([expect.stringMatching(/^duplicate NetworkPolicy default\/p/)]);
  });

  test('the same name in different namespaces is not a duplicate', () => {
    expect(parseManifests(`${POLICY('p', 'a')}---\n${POLICY('p', 'b')}`, 'a.yaml').problems).toEqual([]);
  });

  test('a namespace declared twice is an error naming both places', () => {
    expect(parseManifests(`${NAMESPACE}---\n${NAMESPACE}`, 'ns.yaml').problems).toEqual([expect.objectContaining({
      object: 'Namespace/shop', message: 'duplicate namespace shop: given by Namespace at ns.yaml:1 and Namespace at ns.yaml:8',
    })]);
  });
});

describe('malformed YAML', () => {
  test('a syntax error names the file and line, and documents around it are still read', () => {
    const text = `${POLICY('a')}---\nkind: NetworkPolicy\nmetadata:\n  name: [broken\n---\n${POLICY('b')}`;
    const { cluster, problems } = parseManifests(text, 'bad.yaml');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ object: 'document 2', field: '', source: { file: 'bad.yaml' } });
    expect(problems[0].message).toMatch(/^malformed YAML: /);
    expect(problems[0].source!.line).toBeGreaterThanOrEqual(10);
    expect(problems[0].source!.line).toBeLessThanOrEqual(12);
    expect(problems[0].fix).toMatch(/correct the syntax/);
    expect(cluster.policies.map((p) => [p.id, p.source?.line])).toEqual([['default/a', 1], ['default/b', 12]]);
  });

  test('bad indentation is reported at its line', () => {
    const { problems } = parseManifests('apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n   namespace: b\n', 'indent.yaml');
    expect(problems).toEqual([expect.objectContaining({ object: 'document 1', source: { file: 'indent.yaml', line: 5 } })]);
  });

  test('a duplicated key is malformed', () => {
    const { problems } = parseManifests('apiVersion: v1\nkind: Pod\nkind: Pod\n', 'dup.yaml');
    expect(problems).toEqual([expect.objectContaining({ message: expect.stringMatching(/duplicated mapping key/), source: { file: 'dup.yaml', line: 3 } })]);
  });

  test('malformed JSON says JSON', () => {
    const { problems } = parseManifests('{"apiVersion": "v1",\n "kind": "Pod"\n "metadata": {}}', 'p.json');
    expect(problems).toHaveLength(1);
    expect(problems[0].message).toMatch(/^malformed JSON: /);
    expect(problems[0].fix).toMatch(/comma/);
  });

  test('formatted problems read file:line: object: field: message. Fix: ...', () => {
    const { problems } = parseManifests('a: [\n', 'x.yaml');
    expect(formatProblem(problems[0])).toMatch(/^x\.yaml:\d+: document 1: malformed YAML: .+ Fix: correct the syntax/);
  });
});

describe('inputs', () => {
  test('a directory is read recursively, .yaml, .yml and .json only, in sorted order', () => {
    write('b.yaml', POLICY('b'));
    write('a/z.yml', POLICY('z'));
    write('a/c.json', JSON.stringify({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'c' }, spec: { podSelector: {} } }));
    write('notes.txt', 'not a manifest: [');
    write('.git/config.yaml', POLICY('hidden'));
    const { cluster, problems } = loadManifests([dir]);
    expect(problems).toEqual([]);
    expect(cluster.policies.map((p) => p.name)).toEqual(['c', 'z', 'b']);
    expect(cluster.policies[0].source).toEqual({ file: join(dir, 'a', 'c.json'), line: 1 });
  });

  test('a file named explicitly is read whatever its extension', () => {
    const path = write('policy.txt', POLICY('p'));
    expect(loadManifests([path]).cluster.policies).toHaveLength(1);
  });

  test('- reads standard input, named <stdin> in problems', () => {
    const { cluster, problems } = loadManifests(['-'], { readStdin: () => `${POLICY('ok')}---\n${POLICY('bad').replace('podSelector: {}', 'podSelector: 1')}` });
    expect(cluster.policies.map((p) => p.id)).toEqual(['default/ok']);
    expect(problems).toEqual([expect.objectContaining({ field: 'spec.podSelector', source: { file: STDIN_NAME, line: 13 } })]);
  });

  test('files, directories and stdin combine, in the order given', () => {
    const file = write('one.yaml', POLICY('one'));
    write('d/two.yaml', POLICY('two'));
    const { cluster } = loadManifests([join(dir, 'd'), '-', file], { readStdin: () => POLICY('three') });
    expect(cluster.policies.map((p) => p.name)).toEqual(['two', 'three', 'one']);
  });

  test('a path that does not exist is a problem naming it', () => {
    const missing = join(dir, 'nope.yaml');
    expect(loadManifests([missing]).problems).toEqual([{
      object: missing, field: '', message: 'no such file or directory',
      fix: 'check the path (relative paths start from the current directory)',
    }]);
  });

  test('a directory without manifests is a problem', () => {
    write('readme.md', '# nothing');
    expect(loadManifests([dir]).problems).toEqual([expect.objectContaining({ object: dir, message: 'is a directory without any .yaml, .yml or .json file' })]);
  });

  test('loadCluster returns the cluster when all is well and throws every problem otherwise', () => {
    const good = write('good.yaml', POLICY('p'));
    expect(loadCluster([good]).policies).toHaveLength(1);
    const bad = write('bad.yaml', `${POLICY('a').replace('podSelector: {}', 'podSelector: x')}---\n${POLICY('b').replace('podSelector: {}', 'podSelectr: {}')}`);
    let thrown: unknown;
    try {
      loadCluster([bad]);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidInputError);
    const error = thrown as InvalidInputError;
    expect(error.problems.map((p) => p.field)).toEqual(['spec.podSelector', 'spec.podSelectr']);
    expect(error.message.split('\n')[0]).toBe(`${bad}:6: NetworkPolicy/default/a: spec.podSelector: must be an object, not the string "x" Fix: write an object, like { matchLabels: { app: web } }`);
  });
});
