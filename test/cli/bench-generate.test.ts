import { loadAll } from 'js-yaml';
import { generateCluster, seededRandom } from '../../bench/reach/generate';

describe('the reach benchmark generator', () => {
  test('writes byte-identical YAML for the same seed, and different YAML for another', () => {
    const a = generateCluster({ pods: 60, policies: 40 });
    expect(generateCluster({ pods: 60, policies: 40 })).toBe(a);
    expect(generateCluster({ pods: 60, policies: 40, seed: 2 })).not.toBe(a);
  });

  test('draws numbers in [0, 1) from a seed', () => {
    const random = seededRandom(42);
    const draws = Array.from({ length: 1000 }, random);
    expect(draws.every((d) => d >= 0 && d < 1)).toBe(true);
    expect(new Set(draws).size).toBeGreaterThan(990);
  });

  test('declares the objects asked for and every feature the benchmark must exercise', () => {
    const docs = loadAll(generateCluster({ pods: 200, policies: 200 })) as { kind: string; spec?: unknown }[];
    const kinds = docs.map((d) => d.kind);
    expect(kinds.filter((k) => k === 'Namespace')).toHaveLength(5);
    expect(kinds.filter((k) => k === 'Deployment')).toHaveLength(200);
    expect(kinds.filter((k) => k === 'NetworkPolicy')).toHaveLength(200);
    const policies = JSON.stringify(docs.filter((d) => d.kind === 'NetworkPolicy'));
    for (const feature of ['"matchExpressions"', '"NotIn"', '"Exists"', '"DoesNotExist"', '"namespaceSelector"', '"except"', '"endPort"', '"port":"http"', '"protocol":"UDP"', '"egress":[]']) {
      expect(policies).toContain(feature);
    }
    expect(JSON.stringify(docs.filter((d) => d.kind === 'Deployment'))).toContain('"name":"metrics","containerPort":9090');
  });
});
