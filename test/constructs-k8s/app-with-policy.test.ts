import { App, Chart, Testing, Yaml } from 'cdk8s';
import { Construct } from 'constructs';
import { AppWithPolicy, ClusterDns, Peer, Port } from '../../constructs/k8s';
import '../../lib/testing';

type Obj = { kind: string; metadata: { name: string; labels?: Record<string, string> }; spec: Record<string, unknown> };

function synth(chart: Chart): Obj[] {
  return Testing.synth(chart) as Obj[];
}

function find(objects: Obj[], kind: string, name: string): Obj {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind}/${name} in ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  return found;
}

function shopChart(): { chart: Chart; web: AppWithPolicy; api: AppWithPolicy } {
  const chart = new Chart(Testing.app(), 'shop', { namespace: 'shop' });
  const web = new AppWithPolicy(chart, 'web', { image: 'web:1', partOf: 'shop', ports: { http: 8080 } });
  const api = new AppWithPolicy(chart, 'api', { image: 'api:1', partOf: 'shop', ports: { http: 8080, metrics: 9090 } });
  return { chart, web, api };
}

describe('AppWithPolicy', () => {
  test('the Deployment, Service and policies select the pods by the explicit app.kubernetes.io labels only', () => {
    const { chart } = shopChart();
    const objects = synth(chart);
    const selector = { 'app.kubernetes.io/instance': 'api', 'app.kubernetes.io/name': 'api', 'app.kubernetes.io/part-of': 'shop' };
    const deployment = find(objects, 'Deployment', 'api');
    expect(deployment.spec.selector).toEqual({ matchLabels: selector });
    const template = deployment.spec.template as { metadata: { labels: Record<string, string> } };
    expect(template.metadata.labels).toEqual(selector);
    expect(JSON.stringify(objects)).not.toContain('cdk8s.io/metadata.addr');
    expect(find(objects, 'Service', 'api').spec.selector).toEqual(selector);
  });

  test('moving an app to another scope changes nothing in its manifests', () => {
    const flat = shopChart();
    const nested = new Chart(Testing.app(), 'shop', { namespace: 'shop' });
    const group = new Construct(nested, 'backend');
    new AppWithPolicy(nested, 'web', { image: 'web:1', partOf: 'shop', ports: { http: 8080 } });
    new AppWithPolicy(group, 'api', { image: 'api:1', partOf: 'shop', ports: { http: 8080, metrics: 9090 } });
    // Object order follows the construct tree; the objects themselves must be identical.
    const sorted = (c: Chart): string => Yaml.stringify(...synth(c).sort((a, b) => (`${a.kind}/${a.metadata.name}` < `${b.kind}/${b.metadata.name}` ? -1 : 1)));
    expect(sorted(nested)).toEqual(sorted(flat.chart));
  });

  test('an app with no rules is not isolated and writes no policy', () => {
    const { chart } = shopChart();
    expect(synth(chart).filter((o) => o.kind === 'NetworkPolicy')).toEqual([]);
    expect(chart).toAllow('shop/web', 'shop/api', 'metrics');
  });

  test('allowTo another app writes both sides: egress on the client, ingress on the server', () => {
    const { chart, web, api } = shopChart();
    web.allowTo(api, Port.named('http'));
    const objects = synth(chart);
    const egress = find(objects, 'NetworkPolicy', 'web-egress').spec;
    const ingress = find(objects, 'NetworkPolicy', 'api-ingress').spec;
    const apiPods = { podSelector: { matchLabels: { 'app.kubernetes.io/instance': 'api', 'app.kubernetes.io/name': 'api', 'app.kubernetes.io/part-of': 'shop' } } };
    const webPods = { podSelector: { matchLabels: { 'app.kubernetes.io/instance': 'web', 'app.kubernetes.io/name': 'web', 'app.kubernetes.io/part-of': 'shop' } } };
    expect(egress.policyTypes).toEqual(['Egress']);
    // Egress names the destination's port by number; ingress keeps the name, resolved on the pod itself.
    expect(egress.egress).toContainEqual({ to: [apiPods], ports: [{ protocol: 'TCP', port: 8080 }] });
    expect(ingress.policyTypes).toEqual(['Ingress']);
    expect(ingress.ingress).toEqual([{ from: [webPods], ports: [{ protocol: 'TCP', port: 'http' }] }]);
    expect(chart).toAllow('shop/web', 'shop/api', 'http');
    expect(chart).toDeny('shop/web', 'shop/api', 'metrics');
    expect(chart).toDeny('shop/api', 'shop/web', 'http');
  });

  test('allowFrom another app also writes the client egress rule', () => {
    const { chart, web, api } = shopChart();
    api.allowFrom(web, Port.named('http'));
    const names = synth(chart).filter((o) => o.kind === 'NetworkPolicy').map((o) => o.metadata.name).sort();
    expect(names).toEqual(['api-egress', 'api-ingress', 'web-egress', 'web-ingress']);
    expect(chart).toAllow('shop/web', 'shop/api', 8080);
  });

  test('peers in another namespace are selected by namespace name AND pod labels', () => {
    const chart = new Chart(Testing.app(), 'c');
    const prometheus = new AppWithPolicy(chart, 'prometheus', { namespace: 'monitoring', image: 'p:1' });
    const api = new AppWithPolicy(chart, 'api', { namespace: 'shop', image: 'a:1', ports: { metrics: 9090 } });
    prometheus.allowTo(api, Port.named('metrics'));
    const ingress = find(synth(chart), 'NetworkPolicy', 'api-ingress').spec.ingress as { from: unknown[] }[];
    expect(ingress[0].from).toEqual([{
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
      podSelector: { matchLabels: { 'app.kubernetes.io/instance': 'prometheus', 'app.kubernetes.io/name': 'prometheus' } },
    }]);
    expect(chart).toAllow('monitoring/prometheus', 'shop/api', 'metrics');
  });

  test('an egress-isolated app gets UDP and TCP 53 to kube-dns in kube-system', () => {
    const { chart, api } = shopChart();
    api.allowTo(Peer.ipBlock('203.0.113.0/24'), Port.tcp(443));
    const egress = find(synth(chart), 'NetworkPolicy', 'api-egress').spec.egress;
    expect(egress).toContainEqual({
      to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
      ports: [{ protocol: 'TCP', port: 53 }, { protocol: 'UDP', port: 53 }],
    });
  });

  test('NodeLocal DNSCache adds its link-local address; ClusterDns.none() opts out of DNS', () => {
    const chart = new Chart(Testing.app(), 'c', { namespace: 'shop' });
    const local = new AppWithPolicy(chart, 'local', { image: 'x', dns: ClusterDns.nodeLocal() });
    const none = new AppWithPolicy(chart, 'none', { image: 'x', dns: ClusterDns.none() });
    local.allowTo(Peer.ipBlock('203.0.113.0/24'), Port.tcp(443));
    none.allowTo(Peer.ipBlock('203.0.113.0/24'), Port.tcp(443));
    const objects = synth(chart);
    const localRules = find(objects, 'NetworkPolicy', 'local-egress').spec.egress as { to: { ipBlock?: { cidr: string } }[] }[];
    expect(localRules.flatMap((r) => r.to).map((p) => p.ipBlock?.cidr)).toContain('169.254.20.10/32');
    expect(chart).toAllow('shop/local', '169.254.20.10', 53, 'UDP');
    expect(find(objects, 'NetworkPolicy', 'none-egress').spec.egress).toEqual([{ to: [{ ipBlock: { cidr: '203.0.113.0/24' } }], ports: [{ protocol: 'TCP', port: 443 }] }]);
    expect(chart).toDeny('shop/none', '169.254.20.10', 53, 'UDP');
  });

  test('isolation is configurable per direction', () => {
    const chart = new Chart(Testing.app(), 'c', { namespace: 'shop' });
    const ingressOnly = new AppWithPolicy(chart, 'gate', { image: 'x', ports: { http: 80 }, isolation: { egress: false } });
    ingressOnly.allowFrom(Peer.allPods(), Port.named('http'));
    const denyAll = new AppWithPolicy(chart, 'vault', { image: 'x', isolation: { ingress: true, egress: true } });
    const names = synth(chart).filter((o) => o.kind === 'NetworkPolicy').map((o) => o.metadata.name);
    expect(names).toEqual(['gate-ingress', 'vault-ingress', 'vault-egress']);
    expect(denyAll.isolatedForEgress).toBe(true);
    expect(chart).toAllow('shop/gate', '198.51.100.1', 443);
    expect(chart).toDeny('shop/gate', 'shop/vault', 80);
  });

  test('an unreachable app gets an ingress policy without rules', () => {
    const chart = new Chart(Testing.app(), 'c', { namespace: 'shop' });
    new AppWithPolicy(chart, 'worker', { image: 'x', ports: { metrics: 9090 }, unreachable: true });
    const policy = find(synth(chart), 'NetworkPolicy', 'worker-ingress');
    expect(policy.spec.ingress).toEqual([]);
    expect(policy.spec.policyTypes).toEqual(['Ingress']);
  });

  test('the internet peer covers IPv4 and IPv6, without the private ranges when asked', () => {
    const chart = new Chart(Testing.app(), 'c', { namespace: 'shop' });
    const app = new AppWithPolicy(chart, 'app', { image: 'x' });
    app.allowTo(Peer.internet({ exceptPrivate: true }), Port.tcp(443));
    const rules = find(synth(chart), 'NetworkPolicy', 'app-egress').spec.egress as { to: { ipBlock?: { cidr: string; except?: string[] } }[] }[];
    const blocks = rules.flatMap((r) => r.to).filter((p) => p.ipBlock).map((p) => p.ipBlock);
    expect(blocks).toEqual([
      { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '100.64.0.0/10', '169.254.0.0/16', '172.16.0.0/12', '192.168.0.0/16'] },
      { cidr: '::/0', except: ['fc00::/7', 'fe80::/10'] },
    ]);
    expect(chart).toAllow('shop/app', '8.8.8.8', 443);
    expect(chart).toAllow('shop/app', '2001:4860::8888', 443);
    expect(chart).toDeny('shop/app', '192.168.1.1', 443);
  });

  test('the internet peer can name one address family', () => {
    const chart = new Chart(Testing.app(), 'c', { namespace: 'shop' });
    new AppWithPolicy(chart, 'four', { image: 'x' }).allowTo(Peer.internet({ ipFamily: 'IPv4' }), Port.tcp(443));
    new AppWithPolicy(chart, 'six', { image: 'x' }).allowTo(Peer.internet({ ipFamily: 'IPv6' }), Port.tcp(443));
    expect(chart).toAllow('shop/four', '8.8.8.8', 443);
    expect(chart).toDeny('shop/four', '2001:4860::8888', 443);
    expect(chart).toAllow('shop/six', '2001:4860::8888', 443);
    expect(chart).toDeny('shop/six', '8.8.8.8', 443);
  });

  test('peers by pod labels, namespace labels and both', () => {
    const chart = new Chart(Testing.app(), 'c', { namespace: 'shop' });
    const app = new AppWithPolicy(chart, 'app', { image: 'x', ports: { http: 80 } });
    app.allowFrom(Peer.pods({ role: 'frontend' }), Port.named('http'));
    app.allowFrom(Peer.namespaces({ team: 'ops' }), Port.tcpRange(8000, 8099));
    app.allowFrom(Peer.podsIn('ingress', { 'app.kubernetes.io/name': 'nginx' }), Port.named('http'));
    const from = (find(synth(chart), 'NetworkPolicy', 'app-ingress').spec.ingress as { from: unknown[]; ports: unknown[] }[]);
    expect(from).toEqual([
      { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'nginx' } } }], ports: [{ protocol: 'TCP', port: 'http' }] },
      { from: [{ namespaceSelector: { matchLabels: { team: 'ops' } } }], ports: [{ protocol: 'TCP', port: 8000, endPort: 8099 }] },
      { from: [{ podSelector: { matchLabels: { role: 'frontend' } } }], ports: [{ protocol: 'TCP', port: 'http' }] },
    ]);
  });

  test('rules to the same peer merge, and declaration order does not change the output', () => {
    const build = (order: 'a' | 'b'): string => {
      const chart = new Chart(Testing.app(), 'c', { namespace: 'shop' });
      const app = new AppWithPolicy(chart, 'app', { image: 'x' });
      const steps = [
        () => app.allowTo(Peer.ipBlock('203.0.113.0/24'), Port.tcp(443)),
        () => app.allowTo(Peer.ipBlock('203.0.113.0/24'), Port.udp(443), Port.tcp(443)),
        () => app.allowTo(Peer.pods({ role: 'cache' }), Port.tcp(6379)),
      ];
      (order === 'a' ? steps : [...steps].reverse()).forEach((step) => step());
      return Yaml.stringify(...Testing.synth(chart));
    };
    const a = build('a');
    expect(build('b')).toEqual(a);
    expect(build('a')).toEqual(a);
    expect(a).toContain('cidr: 203.0.113.0/24');
    expect(a.match(/cidr: 203\.0\.113\.0\/24/g)).toHaveLength(1);
  });

  test('synthesizing twice gives byte-identical YAML', () => {
    const app = new App();
    const chart = new Chart(app, 'shop', { namespace: 'shop' });
    const web = new AppWithPolicy(chart, 'web', { image: 'web:1', ports: { http: 8080 }, env: { B: '2', A: '1' } });
    web.allowTo(Peer.internet(), Port.tcp(443));
    expect(app.synthYaml()).toEqual(app.synthYaml());
  });

  test('container settings reach the Deployment', () => {
    const chart = new Chart(Testing.app(), 'c', { namespace: 'shop' });
    new AppWithPolicy(chart, 'app', {
      image: 'app:1', replicas: 2, env: { Z: 'last', A: 'first' }, command: ['run'], args: ['--fast'], labels: { team: 'shop' },
      ports: { dns: { port: 53, protocol: 'UDP' } }, service: false,
    });
    const objects = synth(chart);
    expect(objects.map((o) => o.kind)).toEqual(['Deployment']);
    const deployment = find(objects, 'Deployment', 'app');
    const spec = deployment.spec as { replicas: number; template: { spec: { containers: { env: unknown[]; command: string[]; args: string[]; ports: unknown[] }[] } } };
    const container = spec.template.spec.containers[0];
    expect(spec.replicas).toBe(2);
    expect(container.env).toEqual([{ name: 'A', value: 'first' }, { name: 'Z', value: 'last' }]);
    expect(container.command).toEqual(['run']);
    expect(container.args).toEqual(['--fast']);
    expect(container.ports).toEqual([{ containerPort: 53, name: 'dns', protocol: 'UDP' }]);
    expect(deployment.metadata.labels?.team).toBe('shop');
  });

  test('a named UDP port resolves with its protocol', () => {
    const chart = new Chart(Testing.app(), 'c', { namespace: 'shop' });
    const dns = new AppWithPolicy(chart, 'dns', { image: 'x', ports: { dns: { port: 53, protocol: 'UDP' } } });
    const client = new AppWithPolicy(chart, 'client', { image: 'x' });
    client.allowTo(dns, Port.named('dns'));
    expect(find(synth(chart), 'NetworkPolicy', 'dns-ingress').spec.ingress).toEqual([{
      from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/instance': 'client', 'app.kubernetes.io/name': 'client' } } }],
      ports: [{ protocol: 'UDP', port: 'dns' }],
    }]);
    expect(chart).toAllow('shop/client', 'shop/dns', 53, 'UDP');
    expect(chart).toDeny('shop/client', 'shop/dns', 53, 'TCP');
  });

  test('Peer.clusterDns() with no ports allows UDP and TCP 53 only', () => {
    const chart = new Chart(Testing.app(), 'c', { namespace: 'shop' });
    const app = new AppWithPolicy(chart, 'app', { image: 'x', dns: ClusterDns.none() });
    app.allowTo(Peer.clusterDns());
    const egress = find(synth(chart), 'NetworkPolicy', 'app-egress').spec.egress as { ports: unknown[] }[];
    expect(egress).toHaveLength(1);
    expect(egress[0].ports).toEqual([{ protocol: 'TCP', port: 53 }, { protocol: 'UDP', port: 53 }]);
  });
});
