import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart } from 'cdk8s';
import { load } from 'js-yaml';
import { AppWithPolicy, gitOpsTree, GITOPS_HEADER, Peer, PolicyNamespace, Port, writeGitOpsTree } from '../../constructs/k8s';
import { buildExamples } from '../../examples/gitops/synth';

function small(): App {
  const app = new App();
  const chart = new Chart(app, 'c');
  new PolicyNamespace(chart, 'shop');
  const api = new AppWithPolicy(chart, 'api', { namespace: 'shop', image: 'api:1', ports: { http: 8080 } });
  api.allowFrom(Peer.allPods(), Port.named('http'));
  new ApiObject(chart, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'shop' }, data: { a: '1' } });
  new ApiObject(chart, 'role', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'reader' }, rules: [] });
  return app;
}

describe('the GitOps tree', () => {
  test('has one folder per namespace, one file per app, and a kustomization at each level', () => {
    const tree = gitOpsTree(small());
    expect([...tree.keys()]).toEqual([
      '_cluster/clusterrole-reader.yaml',
      '_cluster/kustomization.yaml',
      'kustomization.yaml',
      'shop/api.yaml',
      'shop/configmap-settings.yaml',
      'shop/kustomization.yaml',
      'shop/namespace.yaml',
    ]);
    const kinds = (file: string): string[] => tree.get(file)!.split('---\n').map((d) => (load(d) as { kind: string }).kind);
    expect(kinds('shop/api.yaml')).toEqual(['Deployment', 'Service', 'NetworkPolicy', 'NetworkPolicy']);
    expect(kinds('shop/namespace.yaml')).toEqual(['Namespace', 'NetworkPolicy']);
    expect(load(tree.get('shop/kustomization.yaml')!)).toEqual({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      resources: ['namespace.yaml', 'api.yaml', 'configmap-settings.yaml'],
    });
    expect((load(tree.get('kustomization.yaml')!) as { resources: string[] }).resources).toEqual(['_cluster', 'shop']);
    for (const content of tree.values()) expect(content.startsWith(`${GITOPS_HEADER}\n`)).toBe(true);
  });

  test('is byte-identical on every run', () => {
    const first = gitOpsTree(buildExamples());
    const second = gitOpsTree(buildExamples());
    expect([...second.entries()]).toEqual([...first.entries()]);
    expect([...first.keys()]).toContain('shop/api.yaml');
    expect([...first.keys()]).toContain('monitoring/prometheus.yaml');
    expect([...first.keys()]).toContain('seed/alpine.yaml');
  });

  test('writeGitOpsTree writes the files, replaces its own previous output and refuses other folders', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-'));
    try {
      const out = path.join(dir, 'gitops');
      writeGitOpsTree(small(), out);
      fs.writeFileSync(path.join(out, 'shop', 'stale.yaml'), 'old');
      const written = writeGitOpsTree(small(), out);
      expect(written.map((f) => path.relative(out, f))).toEqual([...gitOpsTree(small()).keys()]);
      expect(fs.existsSync(path.join(out, 'shop', 'stale.yaml'))).toBe(false);
      expect(fs.readFileSync(path.join(out, 'shop', 'api.yaml'), 'utf8')).toEqual(gitOpsTree(small()).get('shop/api.yaml'));

      const foreign = path.join(dir, 'foreign');
      fs.mkdirSync(foreign);
      fs.writeFileSync(path.join(foreign, 'keep.txt'), 'mine');
      expect(() => writeGitOpsTree(small(), foreign)).toThrow(/is not empty and was not written by writeGitOpsTree.*Fix: give an empty or new folder/);
      expect(fs.readFileSync(path.join(foreign, 'keep.txt'), 'utf8')).toBe('mine');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
