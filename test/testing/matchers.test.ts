import { Chart, Testing } from 'cdk8s';
import { dump } from 'js-yaml';
import { AppWithPolicy, Port } from '../../constructs/k8s';
import { clusterFromObjects } from '../../lib/manifests';
import { clusterOf, objectsOf, policyMatchers, toAllow, toDeny } from '../../lib/testing';

function shop(): { chart: Chart; web: AppWithPolicy; api: AppWithPolicy } {
  const chart = new Chart(Testing.app(), 'shop', { namespace: 'shop' });
  const web = new AppWithPolicy(chart, 'web', { image: 'web:1', ports: { http: 8080 } });
  const api = new AppWithPolicy(chart, 'api', { image: 'api:1', ports: { http: 8080, metrics: 9090 } });
  web.allowTo(api, Port.named('http'));
  return { chart, web, api };
}

describe('toAllow and toDeny through a Service', () => {
  test('an AppWithPolicy serviceRef is a destination: allowed when every backend is, on the target port', () => {
    const { chart, web, api } = shop();
    expect(api.serviceRef).toBe('service/shop/api');
    expect(toAllow(chart, web, api.serviceRef!, 'http').pass).toBe(true);
    expect(toDeny(chart, web, api.serviceRef!, 9090).pass).toBe(true);
    const message = toAllow(chart, web, api.serviceRef!, 'metrics').message();
    expect(message).toContain('Expected shop/web -> service/shop/api on 9090/TCP (target port 9090) to be allowed, but it is denied:');
    expect(message).toContain('backend shop/api on 9090/TCP: denied');
    expect(() => toAllow(chart, web, 'service/shop/apx', 80)).toThrow(/"service\/shop\/apx" is not a Service of the input/);
  });

  test('partial (some backends allowed) passes neither toAllow nor toDeny, and says which backend is denied', () => {
    const objects = [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
      ...['1', '2'].map((n) => ({
        apiVersion: 'v1', kind: 'Pod', metadata: { name: `api-${n}`, namespace: 'shop', labels: { app: 'api', replica: n } },
        spec: { containers: [{ name: 'api', image: 'api:1', ports: [{ name: 'http', containerPort: 8080 }] }] },
        status: { podIP: `10.0.0.${n}` },
      })),
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'shop', labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'web:1' }] }, status: { podIP: '10.0.0.9' } },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'api', namespace: 'shop' }, spec: { selector: { app: 'api' }, ports: [{ port: 80, targetPort: 'http' }] } },
      {
        apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'api-2-closed', namespace: 'shop' },
        spec: { podSelector: { matchLabels: { replica: '2' } }, policyTypes: ['Ingress'] },
      },
    ];
    expect(toAllow(objects, 'shop/web', 'service/shop/api', 80).pass).toBe(false);
    expect(toDeny(objects, 'shop/web', 'service/shop/api', 80).pass).toBe(false);
    const message = toAllow(objects, 'shop/web', 'service/shop/api', 80).message();
    expect(message).toContain('to be allowed, but it is partial:');
    expect(message).toContain('backend shop/api-1 on 8080/TCP: allowed');
    expect(message).toContain('backend shop/api-2 on 8080/TCP: denied');
    // Straight to the backends' IPs, the verdicts are the same as through the Service.
    expect(toAllow(objects, 'shop/web', 'shop/api-1', 8080).pass).toBe(true);
    expect(toDeny(objects, 'shop/web', 'shop/api-2', 8080).pass).toBe(true);
  });
});

describe('toAllow and toDeny', () => {
  test('pass and fail on the engine verdict', () => {
    const { chart } = shop();
    expect(toAllow(chart, 'shop/web', 'shop/api', 'http').pass).toBe(true);
    expect(toDeny(chart, 'shop/web', 'shop/api', 'http').pass).toBe(false);
    expect(toAllow(chart, 'shop/web', 'shop/api', 9090).pass).toBe(false);
    expect(toDeny(chart, 'shop/web', 'shop/api', 9090).pass).toBe(true);
  });

  test('a failed toAllow explains which policy isolates and that no rule admits the probe', () => {
    const { chart } = shop();
    const message = toAllow(chart, 'shop/web', 'shop/api', 'metrics').message();
    expect(message).toContain('Expected shop/web -> shop/api on metrics (9090/TCP) to be allowed, but it is denied:');
    expect(message).toContain('egress of shop/web: denied: isolated by shop/web-egress, and no rule there admits shop/api on 9090/TCP.');
    expect(message).toContain('ingress of shop/api: denied: isolated by shop/api-ingress, and no rule there admits shop/web on 9090/TCP.');
  });

  test('a failed toDeny names the admitting rules', () => {
    const { chart } = shop();
    const message = toDeny(chart, 'shop/web', 'shop/api', 'http').message();
    expect(message).toContain('Expected shop/web -> shop/api on http (8080/TCP) to be denied, but it is allowed:');
    expect(message).toMatch(/egress of shop\/web: allowed by shop\/web-egress egress\[\d\]\./);
    expect(message).toContain('ingress of shop/api: allowed by shop/api-ingress ingress[0].');
  });

  test('a direction no policy selects is explained as not isolated', () => {
    const chart = new Chart(Testing.app(), 'c', { namespace: 'shop' });
    new AppWithPolicy(chart, 'a', { image: 'a:1', ports: { http: 80 } });
    const message = toDeny(chart, '203.0.113.9', 'shop/a', 'http').message();
    expect(message).toContain('egress of 203.0.113.9: allowed: 203.0.113.9 is outside the cluster; no policy applies to its egress.');
    expect(message).toContain('ingress of shop/a: allowed: no policy selects shop/a for ingress, so it is not isolated.');
  });

  test('apps can be named by the construct instead of their pod identity', () => {
    const { chart, web, api } = shop();
    expect(chart).toAllow(web, api, 'http');
    expect(chart).toDeny(api, web, 'http');
    expect(toAllow(chart, web, '198.51.100.1', 443).message()).toContain('Expected shop/web -> 198.51.100.1 on 443/TCP to be allowed');
  });

  test('an unknown pod identity fails with the identities that exist', () => {
    const { chart } = shop();
    expect(() => toAllow(chart, 'web', 'shop/api', 'http')).toThrow(/"web" is not a pod identity in the input or an IP address. Did you mean "shop\/web"\?\nPod identities in the input: shop\/api, shop\/web/);
    expect(() => toAllow(chart, 'shop/web', 'shop/api', 'grpc')).toThrow(/"shop\/api" declares no container port named "grpc"/);
  });

  test('invalid manifests fail with every problem instead of a verdict', () => {
    const broken = [{ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'x', namespace: 'a' }, spec: { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: 'nope' } }] }] } }];
    expect(() => toDeny(broken, 'a/x', 'a/y', 80)).toThrow(/the manifests are invalid, so there is no verdict:\n  NetworkPolicy\/a\/x: spec.ingress\[0\].from\[0\].ipBlock.cidr/);
  });

  test('are registered on expect by importing eks-netpol/testing, .not included', () => {
    const { chart } = shop();
    expect(chart).toAllow('shop/web', 'shop/api', 'http');
    expect(chart).not.toAllow('shop/api', 'shop/web', 'http');
    expect(chart).not.toDeny('shop/web', 'shop/api', 8080, 'TCP');
    expect(() => expect(chart).toDeny('shop/web', 'shop/api', 'http')).toThrow(/to be denied, but it is allowed/);
    expect(Object.keys(policyMatchers).sort()).toEqual(['toAllow', 'toDeny', 'toMatchReachabilitySnapshot']);
  });
});

describe('the subjects the matchers read', () => {
  test('a chart, its app, a construct in it, its objects, its YAML and its ClusterState give the same verdicts', () => {
    const { chart, api } = shop();
    const objects = Testing.synth(chart);
    const yaml = objects.map((o) => dump(o)).join('---\n');
    const cluster = clusterFromObjects(objects).cluster;
    const app = chart.node.root as unknown as { charts: Chart[] };
    for (const subject of [chart, app, api, objects, yaml, cluster]) {
      expect(subject).toAllow('shop/web', 'shop/api', 'http');
      expect(subject).toDeny('shop/api', 'shop/web', 'http');
    }
    expect(objectsOf(yaml)).toEqual(JSON.parse(JSON.stringify(objects)));
    expect(clusterOf(cluster)).toBe(cluster);
  });

  test('objects without a namespace land in the namespace given', () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'i' }] } };
    expect(clusterOf([pod], { namespace: 'team' }).pods.map((p) => p.id)).toEqual(['team/p']);
    expect(clusterOf([pod]).pods.map((p) => p.id)).toEqual(['default/p']);
  });

  test('anything else is refused with what is accepted', () => {
    expect(() => objectsOf({ nothing: true } as never)).toThrow(/expected a cdk8s Chart or App, a construct inside a chart, Kubernetes objects, YAML text or a ClusterState/);
  });
});
