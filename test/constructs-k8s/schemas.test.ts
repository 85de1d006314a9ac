import { App, Testing } from 'cdk8s';
import { loadAll } from 'js-yaml';
import { gitOpsTree } from '../../constructs/k8s';
import { buildExamples } from '../../examples/gitops/synth';
import { SeedChart } from '../../examples/seed/seed';
import { ShopChart } from '../../examples/shop/shop';
import { clusterFromObjects } from '../../lib/manifests';
import { formatProblem } from '../../lib/model/problems';

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata?: { name?: string; namespace?: string };
}

/** kubernetes-models lays its classes out as <group>/<version>/<Kind> (the core group as v1/<Kind>). */
function validateAgainstSchema(object: Manifest): void {
  const module = require(`kubernetes-models/${object.apiVersion}/${object.kind}`) as Record<string, new (data: unknown) => { validate(): void }>;
  new module[object.kind](object).validate();
}

function exampleManifests(): { label: string; object: Manifest }[] {
  const out: { label: string; object: Manifest }[] = [];
  const charts = [
    new ShopChart(Testing.app(), 'shop'),
    new SeedChart(Testing.app(), 'seed'),
    new SeedChart(Testing.app(), 'seed', { allowDnsAndHttps: true }),
  ];
  for (const chart of charts) {
    for (const object of Testing.synth(chart) as Manifest[]) out.push({ label: `${chart.node.id}: ${object.kind}/${object.metadata?.name}`, object });
  }
  for (const [file, text] of gitOpsTree(buildExamples())) {
    for (const object of loadAll(text) as Manifest[]) out.push({ label: `gitops ${file}: ${object.kind}`, object });
  }
  return out;
}

describe('every manifest the examples emit', () => {
  const manifests = exampleManifests();

  test('covers every kind we write', () => {
    expect(new Set(manifests.map((m) => m.object.kind))).toEqual(new Set(['Namespace', 'Deployment', 'Service', 'NetworkPolicy', 'Kustomization']));
  });

  test.each(manifests.filter((m) => m.object.kind !== 'Kustomization').map((m) => [m.label, m.object] as const))(
    'validates against the Kubernetes schema: %s', (_label, object) => {
      expect(() => validateAgainstSchema(object)).not.toThrow();
    },
  );

  test('the schema check rejects what the API server would (a control)', () => {
    const bad = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'x' }, spec: { podSelector: {}, ingress: [{ ports: [{ protocol: 'TCPX', port: 80 }] }] } };
    expect(() => validateAgainstSchema(bad)).toThrow(/protocol/);
  });

  test('the engine reads every example without a problem', () => {
    const app = buildExamples() as App;
    const { problems, cluster } = clusterFromObjects(app.charts.flatMap((c) => c.toJson()));
    expect(problems.map(formatProblem)).toEqual([]);
    expect(cluster.pods.map((p) => p.id)).toContain('shop/api');
  });
});
