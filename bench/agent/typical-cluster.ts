/**
 * A synthetic cluster shaped like a typical microservice platform, for bench:agent's second dataset: every app is
 * default-deny and admits a few named clients (its callers, by app label, some in other namespaces) plus monitoring
 * on its metrics port; a fifth of the apps also restrict egress to their dependencies and DNS. bench/reach's
 * generator is the opposite extreme (broad selectors: each pod admits about 7,600 of 10,000 pods), which stresses
 * the reach engine but gives the node agent a per-pod map entry for nearly every pod of the cluster.
 * Deterministic: the same options give byte-identical YAML.
 */
import { dump } from 'js-yaml';
import { seededRandom } from '../reach/generate';

/** The size and seed of a typical cluster. */
export interface TypicalClusterOptions {
  readonly pods: number;
  readonly policies: number;
  /**
   * Seed of the pseudo-random generator.
   *
   * @default 1
   */
  readonly seed?: number;
}

type Obj = Record<string, unknown>;

export function generateTypicalCluster(options: TypicalClusterOptions): string {
  const random = seededRandom(options.seed ?? 1);
  const below = (n: number) => Math.floor(random() * n);
  const namespaceCount = Math.max(5, Math.floor(options.pods / 50));
  const namespaces = Array.from({ length: namespaceCount }, (_, i) => `ns-${i}`);
  const objects: Obj[] = namespaces.map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { team: `team-${below(8)}` } } }));
  objects.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'monitoring' } });
  const apps = Array.from({ length: options.pods }, (_, i) => ({ name: `app-${i}`, namespace: namespaces[below(namespaceCount)] }));
  for (const app of apps) {
    objects.push({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: app.name, namespace: app.namespace },
      spec: {
        replicas: 1, selector: { matchLabels: { app: app.name } },
        template: {
          metadata: { labels: { app: app.name } },
          spec: { containers: [{ name: 'main', image: `registry.example/${app.name}:1`, ports: [{ name: 'http', containerPort: 8080 }, { name: 'metrics', containerPort: 9090 }] }] },
        },
      },
    });
  }
  const caller = (app: { name: string; namespace: string }): Obj => {
    const other = apps[below(apps.length)];
    return other.namespace === app.namespace
      ? { podSelector: { matchLabels: { app: other.name } } }
      : { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': other.namespace } }, podSelector: { matchLabels: { app: other.name } } };
  };
  for (let i = 0; i < options.policies; i++) {
    const app = apps[i % apps.length];
    const spec: Obj = {
      podSelector: { matchLabels: { app: app.name } },
      policyTypes: ['Ingress'],
      ingress: [
        { from: Array.from({ length: 1 + below(3) }, () => caller(app)), ports: [{ port: 'http', protocol: 'TCP' }] },
        { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }], ports: [{ port: 9090, protocol: 'TCP' }] },
      ],
    };
    if (below(5) === 0) {
      spec.policyTypes = ['Ingress', 'Egress'];
      spec.egress = [
        { to: Array.from({ length: 1 + below(3) }, () => caller(app)), ports: [{ port: 8080, protocol: 'TCP' }] },
        { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } }], ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }] },
      ];
    }
    objects.push({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: `policy-${i}`, namespace: app.namespace }, spec });
  }
  return objects.map((o) => dump(o, { lineWidth: -1, noRefs: true })).join('---\n');
}
