import { clusterFromObjects } from '../../lib/manifests';

const policy = (name: string, spec: Record<string, unknown> = { podSelector: {} }) => ({
  apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: 'x' }, spec,
});

describe('clusterFromObjects', () => {
  test('plain objects become a cluster without sources when no file is given', () => {
    const { cluster, problems } = clusterFromObjects([policy('p')]);
    expect(problems).toEqual([]);
    expect(cluster.policies[0]).toMatchObject({ id: 'x/p', source: undefined });
    expect(cluster.namespaces).toEqual([{ name: 'x', labels: { 'kubernetes.io/metadata.name': 'x' }, declared: false }]);
  });

  test('problems name the object, the field and the fix; without a file they carry no location', () => {
    const { problems } = clusterFromObjects([policy('p', { podSelector: {}, ingress: [{ ports: [{ port: 0 }] }] })]);
    expect(problems).toEqual([{
      object: 'NetworkPolicy/x/p', field: 'spec.ingress[0].ports[0].port', message: 'must be between 1 and 65535, inclusive, not 0',
      fix: 'remove port to allow every port of the protocol', source: undefined,
    }]);
  });

  test('with a file, each object is located at its 1-based position in the list', () => {
    const { problems } = clusterFromObjects([policy('a'), policy('b', {})], { file: 'chart/Shop' });
    expect(problems).toEqual([expect.objectContaining({ object: 'NetworkPolicy/x/b', field: 'spec.podSelector', source: { file: 'chart/Shop', line: 2 } })]);
  });

  test('objects without a name are named by their position', () => {
    const { problems } = clusterFromObjects([{ apiVersion: 'v1', kind: 'Pod', metadata: {}, spec: { containers: [] } }]);
    expect(problems).toEqual([expect.objectContaining({ object: 'Pod in object 1', field: 'metadata.name', message: 'is required' })]);
  });

  test('the namespace option applies to objects without one', () => {
    const { cluster } = clusterFromObjects([{ ...policy('p'), metadata: { name: 'p' } }], { namespace: 'team' });
    expect(cluster.policies[0].id).toBe('team/p');
  });

  test('duplicates name both positions', () => {
    const { problems } = clusterFromObjects([policy('p'), policy('p')]);
    expect(problems).toEqual([expect.objectContaining({ message: 'duplicate NetworkPolicy x/p: given by NetworkPolicy at object 1 and NetworkPolicy at object 2' })]);
  });

  test('values that are not objects are problems, not exceptions', () => {
    const { problems } = clusterFromObjects([null, 42, 'x', [policy('p')]]);
    expect(problems.map((p) => [p.object, p.message])).toEqual([
      ['object 1', 'is not a Kubernetes object but null'],
      ['object 2', 'is not a Kubernetes object but the number 42'],
      ['object 3', 'is not a Kubernetes object but the string "x"'],
      ['object 4', 'is not a Kubernetes object but a list'],
    ]);
  });

  test('the same objects always give the same cluster', () => {
    const objects = [policy('b'), policy('a'), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x' } }];
    expect(JSON.stringify(clusterFromObjects(objects), (_k, v) => (typeof v === 'bigint' ? String(v) : v)))
      .toBe(JSON.stringify(clusterFromObjects(objects), (_k, v) => (typeof v === 'bigint' ? String(v) : v)));
    expect(clusterFromObjects(objects).cluster.policies.map((p) => p.name)).toEqual(['b', 'a']);
  });
});
