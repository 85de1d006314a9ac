import { Chart, Testing } from 'cdk8s';
import { AppWithPolicy, ClusterDns, DefaultDeny, PolicyNamespace } from '../../constructs/k8s';
import { eksCoreDns } from '../../lib/testing';

type Obj = { kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; spec?: Record<string, unknown> };

function build(props: ConstructorParameters<typeof PolicyNamespace>[2]): { chart: Chart; objects: Obj[] } {
  const chart = new Chart(Testing.app(), 'c', { namespace: 'shop' });
  new PolicyNamespace(chart, 'shop', props);
  new AppWithPolicy(chart, 'a', { image: 'a:1', ports: { http: 8080 } });
  new AppWithPolicy(chart, 'b', { image: 'b:1', ports: { http: 8080 } });
  return { chart, objects: Testing.synth(chart) as Obj[] };
}

describe('PolicyNamespace', () => {
  test('writes the Namespace with its labels and no namespace of its own', () => {
    const { objects } = build({ labels: { team: 'shop' } });
    const ns = objects.find((o) => o.kind === 'Namespace')!;
    expect(ns.metadata).toEqual({ name: 'shop', labels: { team: 'shop', 'app.kubernetes.io/managed-by': 'eks-netpol' } });
  });

  test('denies both directions by default and keeps DNS open', () => {
    const { chart, objects } = build({});
    const policy = objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'default-deny')!;
    expect(policy.spec).toEqual({
      podSelector: {},
      policyTypes: ['Ingress', 'Egress'],
      ingress: [],
      egress: [{
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
        ports: [{ protocol: 'TCP', port: 53 }, { protocol: 'UDP', port: 53 }],
      }],
    });
    const manifests = [...Testing.synth(chart), ...eksCoreDns()];
    expect(manifests).toDeny('shop/a', 'shop/b', 'http');
    expect(manifests).toAllow('shop/a', 'kube-system/coredns', 'dns');
    expect(manifests).toDeny('shop/a', '198.51.100.1', 443);
  });

  test('ingress-only and egress-only defaults write only that direction', () => {
    expect(build({ defaultDeny: DefaultDeny.INGRESS }).objects.find((o) => o.metadata.name === 'default-deny')!.spec)
      .toEqual({ podSelector: {}, policyTypes: ['Ingress'], ingress: [] });
    const egress = build({ defaultDeny: DefaultDeny.EGRESS, dns: ClusterDns.none() });
    expect(egress.objects.find((o) => o.metadata.name === 'default-deny')!.spec).toEqual({ podSelector: {}, policyTypes: ['Egress'], egress: [] });
    expect(egress.chart).toDeny('shop/a', 'shop/b', 'http');
    expect(egress.chart).toDeny('shop/a', '198.51.100.1', 53, 'UDP');
    expect(egress.chart).toAllow('198.51.100.1', 'shop/b', 'http');
  });

  test('no default deny writes only the Namespace', () => {
    expect(build({ defaultDeny: DefaultDeny.NONE }).objects.filter((o) => o.kind === 'NetworkPolicy')).toEqual([]);
  });

  test('allowWithinNamespace lets every pod of the namespace reach every other, and nothing from outside', () => {
    const { chart, objects } = build({ allowWithinNamespace: true });
    const policy = objects.find((o) => o.metadata.name === 'allow-same-namespace')!;
    expect(policy.spec).toEqual({
      podSelector: {},
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ podSelector: {} }] }],
      egress: [{ to: [{ podSelector: {} }] }],
    });
    const outsider = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x', namespace: 'other' }, spec: { containers: [{ name: 'x', image: 'x' }] } };
    const manifests = [...Testing.synth(chart), outsider];
    expect(manifests).toAllow('shop/a', 'shop/b', 'http');
    expect(manifests).toDeny('other/x', 'shop/b', 'http');
    expect(manifests).toDeny('shop/a', 'other/x', 80);
  });
});
